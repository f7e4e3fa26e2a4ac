//! Commands on the machine cockpit runs on: output, status, and a timeout that kills the
//! whole process group (grandchildren included).

use cockpit::io::host_exec::exec_local;
use std::time::{Duration, Instant};

#[tokio::test]
async fn output_status_and_stderr() {
    let out = exec_local(
        "echo out; echo err >&2; exit 7",
        Duration::from_secs(5),
        None,
    )
    .await
    .expect("runs");
    assert_eq!(
        (
            out.stdout.as_slice(),
            out.stderr.as_slice(),
            out.exit_status
        ),
        (&b"out\n"[..], &b"err\n"[..], Some(7))
    );
}

#[tokio::test]
async fn timeout_kills_grandchildren_too() {
    let dir = tempfile::tempdir().expect("dir");
    let marker = dir.path().join("pid");
    let started = Instant::now();
    let command = format!("sleep 30 & echo $! > {}; wait", marker.display());
    let e = exec_local(&command, Duration::from_millis(500), None)
        .await
        .err()
        .unwrap_or_default();
    assert!(e.starts_with("timed out after 0.5s"), "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let pid = std::fs::read_to_string(&marker)
        .expect("pid")
        .trim()
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(3);
    while std::path::Path::new(&format!("/proc/{pid}")).exists()
        && std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "))
    {
        assert!(
            Instant::now() < deadline,
            "the backgrounded sleep {pid} survived the timeout"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn huge_output_is_capped_not_buffered_whole() {
    let out = exec_local("head -c 10000000 /dev/zero", Duration::from_secs(20), None)
        .await
        .expect("runs");
    assert_eq!(out.stdout.len(), cockpit::io::ssh::MAX_OUTPUT);
    assert_eq!(
        out.truncated,
        10_000_000 - cockpit::io::ssh::MAX_OUTPUT as u64
    );
}
