#!/usr/bin/env bash
# Inbound load test: builds the service and the harness, starts the service (JVM mode, prod
# profile) on a fresh database, runs the harness against it, stops the service. See README.md.
#
#   bench/run-inbound.sh                          # the issue's scenario (1,000 clients, 500/s, 30 s + 60 s)
#   RATE=750 CONVERSATION_UPDATES=tenant bench/run-inbound.sh
#   FIND_MAX=1 bench/run-inbound.sh               # step the rate, report the highest that meets the targets
#   bench/run-inbound.sh --drain 20               # extra arguments go to the harness as they are
#
# Environment (defaults in brackets):
#   CLIENTS [1000] GENERAL [10] CUSTOMERS [500] RATE [500] WARMUP [30] DURATION [60]
#   CONVERSATION_UPDATES [rooms]   rooms  = the contract (PROTOCOL.md 6.2: conversation_updated like new_message),
#                                  tenant = the old delivery, to every connection (APP_EVENTS_CONVERSATION_UPDATES)
#   FIND_MAX [0] STEPS [500,750,1000,1500,2000] STEP_DURATION [20]
#   PORT [18080] DB [wa_bench] PGHOST [127.0.0.1] PGPORT [5432] PGUSER [postgres]
#   SERVICE_DIR [the repository]   where the service is built and run from (target/quarkus-app)
#   SKIP_SERVICE_BUILD [0]         1: run the service jar already built in SERVICE_DIR
#   SERVICE_JAVA_OPTS [] BENCH_JAVA_OPTS [-Xms512m -Xmx1g]
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
SERVICE_DIR="${SERVICE_DIR:-$REPO_DIR}"
OUT_DIR="$BENCH_DIR/target"

CLIENTS="${CLIENTS:-1000}"
GENERAL="${GENERAL:-10}"
CUSTOMERS="${CUSTOMERS:-500}"
RATE="${RATE:-500}"
WARMUP="${WARMUP:-30}"
DURATION="${DURATION:-60}"
CONVERSATION_UPDATES="${CONVERSATION_UPDATES:-rooms}"
FIND_MAX="${FIND_MAX:-0}"
STEPS="${STEPS:-500,750,1000,1500,2000}"
STEP_DURATION="${STEP_DURATION:-20}"
PORT="${PORT:-18080}"
DB="${DB:-wa_bench}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
export PGOPTIONS="${PGOPTIONS:--c client_min_messages=warning}"  # no NOTICE from dropdb --if-exists
SERVICE_JAVA_OPTS="${SERVICE_JAVA_OPTS:-}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:--Xms512m -Xmx1g}"

log() { printf '[run-inbound] %s\n' "$*"; }

mkdir -p "$OUT_DIR"

# ---- build
if [[ "${SKIP_SERVICE_BUILD:-0}" != 1 ]]; then
  log "building the service in $SERVICE_DIR"
  (cd "$SERVICE_DIR" && ./mvnw -B -q package -DskipTests)
fi
log "building the harness"
"$REPO_DIR/mvnw" -B -q -f "$BENCH_DIR/pom.xml" package
SERVICE_JAR="$SERVICE_DIR/target/quarkus-app/quarkus-run.jar"
[[ -f "$SERVICE_JAR" ]] || { log "no $SERVICE_JAR"; exit 2; }

# ---- database
if ! pg_isready -q; then
  log "PostgreSQL is not answering on $PGHOST:$PGPORT; trying to start the local cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
fi
log "recreating database $DB"
dropdb --if-exists "$DB"
createdb "$DB"

# ---- service
if curl -s -o /dev/null "http://127.0.0.1:$PORT/q/health/ready"; then
  log "something already listens on port $PORT; stop it or set PORT"
  exit 2
fi
SERVICE_LOG="$OUT_DIR/service.log"
SERVICE_PID=""
stop_service() {
  if [[ -n "$SERVICE_PID" ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
    log "stopping the service (pid $SERVICE_PID)"
    kill "$SERVICE_PID" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$SERVICE_PID" 2>/dev/null || true
  fi
}
trap stop_service EXIT

log "starting the service (conversation updates: $CONVERSATION_UPDATES), log in $SERVICE_LOG"
(
  export QUARKUS_HTTP_PORT="$PORT"
  export QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://$PGHOST:$PGPORT/$DB"
  export QUARKUS_DATASOURCE_USERNAME="$PGUSER" QUARKUS_DATASOURCE_PASSWORD=postgres
  export MP_JWT_VERIFY_PUBLICKEY_LOCATION="$SERVICE_DIR/src/main/resources/dev-keys/jwt-public.pem"
  export MP_JWT_VERIFY_ISSUER=https://wa-gateway.dev/issuer
  export APP_WHATSAPP_APP_SECRET=bench-secret APP_WHATSAPP_TENANT=bench APP_WHATSAPP_PHONE_NUMBER_ID=pn-bench
  export APP_WHATSAPP_DISPLAY_PHONE_NUMBER=15550009999 APP_WHATSAPP_WABA_ID=waba-bench
  export APP_EVENTS_CONVERSATION_UPDATES="$CONVERSATION_UPDATES"
  # extra settings from a wrapper such as run-outbound.sh (KEY=VALUE words)
  for kv in ${SERVICE_EXTRA_ENV:-}; do export "${kv?}"; done
  # shellcheck disable=SC2086  # word splitting of the options is intended
  exec java $SERVICE_JAVA_OPTS -jar "$SERVICE_JAR"
) >"$SERVICE_LOG" 2>&1 &
SERVICE_PID=$!

for i in $(seq 1 120); do
  if curl -sf -o /dev/null "http://127.0.0.1:$PORT/q/health/ready"; then
    break
  fi
  if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
    log "the service exited during start-up:"; tail -40 "$SERVICE_LOG"; exit 2
  fi
  if [[ $i == 120 ]]; then
    log "the service is not ready after 60 s:"; tail -40 "$SERVICE_LOG"; exit 2
  fi
  sleep 0.5
done
log "service ready (pid $SERVICE_PID)"

# ---- autovacuum stand-in
# Production PostgreSQL runs autovacuum; a server with it switched off (as on the development machines
# here) never analyzes the new tables, so the planner keeps its no-statistics guesses (e.g. a bitmap scan
# of a tenant's every message for a client_message_id lookup) and dead outbox rows pile up. Do what
# autovacuum would: VACUUM ANALYZE the database every VACUUM_EVERY seconds. Its CPU is PostgreSQL's.
MAINTENANCE_PID=""
if [[ "$(psql -d "$DB" -Atc 'show autovacuum')" == "off" && "${VACUUM_EVERY:-10}" != 0 ]]; then
  log "autovacuum is off on this server: running VACUUM ANALYZE every ${VACUUM_EVERY:-10} s instead"
  ( while sleep "${VACUUM_EVERY:-10}"; do vacuumdb -q -z --no-truncate -d "$DB" 2>/dev/null || true; done ) &
  MAINTENANCE_PID=$!
  trap 'kill $MAINTENANCE_PID 2>/dev/null || true; stop_service' EXIT
fi

# ---- harness
# the postmaster's pid, so that the harness reports this server's CPU (not a test's embedded one)
PG_PID=$(head -1 "$(psql -d "$DB" -Atc 'show data_directory' 2>/dev/null)/postmaster.pid" 2>/dev/null || echo 0)
args=(--url "http://127.0.0.1:$PORT" --pid "$SERVICE_PID" --pg-pid "${PG_PID:-0}"
      --key "$SERVICE_DIR/src/main/resources/dev-keys/jwt-private.pem"
      --secret bench-secret --tenant bench --phone-number-id pn-bench --display 15550009999 --waba-id waba-bench
      --clients "$CLIENTS" --general "$GENERAL" --customers "$CUSTOMERS" --rate "$RATE"
      --warmup "$WARMUP" --duration "$DURATION")
if [[ "$FIND_MAX" == 1 ]]; then
  args+=(--find-max --steps "$STEPS" --step-duration "$STEP_DURATION")
fi
REPORT="$OUT_DIR/${REPORT_PREFIX:-inbound}-$(date +%Y%m%d-%H%M%S).txt"  # REPORT_PREFIX: set by wrappers
log "running the harness; report also in $REPORT"
{
  echo "# $(date -Is) $(nproc) cores, conversation updates: $CONVERSATION_UPDATES, $(java -version 2>&1 | head -1)"
} >"$REPORT"
set +e
# shellcheck disable=SC2086
java $BENCH_JAVA_OPTS -cp "$BENCH_DIR/target/wa-gateway-bench.jar" "${HARNESS_MAIN:-io.wagateway.bench.InboundBench}" \
  "${args[@]}" "$@" 2>&1 | tee -a "$REPORT"
rc=${PIPESTATUS[0]}
set -e
# how many writes each group-commit transaction stored (since start: warm-up included)
curl -s "http://127.0.0.1:$PORT/q/metrics" | awk '
  /^wagateway_group_commit_batch_(count|sum)/ { match($0, /writer="[^"]*"/); w = substr($0, RSTART + 8, RLENGTH - 9);
    if ($0 ~ /_count/) c[w] = $NF; else s[w] = $NF }
  END { for (w in c) if (c[w] > 0) printf "group commit     %-8s %d transactions, %.1f writes each on average\n", w, c[w], s[w] / c[w] }' \
  | tee -a "$REPORT"
if grep -qE ' (ERROR|WARN) ' "$SERVICE_LOG"; then
  log "the service logged warnings or errors (first 10 below; all in $SERVICE_LOG):"
  grep -E ' (ERROR|WARN) ' "$SERVICE_LOG" | head -10
fi
log "harness exit code $rc (0 = targets met, 1 = missed, 2 = run failed)"
exit "$rc"
