#!/usr/bin/env bash
# Records the journal of a real demo drill with its heads signed through a real ssh-agent
# (tests/e2e/e2e_playbook_run.rs run with SSH_AUTH_SOCK set): the fixture of the tamper trials and
# tests. Keeps the journal, its .sigs sidecar, the test-only operator key and an allowed-signers
# file naming it in tests/fixtures/journals/signed/. Re-run it when the journal's records change.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/tests/fixtures/journals/signed"
mkdir -p "$out"
rm -f "$out"/drill.db "$out"/drill.db.sigs "$out"/operator "$out"/operator.pub "$out"/allowed_signers
work="$(mktemp -d)"
ssh-agent -D -a "$work/agent.sock" >/dev/null 2>&1 &
agent=$!
trap 'kill "$agent" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -S "$work/agent.sock" ] && break; sleep 0.1; done
# Test-only key: it signs nothing but this fixture.
ssh-keygen -q -t ed25519 -N '' -C 'operator@example.com (test fixture only)' -f "$out/operator"
SSH_AUTH_SOCK="$work/agent.sock" ssh-add -q "$out/operator"
echo "operator@example.com $(cut -d' ' -f1,2 "$out/operator.pub")" > "$out/allowed_signers"
SSH_AUTH_SOCK="$work/agent.sock" COCKPIT_SAVE_JOURNAL="$out/drill.db" \
    cargo test --test e2e e2e_playbook_run:: -- --nocapture
echo "recorded $out/drill.db and $out/drill.db.sigs"
