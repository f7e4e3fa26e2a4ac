# Sourced by scripts/test.sh and scripts/test-servers.sh: installs Debian packages the tests
# need, without letting their package scripts start services (the tests start their own
# sshd and database servers). A policy-rc.d that we created is removed again afterwards.
#
# install_packages WHAT PACKAGE...   (WHAT names who needs them, for the error message)
install_packages() {
  local what=$1
  shift
  [ $# -gt 0 ] || return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "error: $what need $*; install them (e.g. sudo apt-get install $*)" >&2
    exit 1
  fi
  echo "installing: $*"
  apt-get update -qq
  local policy_rc=/usr/sbin/policy-rc.d own_policy=0 status=0
  if [ ! -e "$policy_rc" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy_rc" && chmod +x "$policy_rc" && own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || status=$?
  if [ "$own_policy" = 1 ]; then rm -f "$policy_rc"; fi
  if [ "$status" != 0 ]; then
    echo "error: apt-get install $* failed (exit $status)" >&2
    exit "$status"
  fi
}
