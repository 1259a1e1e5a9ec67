#!/usr/bin/env bash
# General-room fan-out: every client is in the tenant's general room, so every webhook is pushed to
# every client (new_message and conversation_updated: 2 frames per client per webhook). The scenario
# of the fan-out issue: 200 clients x 200 webhooks/s = 80,000 pushed frames/s, 30 s warm-up, 30 s
# measured. Runs run-inbound.sh with these defaults; anything it takes can be overridden.
#
#   bench/run-fanout.sh                      # the scenario; exit 0 = targets met
#   FIND_MAX=1 bench/run-fanout.sh           # the knee: 200, 300, 400, 600, 800 webhooks/s, 30 s each
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CLIENTS="${CLIENTS:-200}" GENERAL="${GENERAL:-200}" CUSTOMERS="${CUSTOMERS:-200}"
export RATE="${RATE:-200}" WARMUP="${WARMUP:-30}" DURATION="${DURATION:-30}"
export STEPS="${STEPS:-200,300,400,600,800}" STEP_DURATION="${STEP_DURATION:-30}"
# the contract's delivery (PROTOCOL.md 6.2): conversation_updated goes where new_message goes
export CONVERSATION_UPDATES="${CONVERSATION_UPDATES:-rooms}"
export REPORT_PREFIX="${REPORT_PREFIX:-fanout}"
exec "$BENCH_DIR/run-inbound.sh" "$@"
