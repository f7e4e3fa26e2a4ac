#!/usr/bin/env bash
# The test command's package check: builds the Debian package from the binary `cargo test`
# has just built (scripts/package-deb.sh --profile dev: no second build), installs it with
# dpkg -i, runs the installed /usr/bin/cockpit (--version, check of the example inventory and
# of a shipped playbook as installed), checks that the package holds the completions and the
# manual pages, and removes the package again. Needs root (CI and the dev machines are).
set -euo pipefail
cd "$(dirname "$0")/.."

deb=$(scripts/package-deb.sh --profile dev | tail -n 1)
[ -f "$deb" ] || { echo "error: scripts/package-deb.sh printed no package ($deb)" >&2; exit 1; }
echo "package: $deb"
pkg=$(dpkg-deb --field "$deb" Package)
dpkg -i "$deb" >/dev/null
trap 'dpkg -r "$pkg" >/dev/null' EXIT

fail() {
  echo "error: installed package: $*" >&2
  exit 1
}

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
got=$(/usr/bin/cockpit --version)
[ "$got" = "cockpit $version" ] || fail "/usr/bin/cockpit --version says '$got', not 'cockpit $version'"

# A home of its own, so no user config is read and nothing is written into the real one.
home=$(mktemp -d)
trap 'dpkg -r "$pkg" >/dev/null; rm -rf "$home"' EXIT
run() { HOME=$home XDG_CONFIG_HOME=$home/config XDG_STATE_HOME=$home/state /usr/bin/cockpit "$@"; }
doc=/usr/share/doc/$pkg
run check "$doc/inventory.example.toml" >/dev/null || fail "cockpit check $doc/inventory.example.toml failed"
run check "$doc/examples/playbooks/nginx-down.toml" >/dev/null ||
  fail "cockpit check $doc/examples/playbooks/nginx-down.toml failed"
run check docs/inventory.example.toml >/dev/null || fail "cockpit check docs/inventory.example.toml failed"

files=$(dpkg -L "$pkg")
for f in /usr/bin/cockpit \
  /usr/share/bash-completion/completions/cockpit \
  /usr/share/zsh/vendor-completions/_cockpit \
  /usr/share/fish/vendor_completions.d/cockpit.fish \
  /usr/share/man/man1/cockpit.1.gz \
  /usr/share/man/man1/cockpit-journal-verify.1.gz \
  "$doc/copyright" "$doc/LICENSE-MIT" "$doc/LICENSE-APACHE"; do
  grep -qx "$f" <<<"$files" || fail "dpkg -L $pkg does not list $f"
done
# The installed page is the one the binary writes, and man finds it by name.
zcat /usr/share/man/man1/cockpit.1.gz | cmp -s - <(run man) || fail "the installed cockpit.1 differs from cockpit man"
if command -v man >/dev/null 2>&1; then
  [ "$(man -w cockpit)" = /usr/share/man/man1/cockpit.1.gz ] || fail "man -w cockpit finds $(man -w cockpit)"
fi
echo "installed $pkg: /usr/bin/cockpit $version runs, checks the shipped examples; completions and man pages in place"
