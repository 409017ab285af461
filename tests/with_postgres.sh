#!/usr/bin/env bash
# Run a command with DATABASE_URL pointing at a throwaway PostgreSQL cluster on a free loopback port.
# The cluster lives in a temporary directory and is stopped and removed on exit, whatever happens.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

dir=$(mktemp -d /tmp/centrala-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
fi

cleanup() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
echo "Throwaway PostgreSQL on 127.0.0.1:$port"
# The database DATABASE_URL names, for a command that uses it directly (a benchmark); tests make their own.
"${as_pg[@]}" "$bindir/psql" -qX -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE centrala" >/dev/null

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/centrala"
"$@"
