//! The interactive shell over a real OpenSSH `sshd`, driven through the same `drive` loop the
//! cockpit runs, with the operator's terminal replaced by channels: output, echoed typing and
//! resizes are recorded; what was typed at a silent prompt is not; `~.` leaves a shell that no
//! longer answers; a connection dropped under the shell ends it with a clear reason and
//! everything recorded before the drop kept.

use crate::support::runtime::rt;
use crate::support::sshd::TestSshd;
use cockpit::core::redact::Redactor;
use cockpit::core::shell::{CastCode, CastEvent, joined};
use cockpit::io::shell::{HostShell, ShellReport, ShellRun, ShellTerminal, Typed, drive};
use cockpit::io::ssh::{SshSession, SshTarget, Timeouts};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc::UnboundedSender;

const WAIT: Duration = Duration::from_secs(20);

fn target(sshd: &TestSshd) -> SshTarget {
    SshTarget {
        host: sshd.address.clone(),
        port: sshd.port,
        user: sshd.user.clone(),
        identity_files: vec![sshd.keys.ed25519.clone()],
        passphrases: Default::default(),
        agent_socket: None,
        known_hosts: sshd.known_hosts_file(),
        jumps: Vec::new(),
    }
}

/// A shell being driven: what the test types, and everything it has shown and reported.
struct Driven {
    typed: UnboundedSender<Typed>,
    resized: UnboundedSender<(u16, u16)>,
    screen: tokio::io::DuplexStream,
    stop: Option<tokio::sync::oneshot::Sender<String>>,
    shown: String,
    reports: Arc<Mutex<Vec<ShellReport>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Driven {
    async fn start(sshd: &TestSshd) -> Driven {
        let session = SshSession::connect(
            &target(sshd),
            Timeouts {
                connect: Duration::from_secs(5),
                auth: Duration::from_secs(10),
                keepalive: Duration::from_secs(1),
            },
        )
        .await
        .expect("connect");
        let shell = session
            .open_shell("xterm-256color", 80, 24, WAIT)
            .await
            .expect("open a shell");
        let (out, screen) = tokio::io::duplex(1 << 20);
        let (terminal, typed, resized) = ShellTerminal::fed(out);
        let reports = Arc::new(Mutex::new(Vec::new()));
        let kept = reports.clone();
        let mut redactor = Redactor::default();
        redactor.add_secret_value("s3cr3t-known-value");
        let run = ShellRun {
            session: 1,
            redactor,
            size: (80, 24),
            banner: String::new(),
        };
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(async move {
            drive(HostShell::Ssh(shell), run, terminal, stopped, move |r| {
                kept.lock().unwrap().push(r)
            })
            .await;
            drop(session);
        });
        let mut driven = Driven {
            typed,
            resized,
            screen,
            stop: Some(stop),
            shown: String::new(),
            reports,
            task,
        };
        // Keys typed before the shell reads them would be echoed twice: wait for it first.
        // A prompt of its own, spelt apart so that the echo of the command is not the prompt.
        driven.type_text("PS1='rea''dy> '\r");
        driven.wait_prompt().await;
        driven
    }

    fn type_text(&self, text: &str) {
        self.typed
            .send(Typed::Bytes(text.as_bytes().to_vec()))
            .expect("the shell takes keys");
    }

    /// Reads the shell's output until `what` has been shown.
    async fn wait_shown(&mut self, what: &str) {
        self.wait_until(what, |shown| shown.contains(what)).await;
    }

    /// Reads the shell's output until the shell waits at its prompt: keys typed before it
    /// would be echoed by the terminal, then again by the shell, and not recorded.
    async fn wait_prompt(&mut self) {
        self.wait_until("the prompt", |shown| shown.ends_with("ready> "))
            .await;
    }

    async fn wait_until(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        let mut buf = vec![0u8; 4096];
        let reading = async {
            while !done(&self.shown) {
                let n = self.screen.read(&mut buf).await.expect("read the screen");
                assert!(n > 0, "the shell ended before showing {what:?}");
                self.shown.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        };
        if tokio::time::timeout(WAIT, reading).await.is_err() {
            panic!("{what:?} never shown; shown:\n{}", self.shown);
        }
    }

    /// Waits for the shell's end; every report in order.
    async fn ended(mut self) -> Vec<ShellReport> {
        let mut buf = vec![0u8; 4096];
        // Keep draining the screen so the shell never waits on it.
        let drain = async { while self.screen.read(&mut buf).await.is_ok_and(|n| n > 0) {} };
        let _ = tokio::time::timeout(WAIT, async {
            let (_, ended) = tokio::join!(drain, &mut self.task);
            ended.expect("the shell task ends without panicking");
        })
        .await;
        self.reports.lock().unwrap().clone()
    }
}

/// The recorded events, and the end report.
fn split(reports: &[ShellReport]) -> (Vec<CastEvent>, &ShellReport) {
    let (last, rest) = reports.split_last().expect("at least the end");
    assert!(
        matches!(last, ShellReport::Ended { .. }),
        "the last report is not the end: {reports:?}"
    );
    let events = rest
        .iter()
        .flat_map(|r| match r {
            ShellReport::Recorded { events, .. } => events.clone(),
            other => panic!("an end before the last report: {other:?}"),
        })
        .collect();
    (events, last)
}

#[test]
fn output_resizes_and_echoed_typing_are_recorded_and_silent_typing_never_is() {
    let sshd = TestSshd::start("127.0.0.2");
    rt().block_on(async {
        let mut shell = Driven::start(&sshd).await;
        shell.type_text("stty size; echo shell-$((1+1)); echo s3cr3t-known-value\r");
        shell.wait_shown("shell-2").await;
        shell.wait_prompt().await;
        shell.resized.send((100, 30)).expect("resize");
        shell.type_text("stty size; echo resized-$((2+2))\r");
        shell.wait_shown("resized-4").await;
        shell.wait_prompt().await;
        // The prompt is spelt apart in the command so that its echo is not the prompt.
        shell.type_text("read -s -p \"$(echo p)w:\" x; echo \"got ${#x}\"\r");
        shell.wait_shown("pw:").await;
        shell.type_text("hunter2-silent");
        shell.type_text("\r");
        shell.wait_shown("got 14").await;
        shell.wait_prompt().await;
        shell.type_text("exit 7\r");
        let reports = shell.ended().await;
        let (events, end) = split(&reports);
        let ShellReport::Ended {
            exit,
            reason,
            unrecorded_input,
            ..
        } = end
        else {
            unreachable!()
        };
        assert_eq!(*exit, Some(7), "{reports:?}");
        assert_eq!(*reason, None);
        assert!(*unrecorded_input >= 14, "{reports:?}");
        let output = joined(&events, CastCode::Output);
        let input = joined(&events, CastCode::Input);
        for shown in ["24 80", "shell-2", "30 100", "pw:", "got 14"] {
            assert!(output.contains(shown), "{shown:?} not in {output:?}");
        }
        assert!(input.contains("stty size"), "{input:?}");
        for hidden in ["hunter2-silent", "s3cr3t-known-value"] {
            assert!(
                !format!("{events:?}").contains(hidden),
                "{hidden} recorded: {events:?}"
            );
        }
        assert!(
            events
                .iter()
                .any(|e| e.1 == CastCode::Resize && e.2 == "100x30")
        );
        assert!(
            events.windows(2).all(|w| w[0].0 <= w[1].0),
            "times go back: {events:?}"
        );
    });
}

#[test]
fn tilde_dot_leaves_a_shell_that_does_not_answer() {
    let sshd = TestSshd::start("127.0.0.2");
    rt().block_on(async {
        let mut shell = Driven::start(&sshd).await;
        // A shell busy with something that ignores its keys.
        shell.type_text("stty -isig; echo busy-$((3+3)); sleep 600\r");
        shell.wait_shown("busy-6").await;
        shell.type_text("\r~.");
        let reports = shell.ended().await;
        let (_, end) = split(&reports);
        let ShellReport::Ended { exit, reason, .. } = end else {
            unreachable!()
        };
        assert_eq!(*exit, None);
        assert_eq!(reason.as_deref(), Some("closed by the operator (~.)"));
    });
}

#[test]
fn a_connection_dropped_under_the_shell_ends_it_and_keeps_what_was_recorded() {
    let sshd = TestSshd::start("127.0.0.2");
    rt().block_on(async {
        let mut shell = Driven::start(&sshd).await;
        shell.type_text("echo before-$((5+5))\r");
        shell.wait_shown("before-10").await;
        // The sshd process serving this connection dies: the TCP connection goes with it.
        shell.type_text("kill -9 $PPID\r");
        let reports = shell.ended().await;
        let (events, end) = split(&reports);
        let ShellReport::Ended { exit, reason, .. } = end else {
            unreachable!()
        };
        assert_eq!(*exit, None, "{reports:?}");
        let reason = reason.as_deref().unwrap_or_default();
        assert!(reason.starts_with("connection lost"), "{reason}");
        assert!(joined(&events, CastCode::Output).contains("before-10"));
    });
}

#[test]
fn a_shell_the_cockpit_stops_ends_saying_why_and_keeps_what_was_recorded() {
    let sshd = TestSshd::start("127.0.0.2");
    rt().block_on(async {
        let mut shell = Driven::start(&sshd).await;
        shell.type_text("echo kept-$((6+6))\r");
        shell.wait_shown("kept-12").await;
        let why = "stopped: the journal could not record it";
        let stop = shell.stop.take().expect("not stopped yet");
        stop.send(why.to_string()).expect("the shell listens");
        let reports = shell.ended().await;
        let (events, end) = split(&reports);
        let ShellReport::Ended { exit, reason, .. } = end else {
            unreachable!()
        };
        assert_eq!(*exit, None);
        assert_eq!(reason.as_deref(), Some(why));
        assert!(joined(&events, CastCode::Output).contains("kept-12"));
    });
}
