#!/usr/bin/env bash
# The test command (README: "Run the tests"). Installs what the tests need on a fresh machine,
# then runs the same gates as CI: formatting, clippy with warnings denied, every test.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/apt-install.sh
source scripts/apt-install.sh

need_packages=()
command -v tmux >/dev/null 2>&1 || need_packages+=(tmux)
# The SSH tests start their own OpenSSH sshd processes on loopback addresses.
[ -x /usr/sbin/sshd ] || need_packages+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || need_packages+=(openssh-client)
# The team tests run private PostgreSQL 15 clusters (tests/support/private_pg.rs) as the
# postgres user through runuser; PostgreSQL itself is installed by scripts/test-servers.sh.
command -v runuser >/dev/null 2>&1 || need_packages+=(util-linux)
# tests/offline/completions_man.rs renders the manual pages with groff, as man does.
command -v groff >/dev/null 2>&1 || need_packages+=(groff-base)
# tests/e2e/e2e_shell.rs types `sudo -k` in a recorded shell, as the operator would.
command -v sudo >/dev/null 2>&1 || need_packages+=(sudo)
# tests/e2e/e2e_shell_cast.rs plays an exported shell in asciinema's own player (2.x, Python;
# Debian's package, so it needs no pip and no network beyond the package mirror).
command -v asciinema >/dev/null 2>&1 || need_packages+=(asciinema)
# The notification tests run their receivers on Debian's Python (/usr/bin/python3): an HTTP
# one (standard library) and an SMTP one on aiosmtpd, under a test CA made with openssl.
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || need_packages+=(python3 python3-aiosmtpd)
command -v openssl >/dev/null 2>&1 || need_packages+=(openssl)
# tests/e2e_obsync_playbooks.rs runs the failover guide's servers on Debian's real nginx (its
# package scripts start nothing here: install_packages holds services back), checks them with
# curl, and its backend playbook pings the database host from the service.
# tests/e2e_real_diagnose.rs runs that nginx on its database host too, and asks it with curl.
[ -x /usr/sbin/nginx ] || need_packages+=(nginx)
command -v curl >/dev/null 2>&1 || need_packages+=(curl)
# tests/e2e_real_diagnose.rs also diagnoses a real RabbitMQ node of its own (its epmd on a free
# port), and tests/e2e_rabbitmq.rs runs a 3-node cluster of them on loopback, each node in a
# mount namespace of its own; the package's own node is never started (install_packages holds
# services back).
[ -x /usr/sbin/rabbitmq-server ] || need_packages+=(rabbitmq-server)
command -v ping >/dev/null 2>&1 || need_packages+=(iputils-ping)
command -v pkill >/dev/null 2>&1 || need_packages+=(procps)
# tests/e2e_node_playbooks.rs runs the Health Butler recovery guide's playbooks on a real Node.js
# application under PM2, with its cache in a Redis it starts itself (the package's own server is
# held back like every service here), on git and rsync.
command -v node >/dev/null 2>&1 || need_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || need_packages+=(npm)
command -v redis-server >/dev/null 2>&1 || need_packages+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || need_packages+=(redis-tools)
command -v git >/dev/null 2>&1 || need_packages+=(git)
command -v rsync >/dev/null 2>&1 || need_packages+=(rsync)
install_packages "the tests" "${need_packages[@]}"
# install_packages keeps the package's own node from starting; one that runs anyway (a start
# policy of this machine's) would hold AMQP port 5672 on every address the tests' nodes use.
if /usr/sbin/rabbitmqctl -q -t 5 ping >/dev/null 2>&1; then
  echo "stopping the system's RabbitMQ node: the RabbitMQ tests run their own"
  /usr/sbin/rabbitmqctl -q stop
fi
# PM2 and the PostgreSQL driver of the test application, pinned, into target/ (never global).
npm_dir=target/test-npm
if [ ! -x "$npm_dir/node_modules/pm2/bin/pm2" ] || [ ! -f "$npm_dir/node_modules/pg/package.json" ]; then
  echo "== npm packages for the Node.js tests (into $npm_dir)"
  npm install --prefix "$npm_dir" --no-audit --no-fund --save-exact pm2@7.0.4 pg@8.23.1 >/dev/null
fi

# The SQL tests run against real MariaDB and PostgreSQL servers on 127.0.0.1.
echo "== database servers"
scripts/test-servers.sh

# CI builds from a fresh clone, where incremental compilation only costs: it writes state no
# later build reads (a third more CPU per test crate, measured on two of them). Developers
# keep it, so their own `cargo test --test NAME` reuses what this script built.
if [ -n "${CI:-}" ]; then
  export CARGO_INCREMENTAL=0
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings
echo "== cargo test: building"
cargo test --all-targets --locked --no-run
# Compiling keeps both cores busy; the tests mostly wait on servers and terminals (and hold on
# a busy machine). So the fuzz targets (fuzz/, nightly, cargo-fuzz) and, on a fresh machine,
# cargo-deb build in the background while the tests run, not while they compile; then the
# fuzz targets run a few seconds each over their committed inputs.
echo "== fuzz targets: building in the background (log: target/fuzz-build.log)"
mkdir -p target
FUZZ_DEV=1 scripts/fuzz.sh build >target/fuzz-build.log 2>&1 &
fuzz_build=$!
cargo_deb=
if ! command -v cargo-deb >/dev/null 2>&1; then
  echo "== cargo-deb: installing in the background (log: target/cargo-deb-install.log)"
  cargo install cargo-deb --locked >target/cargo-deb-install.log 2>&1 &
  cargo_deb=$!
fi
# The real-service suites spend most of their time waiting for servers to boot (a RabbitMQ
# cluster, a Node app under PM2 with its PostgreSQL): they run beside the other test binaries,
# not after them. Each fleet has loopback addresses of its own, so they do not meet.
slow_suites=(e2e_rabbitmq e2e_node_playbooks)
slow_pids=()
for suite in "${slow_suites[@]}"; do
  exe=$(cargo test --locked --test "$suite" --no-run --message-format=json 2>/dev/null |
    /usr/bin/python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    target = m.get("target") or {}
    if (m.get("reason") == "compiler-artifact" and m.get("executable")
            and target.get("name") == sys.argv[1] and "test" in target.get("kind", [])):
        print(m["executable"])' "$suite")
  if [ -z "$exe" ] || [ "$(printf '%s\n' "$exe" | wc -l)" -ne 1 ]; then
    echo "the test binary of $suite was not built (or is not one file): $exe" >&2
    exit 1
  fi
  echo "== cargo test --test $suite: in the background (log: target/$suite.log)"
  "$exe" >"target/$suite.log" 2>&1 &
  slow_pids+=($!)
done
other_tests=(--lib --bins --examples --benches)
for path in tests/*.rs tests/*/main.rs; do
  name=$(basename "${path%/main.rs}" .rs)
  [[ " ${slow_suites[*]} " == *" $name "* ]] || other_tests+=(--test "$name")
done
echo "== cargo test"
cargo test --locked "${other_tests[@]}"
for i in "${!slow_suites[@]}"; do
  suite=${slow_suites[$i]}
  if ! wait "${slow_pids[$i]}"; then
    tail -n 80 "target/$suite.log" >&2
    echo "cargo test --test $suite failed: target/$suite.log" >&2
    exit 1
  fi
  echo "== $suite: $(grep '^test result' "target/$suite.log")"
done
if [ -n "$cargo_deb" ] && ! wait "$cargo_deb"; then
  tail -n 40 target/cargo-deb-install.log >&2
  echo "installing cargo-deb failed: target/cargo-deb-install.log" >&2
  exit 1
fi
echo "== Debian package: build from the tested binary, install, run, remove"
scripts/test-deb.sh
echo "== fuzz targets"
if ! wait "$fuzz_build"; then
  tail -n 40 target/fuzz-build.log >&2
  echo "building the fuzz targets failed: target/fuzz-build.log" >&2
  exit 1
fi
FUZZ_DEV=1 scripts/fuzz.sh 5
