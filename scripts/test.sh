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
install_packages "the tests" "${need_packages[@]}"

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
echo "== cargo test"
cargo test --all-targets --locked
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
