//! Journal heads signed through a real OpenSSH `ssh-agent` (ed25519 and RSA keys added with
//! `ssh-add`): the sidecar's signatures pass `ssh-keygen -Y verify`, a signature made by
//! `ssh-keygen -Y sign` passes `cockpit journal verify --allowed-signers`, and the real cockpit
//! signs the head when a session ends, or journals and says that it could not.

use crate::support::journal_files;
use crate::support::journal_files::reopen;
use crate::support::ssh_agent;
use crate::support::tmux;

use cockpit::core::head_seal::{NAMESPACE, SidecarBlock, SignedHead, parse_sidecar};
use cockpit::core::journal::Record;
use cockpit::core::redact::Redactor;
use cockpit::io::head_sign::{append_sidecar, sidecar_path, sign_head};
use cockpit::io::journal_store::JournalStore;
use journal_files::{cockpit, note, rt};
use ssh_agent::{Agent, allowed_signers, keygen};
use std::path::Path;
use std::process::{Command, Stdio};

/// A journal of `n` notes whose head is then signed through the agent, the way cockpit's
/// journal writer does it: sidecar block first, then the `head_signed` entry.
fn signed_journal(path: &Path, n: usize, agent: &Path) -> SignedHead {
    rt().block_on(async {
        let (mut store, _) = reopen(|| JournalStore::open(path, true, Redactor::default()))
            .await
            .expect("open");
        let mut last = None;
        for i in 0..n {
            last = Some(
                store
                    .append(1_000 + i as i64, "op@bastion", &note(i))
                    .await
                    .expect("append"),
            );
        }
        let last = last.expect("entries");
        let head = SignedHead {
            journal: store.journal_id().expect("id").to_string(),
            seq: last.seq,
            hash: last.hash.clone(),
        };
        let sig = sign_head(&head, Some(agent)).await.expect("agent signs");
        append_sidecar(path, &head, &sig.armored).expect("sidecar");
        store
            .append(
                9_000,
                "op@bastion",
                &Record::HeadSigned {
                    seq: head.seq,
                    hash: head.hash.clone(),
                    journal: head.journal.clone(),
                    key: sig.key,
                    signature: sig.armored,
                },
            )
            .await
            .expect("append signature");
        store.close().await;
        head
    })
}

/// `ssh-keygen -Y verify` of a sidecar block: (success, what it printed).
fn openssh_verify(
    dir: &Path,
    allowed: &Path,
    identity: &str,
    block: &SidecarBlock,
) -> (bool, String) {
    let sig = dir.join("block.sig");
    std::fs::write(&sig, &block.armored).expect("write sig");
    let mut child = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(allowed)
        .args(["-I", identity, "-n", NAMESPACE, "-s"])
        .arg(&sig)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ssh-keygen");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(block.message.as_bytes())
        .expect("message");
    let out = child.wait_with_output().expect("ssh-keygen output");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn verify(path: &Path, allowed: &Path) -> (i32, String, String) {
    let p = path.to_string_lossy();
    let a = allowed.to_string_lossy();
    cockpit(&["journal", "verify", &p, "--allowed-signers", &a])
}

#[test]
fn agent_signatures_pass_openssh_and_cockpit_verification() {
    for kind in ["ed25519", "rsa"] {
        let agent = Agent::start();
        let key = agent.add_key(kind, &format!("op_{kind}"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.db");
        let head = signed_journal(&path, 5, &agent.socket);
        let allowed = allowed_signers(dir.path(), &[("operator@example.com", &key)]);

        let text = std::fs::read_to_string(sidecar_path(&path)).unwrap();
        let (blocks, stray) = parse_sidecar(&text);
        assert_eq!((blocks.len(), stray.len()), (1, 0), "{kind}: {text}");
        assert_eq!(blocks[0].message, head.message(), "{kind}");
        assert!(
            blocks[0]
                .armored
                .starts_with("-----BEGIN SSH SIGNATURE-----\n")
        );
        let (ok, said) = openssh_verify(dir.path(), &allowed, "operator@example.com", &blocks[0]);
        assert!(ok, "{kind}: ssh-keygen -Y verify refused: {said}");
        assert!(
            said.contains("Good \"cockpit-journal\" signature for operator@example.com"),
            "{kind}: {said}"
        );
        // The signed message changed by one digit: OpenSSH refuses it too.
        let forged = SidecarBlock {
            message: head.message().replace("seq 5", "seq 4"),
            armored: blocks[0].armored.clone(),
        };
        let (ok, said) = openssh_verify(dir.path(), &allowed, "operator@example.com", &forged);
        assert!(!ok, "{kind}: a changed message verified: {said}");

        let (code, out, err) = verify(&path, &allowed);
        assert_eq!(code, 0, "{kind}: {out}{err}");
        assert!(
            out.contains("SIGNED: entry #5 by operator@example.com (SHA256:"),
            "{kind}: {out}"
        );
        assert!(
            out.contains("signatures: 1 in the journal, 1 in"),
            "{kind}: {out}"
        );
        assert!(
            out.contains("signatures: OK, every entry up to #5 is vouched for"),
            "{kind}: {out}"
        );
    }
}

#[test]
fn cockpit_accepts_a_head_signed_by_ssh_keygen_and_refuses_other_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.db");
    rt().block_on(journal_files::journal_with(&path, 4));
    let stored = rt()
        .block_on(cockpit::io::journal_store::read_stored(&path))
        .unwrap();
    let head = SignedHead {
        journal: stored[0].hash.clone(),
        seq: 4,
        hash: stored[3].hash.clone(),
    };
    let key = keygen(dir.path(), "ed25519", "offline");
    let message = dir.path().join("head.txt");
    std::fs::write(&message, head.message()).unwrap();
    let out = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-f"])
        .arg(&key)
        .args(["-n", NAMESPACE])
        .arg(&message)
        .output()
        .expect("ssh-keygen -Y sign");
    assert!(out.status.success(), "{out:?}");
    let armored = std::fs::read_to_string(dir.path().join("head.txt.sig")).unwrap();
    let block = SidecarBlock {
        message: head.message(),
        armored,
    };
    std::fs::write(sidecar_path(&path), block.text()).unwrap();

    let allowed = allowed_signers(dir.path(), &[("auditor@example.com", &key)]);
    let (code, out, err) = verify(&path, &allowed);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("SIGNED: entry #4 by auditor@example.com (SHA256:")
            && out.contains("sidecar block 1"),
        "{out}"
    );

    // The same signature checked against someone else's key: an unknown signer, exit 2.
    let other = keygen(dir.path(), "ed25519", "other");
    let allowed = allowed_signers(dir.path(), &[("auditor@example.com", &other)]);
    let (code, out, _) = verify(&path, &allowed);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("UNKNOWN SIGNER: SHA256:"), "{out}");
}

/// The real cockpit in tmux, started with and without an agent and quit: the session's end is
/// signed and the signature verifies, or the journal says it was not and verify says so.
#[test]
fn cockpit_signs_the_head_when_a_session_ends() {
    let agent = Agent::start();
    let key = agent.add_key("ed25519", "operator");
    let sb = tmux::Sandbox::new("signing");
    let socket = agent.socket.to_string_lossy().to_string();
    let s = sb.start_cockpit_with_env(160, 45, false, &["demo"], &[("SSH_AUTH_SOCK", &socket)]);
    s.wait_for_re("Hosts", tmux::STARTUP);
    s.keys(&["q"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");
    drop(s);
    let rows = tmux::read_journal(&sb.journal);
    let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["session_started", "session_ended", "head_signed"],
        "{}",
        tmux::dump(&rows)
    );
    assert_eq!(rows[2].body["seq"], 2);
    let dir = tempfile::tempdir().unwrap();
    let allowed = allowed_signers(dir.path(), &[("operator@example.com", &key)]);
    let (code, out, err) = verify(&sb.journal, &allowed);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("SIGNED: entry #2 by operator@example.com"),
        "{out}"
    );

    // No agent: cockpit works on, journals that the head is not signed, verify says so.
    let s = sb.start_cockpit_with_env(160, 45, false, &["demo"], &[("SSH_AUTH_SOCK", "")]);
    s.wait_for_re("Hosts", tmux::STARTUP);
    s.keys(&["q"]);
    let (status, screen) = s.wait_for_exit_status();
    assert_eq!(status, 0, "{screen}");
    drop(s);
    let rows = tmux::read_journal(&sb.journal);
    let last = rows.last().expect("rows");
    assert_eq!(last.kind, "head_not_signed", "{}", tmux::dump(&rows));
    assert_eq!(last.body["reason"], "no SSH agent");
    let (code, out, _) = verify(&sb.journal, &allowed);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("UNSIGNED: entry #6 says head #5 was not signed: no SSH agent"),
        "{out}"
    );
    assert!(out.contains("NOT COVERED: entries #4–#5"), "{out}");

    // A signal ends the session: cockpit exits at once, the end journaled as not signed.
    let mut s = sb.start_cockpit_with_env(160, 45, false, &["demo"], &[("SSH_AUTH_SOCK", &socket)]);
    s.wait_for_re("Hosts", tmux::STARTUP);
    s.signal(libc::SIGTERM);
    let (_, screen) = s.wait_for_exit_status();
    drop(s);
    let rows = tmux::read_journal(&sb.journal);
    let last = rows.last().expect("rows");
    assert_eq!(
        last.kind,
        "head_not_signed",
        "{screen}\n{}",
        tmux::dump(&rows)
    );
    let reason = last.body["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("the session ended without a quit (SIGTERM received)"),
        "{reason}"
    );
}
