#!/usr/bin/env bash
# Make sure PostgreSQL's server programs (initdb, pg_ctl, postgres) and psql are present: the team
# dossier tests start a throwaway cluster from them (unless DOSSIER_TEST_PG names a server) and
# the privilege tests connect with psql. As root with apt-get Debian's packages are installed,
# without creating or starting the distribution's own "main" cluster; otherwise this says exactly
# what to install.
set -u
if [ -n "${DOSSIER_TEST_PG:-}" ] && command -v psql >/dev/null 2>&1; then
  exit 0
fi
missing=()
found=""
for dir in /usr/lib/postgresql/*/bin; do
  [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ] && found=$dir
done
if [ -z "$found" ] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
  found=$(dirname "$(command -v initdb)")
fi
[ -z "$found" ] && missing+=("the PostgreSQL server (initdb, pg_ctl, postgres)")
command -v psql >/dev/null 2>&1 || missing+=("psql")
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  # the tests make their own clusters: do not let the package create and start one
  mkdir -p /etc/postgresql-common
  [ -e /etc/postgresql-common/createcluster.conf ] \
    || echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  export APT_EXTRA="-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
fi
source "$(dirname "$0")/apt-install.sh"
install_or_explain "Team dossier tests need: ${missing[*]}" postgresql postgresql-client
