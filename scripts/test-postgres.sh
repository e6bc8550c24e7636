#!/usr/bin/env bash
# Prints a PostgreSQL URL the tests can create databases on: TEST_DATABASE_URL if set, else the
# server on 127.0.0.1:5432, else a throwaway cluster started here from Debian's postgresql.
# Never prints nothing: if no server can be had it fails, so PostgreSQL is never skipped silently.
set -euo pipefail

reachable() { psql "$1" -Atqc 'select 1' >/dev/null 2>&1; }

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "$TEST_DATABASE_URL"
  exit 0
fi
command -v psql >/dev/null || {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-client >&2
}
for user in postgres root "$(id -un)"; do
  url="postgres://$user@127.0.0.1:5432/postgres"
  if reachable "$url"; then
    echo "$url"
    exit 0
  fi
done

# No server: start a throwaway cluster (as the postgres user when we are root).
echo "test-postgres: no PostgreSQL on 127.0.0.1:5432; starting a throwaway cluster" >&2
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
fi
bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
dir=/tmp/patron-test-postgres
port=55432
run_as=()
[ "$(id -u)" -eq 0 ] && run_as=(runuser -u postgres --)
if ! reachable "postgres://postgres@127.0.0.1:$port/postgres"; then
  rm -rf "$dir" && mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  "${run_as[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust >/dev/null
  "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -o "-p $port -k $dir -c listen_addresses=127.0.0.1" -l "$dir/log" -w start >/dev/null
fi
echo "postgres://postgres@127.0.0.1:$port/postgres"
