#!/usr/bin/env bash
# The test command (README: "Run the tests"). Installs what the tests need on a fresh machine,
# then runs the same gates as CI: formatting, clippy with warnings denied, every test.
set -euo pipefail
cd "$(dirname "$0")/.."

need_packages=()
command -v tmux >/dev/null 2>&1 || need_packages+=(tmux)
# The SSH tests start their own OpenSSH sshd processes on loopback addresses.
[ -x /usr/sbin/sshd ] || need_packages+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || need_packages+=(openssh-client)
if [ ${#need_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing: ${need_packages[*]}"
    apt-get update -qq
    # Keep the package scripts from starting system services (the system sshd): the tests
    # start their own. A policy-rc.d that we created is removed again afterwards.
    policy_rc=/usr/sbin/policy-rc.d
    own_policy=0
    if [ ! -e "$policy_rc" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy_rc" && chmod +x "$policy_rc" && own_policy=1
    fi
    status=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" >/dev/null || status=$?
    if [ "$own_policy" = 1 ]; then rm -f "$policy_rc"; fi
    if [ "$status" != 0 ]; then
      echo "error: apt-get install ${need_packages[*]} failed (exit $status)" >&2
      exit "$status"
    fi
  else
    echo "error: the tests need ${need_packages[*]}; install it (e.g. sudo apt-get install ${need_packages[*]})" >&2
    exit 1
  fi
fi

# The SQL tests run against real MariaDB and PostgreSQL servers on 127.0.0.1.
echo "== database servers"
scripts/test-servers.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --all-targets --locked
