#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the team tests: Debian's packages, a fresh cluster in a temp
# folder, listening on a free port on 127.0.0.1 and on a unix socket in that folder. PostgreSQL
# refuses to run as root, so as root (CI) the cluster belongs to the `postgres` user (or `nobody`).
#
#   test/team/start-postgres.sh [DIR]     starts it; prints KEY=VALUE lines (PG_URL, PG_SOCKET_DIR,
#                                         PG_PORT, PG_DIR) and the last line READY
#   test/team/start-postgres.sh stop DIR  stops it (fast shutdown) and removes DIR
#
# Needs: postgresql-15 (apt-get install -y postgresql-15). Exit 3 when it is missing.
set -euo pipefail

BIN=""
for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then BIN="$d"; break; fi
done

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$OWNER" -- "$@"; else "$@"; fi
}

OWNER="$(id -un)"
if [ "$(id -u)" = 0 ]; then
  if id postgres >/dev/null 2>&1; then OWNER=postgres; else OWNER=nobody; fi
fi

if [ "${1:-}" = stop ]; then
  DIR="${2:?usage: start-postgres.sh stop DIR}"
  if [ -d "$DIR/data" ] && [ -n "$BIN" ]; then
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
  exit 0
fi

if [ -z "$BIN" ]; then
  echo "start-postgres: PostgreSQL is not installed (apt-get install -y postgresql-15)" >&2
  exit 3
fi

DIR="${1:-$(mktemp -d /tmp/em-pg.XXXXXX)}"
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
[ "$(id -u)" = 0 ] && chown "$OWNER" "$DIR"
trap 'echo "start-postgres: failed" >&2; cat "$DIR/postgres.log" >&2 2>/dev/null || true' ERR

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
}
PORT=$(free_port)

# A cluster only the tests use: trust on loopback and the socket, no fsync (it is thrown away).
as_owner "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
  >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 60 \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null

trap - ERR
echo "PG_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
echo "PG_SOCKET_DIR=$DIR"
echo "PG_PORT=$PORT"
echo "PG_DIR=$DIR"
echo "READY"
