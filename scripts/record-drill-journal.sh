#!/usr/bin/env bash
# Records the journal of a real demo drill (the go-speed runbook's primary-app-down playbook run end to end
# in tmux by tests/e2e/e2e_playbook_run.rs) as the fixture of the report, export and replay golden
# tests. Re-run it when the journal's records change, then review the golden diffs.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="$PWD/tests/fixtures/journals/drill-seed001.db"
rm -f "$dest"
COCKPIT_SAVE_JOURNAL="$dest" cargo test --test e2e e2e_playbook_run:: -- --nocapture
echo "recorded $dest"
