#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ for SECONDS each (default 5), one after the other, starting
# from the committed inputs in fuzz/seeds/TARGET (which include every input that once crashed
# a target). Installs cargo-fuzz and the nightly toolchain when missing. Exits non-zero on the
# first crash, leaving the input in fuzz/artifacts/TARGET. New inputs the run finds go to
# fuzz/corpus/TARGET (ignored by git), so a longer run picks up where the last one stopped.
#
#   scripts/fuzz.sh                 # a short run of every target
#   scripts/fuzz.sh 300 sql_guard   # a longer run of one target
#   FUZZ_DEV=1 scripts/fuzz.sh      # unoptimised build (the test command's: it builds in a
#                                   # third of the time, and a short run needs no speed)
#   scripts/fuzz.sh build           # only install and build (the test command starts this
#                                   # in the background while the tests run)
set -euo pipefail
cd "$(dirname "$0")/.."
build_only=false
if [ "${1:-}" = build ]; then
  build_only=true
  shift
fi
seconds=${1:-5}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(toml_loaders journal_reader sql_guard shell_scanner template)

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked

# Safe Rust needs no AddressSanitizer to catch what matters here (panics, overflows, runaway
# recursion), and building without it is much cheaper. The same flags for build and run, so
# `run` reuses the build.
flags=(--sanitizer none)
[ -z "${FUZZ_DEV:-}" ] || flags+=(--dev)
cd fuzz
echo "building the fuzz targets"
cargo +nightly fuzz build "${flags[@]}"
$build_only && exit 0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in "${targets[@]}"; do
  echo "== fuzz $target (${seconds}s)"
  mkdir -p "corpus/$target"
  if ! cargo +nightly fuzz run "${flags[@]}" "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz target $target failed: the input is in fuzz/artifacts/$target" >&2
    exit 1
  fi
  grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)' "$log" || true
done
