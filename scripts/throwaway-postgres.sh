#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on 127.0.0.1 in a temporary folder, for tests.
#   eval "$(scripts/throwaway-postgres.sh start)"   # prints export lines: TEST_DATABASE_URL, PG_TMP
#   scripts/throwaway-postgres.sh stop "$PG_TMP"
# Debian's package starts no server (no service manager here), so we run our own as the postgres user.
set -euo pipefail

bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
  echo "$dir"
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "${1:-}" in
  start)
    BIN=$(bindir)
    TMP=$(mktemp -d /tmp/mml-pg.XXXXXX)
    PORT=$(free_port)
    USER_NAME=$( [ "$(id -u)" = 0 ] && echo postgres || id -un )
    [ "$(id -u)" = 0 ] && chown postgres "$TMP"
    as_postgres "$BIN/initdb" -D "$TMP/data" -U "$USER_NAME" --auth=trust -E UTF8 --no-sync >"$TMP/initdb.log" 2>&1
    as_postgres "$BIN/pg_ctl" -D "$TMP/data" -l "$TMP/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$TMP -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
      start >/dev/null
    echo "export PG_TMP=$TMP"
    echo "export TEST_DATABASE_URL=postgresql+psycopg://$USER_NAME@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    TMP=${2:?usage: $0 stop PG_TMP}
    BIN=$(bindir)
    as_postgres "$BIN/pg_ctl" -D "$TMP/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$TMP"
    ;;
  *)
    echo "usage: $0 start | stop PG_TMP" >&2
    exit 2
    ;;
esac
