#!/usr/bin/env bash
# The raw durable single-row insert rate of the PostgreSQL the service uses: one INSERT per
# transaction, synchronous_commit on (every commit waits for its WAL flush), 10 s with 1 client
# and 10 s with 8 clients. The 1-client figure is the ceiling of anything that serializes on one
# committing transaction at a time; the 8-client figure shows what group commit adds.
#
#   bench/pgbench-insert.sh
#   SECONDS_PER_RUN=30 CLIENTS_LIST="1 8 16" bench/pgbench-insert.sh
#
# Environment: PGHOST [127.0.0.1] PGPORT [5432] PGUSER [postgres] DB [wa_pgbench, dropped at the end]
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
DB="${DB:-wa_pgbench}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
CLIENTS_LIST="${CLIENTS_LIST:-1 8}"
# every session commits durably, whatever the server's default
export PGOPTIONS="-c synchronous_commit=on -c client_min_messages=warning"

command -v pgbench >/dev/null || { echo "pgbench not found: apt-get install postgresql-contrib (or postgresql-client)"; exit 2; }

mkdir -p "$BENCH_DIR/target"
SCRIPT="$BENCH_DIR/target/pgbench-insert.sql"
cat >"$SCRIPT" <<'SQL'
\set n random(1, 1000000000)
INSERT INTO bench_insert (tenant_id, content) VALUES ('bench', 'bench|' || :n);
SQL

cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1 || true; }
trap cleanup EXIT

dropdb --if-exists "$DB"
createdb "$DB"
psql -q -v ON_ERROR_STOP=1 -d "$DB" <<'SQL'
CREATE TABLE bench_insert (
  id bigserial PRIMARY KEY,
  tenant_id text NOT NULL,
  content text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
SQL

echo "PostgreSQL $(psql -d "$DB" -Atc 'show server_version') on $PGHOST:$PGPORT; $(nproc) cores"
echo "settings: $(psql -d "$DB" -Atc "select string_agg(name || '=' || setting, ' ' order by name) from pg_settings
  where name in ('fsync', 'synchronous_commit', 'wal_sync_method', 'commit_delay', 'full_page_writes')")"
echo "workload: one single-row INSERT per transaction (pgbench -f $SCRIPT), ${SECONDS_PER_RUN} s per run"
for clients in $CLIENTS_LIST; do
  jobs=$(( clients < 2 ? 1 : 2 ))
  out=$(pgbench -n -f "$SCRIPT" -T "$SECONDS_PER_RUN" -c "$clients" -j "$jobs" -d "$DB" 2>&1) || { echo "$out"; exit 1; }
  tps=$(sed -nE 's/^tps = ([0-9.]+).*/\1/p' <<<"$out" | head -1)
  lat=$(sed -nE 's/^latency average = ([0-9.]+ ms).*/\1/p' <<<"$out" | head -1)
  printf '%2d client(s), %d thread(s): %10s inserts/s (tps), latency average %s\n' "$clients" "$jobs" "$tps" "$lat"
done
echo "rows inserted: $(psql -d "$DB" -Atc 'select count(*) from bench_insert')"
