#!/usr/bin/env python3
"""A loopback HTTP receiver for cockpit's notification tests: it takes webhook posts the way
DingTalk, WeCom, Feishu, Slack and a generic JSON webhook do, and records each one.

    python3 notify_receiver.py --port-file PATH --log PATH [--mode-file PATH]
        [--dingtalk-secret S] [--feishu-secret S] [--webhook-secret S]

It listens on 127.0.0.1 (a port of the system's choosing), writes the port to --port-file
once listening, and appends one JSON line per request to --log: path, query (as sent),
headers, body (text) and, when the platform's secret was given, signature_ok: the signature
checked here, independently of cockpit's own code.

The platform is the path's first segment: /dingtalk, /wecom, /feishu, /slack, anything else
is the generic webhook. The answer follows the mode file's content, read at each request:
  ok      (default) the platform's own success answer
  fail    HTTP 500
  hang    never answers (the request is still logged)
  reject  HTTP 200 with the platform's error answer (DingTalk: errcode 310000 sign not match)
  echo    HTTP 404 quoting the path and query it was sent to, as some proxies do (the URL
          holds the token: what cockpit shows of this answer must not)
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OK = {
    "dingtalk": (200, {"errcode": 0, "errmsg": "ok"}),
    "wecom": (200, {"errcode": 0, "errmsg": "ok"}),
    "feishu": (200, {"code": 0, "data": {}, "msg": "success"}),
    "slack": (200, "ok"),
    "webhook": (200, {"ok": True}),
}
REJECT = {
    "dingtalk": (200, {"errcode": 310000, "errmsg": "sign not match"}),
    "wecom": (200, {"errcode": 93000, "errmsg": "invalid webhook url"}),
    "feishu": (200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}),
    "slack": (200, "invalid_payload"),
    "webhook": (200, {"ok": False, "error": "rejected"}),
}
# Signed requests older than this are refused by the platforms.
MAX_SKEW_S = 3600


def platform_of(path):
    first = path.lstrip("/").split("/", 1)[0].split("?", 1)[0]
    return first if first in OK else "webhook"


def b64_hmac(key, message):
    return base64.b64encode(hmac.new(key.encode(), message, hashlib.sha256).digest()).decode()


def fresh(seconds):
    return abs(time.time() - seconds) <= MAX_SKEW_S


def dingtalk_ok(secret, query):
    params = urllib.parse.parse_qs(query)
    try:
        timestamp = params["timestamp"][0]
        sign = params["sign"][0]
        expected = b64_hmac(secret, f"{timestamp}\n{secret}".encode())
        return hmac.compare_digest(sign, expected) and fresh(int(timestamp) / 1000)
    except (KeyError, IndexError, ValueError):
        return False


def feishu_ok(secret, body):
    try:
        doc = json.loads(body)
        timestamp = doc["timestamp"]
        expected = b64_hmac(f"{timestamp}\n{secret}", b"")
        return hmac.compare_digest(doc["sign"], expected) and fresh(int(timestamp))
    except (KeyError, ValueError, TypeError):
        return False


def webhook_ok(secret, headers, body):
    timestamp = headers.get("X-Cockpit-Timestamp", "")
    signature = headers.get("X-Cockpit-Signature", "")
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    try:
        return hmac.compare_digest(signature, "sha256=" + digest) and fresh(int(timestamp))
    except ValueError:
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--mode-file")
    parser.add_argument("--dingtalk-secret")
    parser.add_argument("--feishu-secret")
    parser.add_argument("--webhook-secret")
    args = parser.parse_args()
    log_lock = threading.Lock()

    def mode():
        if not args.mode_file:
            return "ok"
        try:
            with open(args.mode_file, encoding="utf-8") as f:
                return f.read().strip() or "ok"
        except FileNotFoundError:
            return "ok"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            path, _, query = self.path.partition("?")
            platform = platform_of(path)
            entry = {
                "path": path,
                "query": query,
                "headers": {k: v for k, v in self.headers.items()},
                "body": body.decode("utf-8", errors="replace"),
            }
            if platform == "dingtalk" and args.dingtalk_secret:
                entry["signature_ok"] = dingtalk_ok(args.dingtalk_secret, query)
            elif platform == "feishu" and args.feishu_secret:
                entry["signature_ok"] = feishu_ok(args.feishu_secret, body)
            elif platform == "webhook" and args.webhook_secret:
                entry["signature_ok"] = webhook_ok(args.webhook_secret, self.headers, body)
            with log_lock, open(args.log, "a", encoding="utf-8") as log:
                log.write(json.dumps(entry, ensure_ascii=False) + "\n")
            current = mode()
            if current == "hang":
                threading.Event().wait()
                return
            if current == "fail":
                status, answer = 500, "internal error"
            elif current == "echo":
                status, answer = 404, f"no route for {self.path}"
            elif current == "reject":
                status, answer = REJECT[platform]
            else:
                status, answer = OK[platform]
            text = answer if isinstance(answer, str) else json.dumps(answer)
            payload = text.encode()
            self.send_response(status)
            kind = "text/plain" if isinstance(answer, str) else "application/json"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    temporary = args.port_file + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(str(server.server_address[1]))
    os.replace(temporary, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
