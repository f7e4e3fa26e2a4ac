#!/usr/bin/env bash
# The test command (README: "Run the tests"). Installs what the tests need on a fresh machine,
# then runs the same gates as CI: formatting, clippy with warnings denied, every test.
set -euo pipefail
cd "$(dirname "$0")/.."

need_packages=()
command -v tmux >/dev/null 2>&1 || need_packages+=(tmux)
if [ ${#need_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing: ${need_packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" >/dev/null
  else
    echo "error: the tests need ${need_packages[*]}; install it (e.g. sudo apt-get install ${need_packages[*]})" >&2
    exit 1
  fi
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --all-targets --locked
