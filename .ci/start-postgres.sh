#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on a loopback port and prints its admin URL.
# Usage: .ci/start-postgres.sh [port] [dir]   (run as root or as the postgres user)
set -euo pipefail
PORT=${1:-54329}
DIR=${2:-/tmp/fieldmark-pg-$PORT}
BIN=/usr/lib/postgresql/15/bin
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -f "$DIR/PG_VERSION" ]; then
  mkdir -p "$DIR"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
  as_pg "$BIN/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! as_pg "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
  as_pg "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
    -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c synchronous_commit=off -c max_connections=300 -c shared_buffers=512MB -c maintenance_work_mem=1GB" start >/dev/null
fi
echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
