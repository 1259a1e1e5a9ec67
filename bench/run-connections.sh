#!/usr/bin/env bash
# Connection scenarios (ConnectionBench, see README.md "Connections"): RSS per idle connection,
# connection storms of one user and of many users (with presence), a slow consumer. Reuses
# run-inbound.sh for building, the database and the service's lifecycle (JVM mode, prod profile,
# the same SERVICE_JAVA_OPTS as the other benchmarks: none by default).
#
#   bench/run-connections.sh idle              # RSS per idle connection, 10 -> 10,000 connections
#   bench/run-connections.sh storm-one-user    # 10,000 connections of one user at once
#   bench/run-connections.sh storm-users       # 10,000 users at once, then presence online / offline
#   bench/run-connections.sh shutdown          # 10,000 users connected, then SIGTERM: 1001 for all, presence cleaned up
#   bench/run-connections.sh slow-consumer     # 50 clients + 1 that stops reading, 200 webhooks/s
#   SLOW=0 bench/run-connections.sh slow-consumer   # the same without the slow client (baseline)
#   CLIENTS=500 bench/run-connections.sh storm-users --storm-timeout 30   # extra arguments go to the harness
#
# Environment (defaults in brackets; the rest as in run-inbound.sh: PORT, DB, SKIP_SERVICE_BUILD, ...):
#   SCENARIO [idle] (or the first argument)   CLIENTS [10000; slow-consumer: 50]
#   slow-consumer: SLOW [1] RATE [200] WARMUP [30, the slow client still reads] DURATION [40] CUSTOMERS [100]
#   SERVICE_JAVA_OPTS [] BENCH_JAVA_OPTS [-Xms512m -Xmx1g]
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

SCENARIO="${SCENARIO:-idle}"
if [[ $# -gt 0 && "$1" != --* ]]; then
  SCENARIO="$1"
  shift
fi
log() { printf '[run-connections] %s\n' "$*"; }

extra=(--scenario "$SCENARIO")
case "$SCENARIO" in
  idle|storm-one-user|storm-users)
    export CLIENTS="${CLIENTS:-10000}"
    ;;
  shutdown)
    export CLIENTS="${CLIENTS:-10000}"
    extra+=(--service-log "$BENCH_DIR/target/service.log" --db "${DB:-wa_bench}")
    ;;
  slow-consumer)
    export CLIENTS="${CLIENTS:-50}" RATE="${RATE:-200}" WARMUP="${WARMUP:-30}" DURATION="${DURATION:-40}"
    export CUSTOMERS="${CUSTOMERS:-100}"
    extra+=(--slow "${SLOW:-1}")
    ;;
  *)
    log "unknown scenario '$SCENARIO' (idle, storm-one-user, storm-users, shutdown, slow-consumer)"
    exit 2
    ;;
esac

# one file descriptor per connection in the service and in the harness, plus jars, PostgreSQL, ...
need=$((CLIENTS + 1000))
if [[ "$(ulimit -n)" != unlimited && "$(ulimit -n)" -lt "$need" ]]; then
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  if [[ "$(ulimit -n)" != unlimited && "$(ulimit -n)" -lt "$need" ]]; then
    log "open files limit $(ulimit -n) < $need: connections will fail (raise the hard limit or lower CLIENTS)"
  fi
fi

# the service runs with exactly these JVM flags (run-inbound.sh passes SERVICE_JAVA_OPTS to java)
export SERVICE_JAVA_OPTS="${SERVICE_JAVA_OPTS:-}"
log "scenario $SCENARIO, $CLIENTS clients; open files limit $(ulimit -n)"
log "service JVM flags: SERVICE_JAVA_OPTS='${SERVICE_JAVA_OPTS}' (empty: the JVM's defaults, as in the other benchmarks)"
# shellcheck disable=SC2086  # word splitting of the options is intended
log "  ergonomics: $(java $SERVICE_JAVA_OPTS -XX:+PrintCommandLineFlags -version 2>&1 | head -1)"

export HARNESS_MAIN=io.wagateway.bench.ConnectionBench
export REPORT_PREFIX="connections-$SCENARIO"
exec "$BENCH_DIR/run-inbound.sh" "${extra[@]}" "$@"
