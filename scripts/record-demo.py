#!/usr/bin/env python3
"""Records a scripted `cockpit demo` drill in tmux as an asciinema v2 cast and a text screenshot.

Usage: scripts/record-demo.py [BINARY]   (default target/release/cockpit)
Writes assets/demo.cast and assets/screenshot.txt.
"""
import json, os, subprocess, sys, tempfile, time

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/cockpit")
W, H = 140, 40
SOCK = f"cockpit-rec-{os.getpid()}"
tmux = lambda *a: subprocess.run(["tmux", "-L", SOCK, *a], check=True, capture_output=True, text=True).stdout

def screen(escapes=True):
    return tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", "rec")

frames, start = [], time.time()
def snap():
    frames.append((time.time() - start, "\x1b[H\x1b[2J" + screen().replace("\n", "\r\n")))

def wait_for(text, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in screen(False):
            return
        snap(); time.sleep(0.25)
    sys.exit(f"timed out waiting for {text!r}:\n{screen(False)}")

def keys(*k, literal=False, pause=0.6):
    tmux("send-keys", "-t", "rec", *(["-l"] if literal else []), *k)
    time.sleep(0.15); snap(); time.sleep(pause); snap()

with tempfile.TemporaryDirectory() as home:
    env = f"HOME={home} XDG_CONFIG_HOME={home}/c XDG_STATE_HOME={home}/s USER=oncall"
    tmux("new-session", "-d", "-s", "rec", "-x", str(W), "-y", str(H), f"env {env} {BIN} demo --journal {home}/j.db; sleep 3")
    try:
        wait_for("backup-store backup-store up")
        for _ in range(6): snap(); time.sleep(0.3)
        keys("F"); keys("j"); keys("j"); keys("Enter", pause=0.3)
        wait_for("1 down")
        keys("o", pause=1.2); keys("Tab"); keys("Tab")
        keys("主应用服务器宕机 (drill)", literal=True, pause=1.0); keys("Enter", pause=1.0)
        # Each tick and the skip move the selection to the next step by themselves.
        keys("Space"); keys("Space"); keys("s")
        keys("checked nginx by phone", literal=True); keys("Enter")
        keys("j", pause=1.5)
        for _ in range(8): snap(); time.sleep(0.3)
        plain = screen(False)
        keys("?", pause=1.5); keys("Escape")
        keys("q"); keys("y", pause=1.0)
    finally:
        subprocess.run(["tmux", "-L", SOCK, "kill-server"], capture_output=True)

os.makedirs("assets", exist_ok=True)
with open("assets/demo.cast", "w") as f:
    f.write(json.dumps({"version": 2, "width": W, "height": H, "title": "cockpit demo: primary app server down drill"}) + "\n")
    last = None
    for t, data in frames:
        if data != last:
            f.write(json.dumps([round(t, 3), "o", data]) + "\n")
            last = data
with open("assets/screenshot.txt", "w") as f:
    f.write(plain)
print(f"wrote assets/demo.cast ({len(frames)} frames) and assets/screenshot.txt")
