#!/usr/bin/env bash
# Runs the go-speed runbook's primary-app-down drill on a real fleet (tests/e2e_real_fleet_drill.rs) twice,
# quiet and with both cores busy, and prints the figures that go into BENCHMARKS.md: keystrokes
# and wall time from the fault (app-primary's sshd killed) to the incident resolved.
#
# Needs root (each host's sshd runs in a mount namespace of its own), OpenSSH sshd, tmux and the
# test MariaDB with its cockpit_test login: scripts/test.sh installs and starts them.
# The two runs are serialised inside the test binary; pass a name filter to run one:
#   scripts/real-fleet-drill.sh quiet      scripts/real-fleet-drill.sh busy
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
cargo test --test e2e_real_fleet_drill -- --nocapture --test-threads=1 "$@" 2>&1 | tee "$out" || status=$?
echo
echo "figures:"
grep -E '^(BENCH real-fleet-drill|keys:)' "$out" || echo "  (none: a drill failed before the resolve)"
exit "$status"
