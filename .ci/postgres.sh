#!/usr/bin/env bash
# Start a local Postgres for the server-mode tests and print its URL as the last stdout line:
#   export AIMY_TEST_POSTGRES_URL=$(bash .ci/postgres.sh | tail -1)
# Idempotent: installs Debian's postgresql only when missing, reuses a running cluster, and
# (re)creates the role/database only when absent. Runs as root; the server runs as `postgres`.
set -euo pipefail

ROLE=aimy
DB=aimy_test
PASSWORD="${AIMY_TEST_PG_PASSWORD:-aimy-test-only}"
CLUSTER=main

log() { echo "postgres.sh: $*" >&2; }
as_pg() { (cd / && runuser -u postgres -- "$@"); }

if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  log "installing postgresql (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

VERSION="$(ls /usr/lib/postgresql | sort -V | tail -1)"

if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$VERSION $CLUSTER"; then
  log "creating cluster $VERSION/$CLUSTER"
  pg_createcluster "$VERSION" "$CLUSTER" >&2
fi

port_of_cluster() { pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $3}'; }
status_of_cluster() { pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $4}'; }
port_busy() { ss -Hltn "sport = :$1" | grep -q .; }

if [ "$(status_of_cluster)" != "online" ]; then
  PORT="$(port_of_cluster)"
  if port_busy "$PORT"; then
    # Something else owns the port: move our cluster to the first free one above it.
    while port_busy "$PORT"; do PORT=$((PORT + 1)); done
    log "port busy, moving cluster to $PORT"
    pg_conftool "$VERSION" "$CLUSTER" set port "$PORT" >&2
  fi
  log "starting cluster $VERSION/$CLUSTER"
  pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi
PORT="$(port_of_cluster)"

for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$PORT" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$PORT" || { log "postgres did not become ready"; exit 1; }

psql_pg() { as_pg psql -p "$PORT" -v ON_ERROR_STOP=1 -qtAc "$1"; }

if [ "$(psql_pg "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
  log "creating role $ROLE"
  psql_pg "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'" >&2
else
  psql_pg "ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'" >&2
fi
if [ "$(psql_pg "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
  log "creating database $DB"
  psql_pg "CREATE DATABASE $DB OWNER $ROLE" >&2
fi

echo "postgresql://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
