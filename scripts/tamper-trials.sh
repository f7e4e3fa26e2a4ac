#!/usr/bin/env bash
# Tamper trials: every kind of tampering (bytes changed in each column, deletions, swaps,
# re-seals, appends, cuts, the sidecar deleted, re-signing) applied to a real signed drill
# journal (tests/fixtures/journals/signed, recorded by scripts/record-signed-journal.sh), each
# checked by `cockpit journal verify` with and without --allowed-signers. Prints the table kept
# in RELIABILITY.md ("Tamper trials").
#   scripts/tamper-trials.sh [TRIALS_PER_KIND (default 20)] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --bin cockpit
cargo run --quiet --example tamper_trials -- "$@"
