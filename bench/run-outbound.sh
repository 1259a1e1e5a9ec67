#!/usr/bin/env bash
# Outbound load test: send_message over WebSockets at a fixed rate; the service (cloud mode) calls a
# Graph API imitation served by the harness. Reuses run-inbound.sh for building, the database and
# the service's lifecycle.
#
#   bench/run-outbound.sh                      # 1,000 sends/s over 100 connections, 120 s warm-up, 60 s measured
#   RATE=500 bench/run-outbound.sh
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GRAPH_PORT="${GRAPH_PORT:-18090}"
export HARNESS_MAIN=io.wagateway.bench.OutboundBench
export CONVERSATION_UPDATES="${CONVERSATION_UPDATES:-rooms}"
export RATE="${RATE:-1000}" CLIENTS="${CLIENTS:-100}" CUSTOMERS="${CUSTOMERS:-500}"
# 120 s warm-up: on two cores the JIT (one C2 thread) is still compiling for about 100 s after start
export WARMUP="${WARMUP:-120}" DURATION="${DURATION:-60}"
export SERVICE_EXTRA_ENV="APP_WHATSAPP_MODE=cloud APP_WHATSAPP_API_URL=http://127.0.0.1:$GRAPH_PORT \
APP_WHATSAPP_ACCESS_TOKEN=bench-token APP_WHATSAPP_MESSAGES_PER_SECOND=${MESSAGES_PER_SECOND:-5000}"
exec "$BENCH_DIR/run-inbound.sh" --graph-port "$GRAPH_PORT" "$@"
