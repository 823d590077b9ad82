#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server:
#   scripts/with-postgres.sh CMD [ARGS...]
# Uses Debian's PostgreSQL (apt-get install postgresql; scripts/setup.sh --test installs it), starts
# it in a temporary directory on a free loopback port, creates the database `kaozheng` owned by the
# user `kaozheng`, exports KAOZHENG_TEST_POSTGRES_URL=postgres://kaozheng@127.0.0.1:PORT/kaozheng,
# runs CMD, and always stops the server and removes the directory, whatever CMD did.
# initdb refuses to run as root, so as root the server runs as the `postgres` user.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "with-postgres: no PostgreSQL server found under /usr/lib/postgresql (apt-get install postgresql)" >&2
  exit 1
fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

dir=$(mktemp -d "${TMPDIR:-/tmp}/kaozheng-pg.XXXXXX")
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"

stop() {
  local rc=$?
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap stop EXIT
trap 'exit 130' INT TERM

# A free loopback port: ask the kernel for one.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

as_pg "$bindir/initdb" -D "$dir/data" -A trust -U kaozheng -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
# Tests run many databases side by side; fsync off is safe for a throwaway server and much faster.
as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }
as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U kaozheng kaozheng

export KAOZHENG_TEST_POSTGRES_URL="postgres://kaozheng@127.0.0.1:$port/kaozheng"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk "{print \$3}") on 127.0.0.1:$port (data in $dir)" >&2
"$@"
