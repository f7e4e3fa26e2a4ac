#!/usr/bin/env bash
# Starts the database servers the SQL tests run against (tests/servers/sql_servers.rs,
# benches/sql_stream.rs) and creates their TCP test login. Called by scripts/test.sh; safe to run
# again (fast when everything is already up). Needs root on a fresh machine: it installs
# mariadb-server/mariadb-client when missing and starts the system MariaDB and PostgreSQL 15.
#
# Logins it creates (the tests' defaults, overridable with COCKPIT_TEST_MYSQL_URL and
# COCKPIT_TEST_PG_URL):
#   mysql://cockpit_test:cockpit_test@127.0.0.1:3306/mysql      (ALL on *.*, may CREATE/DROP databases)
#   postgres://cockpit_test:cockpit_test@127.0.0.1:5432/postgres (LOGIN CREATEDB)
set -euo pipefail

TEST_USER=cockpit_test
TEST_PASSWORD=cockpit_test
PG_VERSION=15

# shellcheck source=scripts/apt-install.sh
source "$(dirname "$0")/apt-install.sh"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "error: setting up the test databases needs root (run scripts/test.sh as root)" >&2
    exit 1
  fi
}

# --- packages ---------------------------------------------------------------------------------
need_packages=()
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need_packages+=(mariadb-server)
command -v mariadb >/dev/null 2>&1 || need_packages+=(mariadb-client)
# initdb, pg_ctl and postgres also run the private clusters of tests/support/private_pg.rs.
[ -x "/usr/lib/postgresql/$PG_VERSION/bin/postgres" ] || need_packages+=("postgresql-$PG_VERSION")
[ -x "/usr/lib/postgresql/$PG_VERSION/bin/psql" ] || need_packages+=("postgresql-client-$PG_VERSION")
command -v psql >/dev/null 2>&1 || need_packages+=(postgresql-client)
install_packages "the SQL tests" "${need_packages[@]}"

# Waits until `check` succeeds, at most $2 seconds.
wait_for() {
  local what=$1 limit=$2
  shift 2
  local i
  for ((i = 0; i < limit * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "error: $what did not come up within ${limit}s" >&2
  return 1
}

# --- MariaDB ------------------------------------------------------------------------------------
mariadb_up() { as_root mariadb --protocol=socket -uroot -e 'SELECT 1'; }
if ! mariadb_up >/dev/null 2>&1; then
  echo "starting MariaDB"
  as_root service mariadb start >/dev/null 2>&1 || true
  if ! wait_for "MariaDB (service mariadb start)" 5 mariadb_up; then
    # No working init script (a container): run the server directly.
    as_root mkdir -p /run/mysqld
    as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
    if [ ! -d /var/lib/mysql/mysql ]; then
      as_root mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
    fi
    as_root sh -c 'nohup mariadbd-safe --user=mysql >/dev/null 2>&1 &' ||
      as_root sh -c 'nohup /usr/sbin/mariadbd --user=mysql >/var/log/mariadbd-test.log 2>&1 &'
    wait_for "MariaDB" 30 mariadb_up
  fi
fi
as_root mariadb --protocol=socket -uroot <<SQL
CREATE USER IF NOT EXISTS '$TEST_USER'@'127.0.0.1' IDENTIFIED BY '$TEST_PASSWORD';
CREATE USER IF NOT EXISTS '$TEST_USER'@'localhost' IDENTIFIED BY '$TEST_PASSWORD';
ALTER USER '$TEST_USER'@'127.0.0.1' IDENTIFIED BY '$TEST_PASSWORD';
ALTER USER '$TEST_USER'@'localhost' IDENTIFIED BY '$TEST_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$TEST_USER'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$TEST_USER'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
wait_for "MariaDB over TCP as $TEST_USER" 10 \
  mariadb --protocol=tcp -h127.0.0.1 -P3306 -u"$TEST_USER" -p"$TEST_PASSWORD" -e 'SELECT 1'

# --- PostgreSQL ---------------------------------------------------------------------------------
pg_up() { as_root runuser -u postgres -- psql -qtAc 'SELECT 1' postgres; }
if ! pg_up >/dev/null 2>&1; then
  echo "starting PostgreSQL $PG_VERSION"
  if ! as_root pg_lsclusters -h 2>/dev/null | grep -q "^$PG_VERSION main"; then
    as_root pg_createcluster "$PG_VERSION" main >/dev/null
  fi
  as_root pg_ctlcluster "$PG_VERSION" main start
  wait_for "PostgreSQL $PG_VERSION" 30 pg_up
fi
as_root runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$TEST_USER') THEN
    CREATE ROLE $TEST_USER LOGIN CREATEDB PASSWORD '$TEST_PASSWORD';
  ELSE
    ALTER ROLE $TEST_USER LOGIN CREATEDB PASSWORD '$TEST_PASSWORD';
  END IF;
END \$\$;
SQL
wait_for "PostgreSQL over TCP as $TEST_USER" 10 \
  env PGPASSWORD="$TEST_PASSWORD" psql -h 127.0.0.1 -p 5432 -U "$TEST_USER" -qtAc 'SELECT 1' postgres
echo "test databases up: MariaDB 127.0.0.1:3306, PostgreSQL 127.0.0.1:5432 (login $TEST_USER)"
