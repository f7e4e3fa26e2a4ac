#!/usr/bin/env bash
# Crash trials: `kill -9` of the real `cockpit demo` at random points of journaled actions
# (ticks, step runs on the demo hosts, SQL steps that commit, incidents opened and resolved),
# then `cockpit journal verify`, every acknowledged entry present, and the next start resumes.
# The trials are the `crash_trials` test (tests/e2e/crash_trials.rs), which the test suite runs
# with 10 trials; this runs it on a release build of cockpit with more of them, and prints the
# figures for RELIABILITY.md ("Crash trials").
#
# usage: scripts/crash-trials.sh [TRIALS]   (default 1000; COCKPIT_CRASH_SEED=N repeats a run,
#        COCKPIT_CRASH_STREAMS=N runs N streams of trials side by side, default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tmux >/dev/null 2>&1 || { echo "error: tmux is needed (apt-get install tmux)" >&2; exit 2; }
trials="${1:-1000}"
case "$trials" in
  ''|*[!0-9]*) echo "error: TRIALS must be a number, not '$trials'" >&2; exit 2 ;;
esac
mkdir -p target
report="$PWD/target/crash-trials-$(date -u +%Y%m%dT%H%M%SZ).md"
# COCKPIT_CRASH_PROFILE=debug runs the debug build instead (no release build to wait for).
profile="${COCKPIT_CRASH_PROFILE:-release}"
case "$profile" in
  release) cargo build --release --locked --bin cockpit ;;
  debug) cargo build --locked --bin cockpit ;;
  *) echo "error: COCKPIT_CRASH_PROFILE is release or debug, not '$profile'" >&2; exit 2 ;;
esac
cargo test --locked --test e2e --no-run
started="$(date -u '+%Y-%m-%d %H:%M UTC')"
load="$(cut -d' ' -f1-3 /proc/loadavg)"
COCKPIT_CRASH_TRIALS="$trials" COCKPIT_CRASH_REPORT="$report" \
  COCKPIT_CRASH_BIN="$PWD/target/$profile/cockpit" COCKPIT_CRASH_STREAMS="${COCKPIT_CRASH_STREAMS:-3}" \
  cargo test --locked --test e2e crash_trials:: -- --nocapture --test-threads=1
changes=""
git diff --quiet HEAD -- src tests || changes=" (with local changes)"
{
  echo "- commit $(git rev-parse --short HEAD)$changes; started $started; $(nproc) cores (load average at the start: $load); $profile build of cockpit"
  cat "$report"
} > "$report.tmp" && mv "$report.tmp" "$report"
echo "== figures (also in $report)"
cat "$report"
