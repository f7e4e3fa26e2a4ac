//! End to end: the real `cockpit demo` in tmux, with the operator's drill-only webhook channel
//! and a real HTTP receiver on loopback. A P0 drill is opened (opened, then the on-call
//! engineer's and the CTO's levels at once), the drill clock is moved 15 minutes ahead while
//! the receiver fails (the 5-minute checkpoint, the team lead and the 15-minute checkpoint
//! wait), cockpit is quit with them waiting and started again on the journal, and the incident
//! is resolved: the receiver got every message once delivered, in order, signed, marked
//! `[DRILL]`, and neither the URL's token nor the signing secret reached the screen, the
//! journal, the log or the report.

use crate::support::notify_receivers::{HttpReceiver, Secrets};
use crate::support::tmux::{REACT, Sandbox, Session, cockpit_stdout};
use serde_json::Value;
use std::time::{Duration, Instant};

const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;
const SIGNING_SECRET: &str = "whsec-8f1d2c77e0a94b5e";
const URL_TOKEN: &str = "tok-3c9e5a7b1d2f4e6a";

fn start(sb: &Sandbox, url: &str) -> Session {
    let env = [
        ("DRILL_ROOM_URL", url),
        ("DRILL_ROOM_SECRET", SIGNING_SECRET),
    ];
    let s = sb.start_cockpit_with_env(WIDTH, HEIGHT, false, &["demo"], &env);
    s.wait_until_fleet_up();
    s
}

/// The JSON bodies the receiver got, in order.
fn bodies(receiver: &HttpReceiver) -> Vec<Value> {
    receiver
        .requests()
        .iter()
        .map(|r| {
            let body = r["body"].as_str().expect("a body");
            serde_json::from_str(body).expect("a JSON body")
        })
        .collect()
}

/// Each notification's headline once, in the order the receiver first saw it.
fn headlines(receiver: &HttpReceiver) -> Vec<String> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for body in bodies(receiver) {
        let id = body["id"].as_str().expect("an id").to_string();
        if !seen.contains(&id) {
            seen.push(id);
            out.push(body["headline"].as_str().expect("a headline").to_string());
        }
    }
    out
}

fn wait_for_headlines(receiver: &HttpReceiver, count: usize, timeout: Duration) -> Vec<String> {
    let start = Instant::now();
    loop {
        let got = headlines(receiver);
        if got.len() >= count {
            return got;
        }
        assert!(
            start.elapsed() < timeout,
            "the receiver got {} of {count} notifications: {got:#?}",
            got.len()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The journal's records of `kind`, from its JSONL export.
fn journaled(journal: &str, kind: &str) -> Vec<Value> {
    cockpit_stdout(&["journal", "export", journal, "--format", "jsonl"])
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["kind"] == kind || e["record"]["type"] == kind || e["type"] == kind)
        .collect()
}

#[test]
fn a_p0_drill_tells_the_webhook_everything_once_in_order_across_a_restart() {
    let receiver = HttpReceiver::start(&Secrets {
        webhook: Some(SIGNING_SECRET.into()),
        ..Secrets::default()
    });
    let url = receiver.url(&format!("/hook/{URL_TOKEN}"));
    let sb = Sandbox::new("notify");
    let config = sb.root.join("home/.config/cockpit");
    std::fs::create_dir_all(&config).expect("config folder");
    std::fs::write(
        config.join("inventory.toml"),
        "[[notify]]\nname = \"drill-room\"\nkind = \"webhook\"\nurl_env = \"DRILL_ROOM_URL\"\n\
         secret_env = \"DRILL_ROOM_SECRET\"\ndrill = \"only\"\n",
    )
    .expect("write the inventory");

    let s = start(&sb, &url);
    s.keys(&["o"]);
    s.wait_for("the open form", REACT, |sc| sc.contains("Open an incident"));
    // The second playbook: "Both application servers down", a P0.
    s.keys(&["Down", "Enter"]);
    s.wait_for_re(r"INC-\S+ +P0 ", REACT);
    let first = wait_for_headlines(&receiver, 3, REACT);
    assert!(
        first[0].starts_with("[DRILL] P0 incident INC-"),
        "{first:#?}"
    );
    assert!(first[0].contains(" opened: "), "{first:#?}");
    assert!(
        first[1].contains("escalated to on-call engineer"),
        "{first:#?}"
    );
    assert!(first[2].contains("escalated to CTO"), "{first:#?}");

    // The receiver fails from now on; the drill clock moves 15 minutes ahead.
    receiver.set_mode("fail");
    s.keys(&["+"]);
    s.wait_for("the drill clock prompt", REACT, |sc| {
        sc.contains("move the clock ahead")
    });
    s.type_text("15");
    s.keys(&["Enter"]);
    let failing = s.wait_for("the failing channel on the status line", REACT, |sc| {
        sc.contains("notify drill-room failing: the platform answered HTTP 500")
    });
    // The clock runs 15 minutes ahead (and whatever the test took since the opening).
    let clock = regex::Regex::new(r"⏱ 00:(1[5-9]|[2-5]\d):").expect("regex");
    assert!(clock.is_match(&failing), "{failing}");
    assert_eq!(wait_for_headlines(&receiver, 4, REACT).len(), 4);

    // Quit with three notifications waiting: the question says they are sent next time.
    s.keys(&["q"]);
    s.wait_for("the quit question", REACT, |sc| {
        sc.contains("3 notifications not sent yet")
    });
    s.keys(&["y"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");

    receiver.set_mode("ok");
    let s = start(&sb, &url);
    let resent = wait_for_headlines(&receiver, 6, REACT);
    assert!(resent[3].contains("status at 5 min"), "{resent:#?}");
    assert!(resent[4].contains("escalated to team lead"), "{resent:#?}");
    assert!(resent[5].contains("status at 15 min"), "{resent:#?}");

    s.keys(&["R"]);
    s.wait_for("the resolve prompt", REACT, |sc| sc.contains("summary"));
    s.type_text("drill over: both app servers back");
    s.keys(&["Enter"]);
    let all = wait_for_headlines(&receiver, 7, REACT);
    assert!(all[6].contains(" resolved after "), "{all:#?}");
    s.keys(&["q"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");
    assert!(
        !screen.contains(URL_TOKEN) && !screen.contains(SIGNING_SECRET),
        "{screen}"
    );

    // Every request was signed with the secret, and marked as a drill.
    let requests = receiver.requests();
    assert!(
        requests.len() >= 8,
        "a failed attempt and seven deliveries: {requests:#?}"
    );
    for r in &requests {
        assert_eq!(r["signature_ok"], Value::Bool(true), "{r:#?}");
    }
    for body in bodies(&receiver) {
        assert_eq!(body["drill"], Value::Bool(true), "{body:#?}");
    }
    let resolved = bodies(&receiver).pop().expect("resolved");
    let text = resolved["text"].as_str().expect("text");
    assert!(text.contains("Journal head at resolve: "), "{text}");
    assert!(text.contains("Report: cockpit report "), "{text}");

    // The journal holds each notification once delivered, nothing pending; it verifies.
    let journal = sb.journal.display().to_string();
    let delivered = journaled(&journal, "notification_attempt")
        .into_iter()
        .filter(|e| e.to_string().contains("\"delivered\""))
        .count();
    assert_eq!(delivered, 7);
    assert_eq!(journaled(&journal, "notification_queued").len(), 7);
    cockpit_stdout(&["journal", "verify", &journal]);
    let report = cockpit_stdout(&["report", &journal]);
    assert!(
        report.contains("team lead notified via webhook (drill-room)"),
        "{report}"
    );
    let log = std::fs::read_to_string(&sb.log).unwrap_or_default();
    let export = cockpit_stdout(&["journal", "export", &journal, "--format", "jsonl"]);
    for (what, text) in [
        ("the log", &log),
        ("the journal", &export),
        ("the report", &report),
    ] {
        assert!(!text.contains(URL_TOKEN), "the URL's token in {what}");
        assert!(
            !text.contains(SIGNING_SECRET),
            "the signing secret in {what}"
        );
    }
}
