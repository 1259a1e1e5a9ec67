#!/usr/bin/env bash
# Media serving benchmark (issue 14): CONCURRENCY concurrent downloads of one SIZE_MB document through
# GET /api/media/{id} with the service's heap bounded (-Xmx, default 128m), next to a plain file copy
# of the same bytes on the same machine (the same number of concurrent cp). The document is uploaded
# with POST /api/media (sandbox mode: the simulator plays the Graph API), so it sits in the
# configured media store (postgres by default: 512 KiB chunks).
#
#   bench/run-media.sh                         # 20 x 50 MB, -Xmx128m
#   CONCURRENCY=10 SIZE_MB=100 XMX=96m bench/run-media.sh
#
# Environment: PORT [18081] DB [wa_bench_media] PGHOST [127.0.0.1] PGPORT [5432] PGUSER [postgres]
#              SKIP_SERVICE_BUILD [0] ROUNDS [3]
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SERVICE_DIR="$(cd "$BENCH_DIR/.." && pwd)"
OUT_DIR="$BENCH_DIR/target/media"
PORT="${PORT:-18081}" DB="${DB:-wa_bench_media}"
CONCURRENCY="${CONCURRENCY:-20}" SIZE_MB="${SIZE_MB:-50}" XMX="${XMX:-128m}" ROUNDS="${ROUNDS:-3}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
export PGOPTIONS="${PGOPTIONS:--c client_min_messages=warning}"

log() { printf '[run-media] %s\n' "$*"; }
mkdir -p "$OUT_DIR"

if [[ "${SKIP_SERVICE_BUILD:-0}" != 1 ]]; then
  log "building the service"
  (cd "$SERVICE_DIR" && ./mvnw -B -q package -DskipTests -Dquarkus.quinoa=false)
fi
SERVICE_JAR="$SERVICE_DIR/target/quarkus-app/quarkus-run.jar"
[[ -f "$SERVICE_JAR" ]] || { log "no $SERVICE_JAR"; exit 2; }

if ! pg_isready -q; then
  log "PostgreSQL is not answering on $PGHOST:$PGPORT; trying to start the local cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
fi
dropdb --if-exists "$DB"
createdb "$DB"

SERVICE_PID=""
cleanup() {
  if [[ -n "$SERVICE_PID" ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
    kill "$SERVICE_PID" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$SERVICE_PID" 2>/dev/null || true
  fi
  rm -rf "$OUT_DIR/copies" "$OUT_DIR/downloads"
  dropdb --if-exists "$DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT

log "starting the service with -Xmx$XMX (log: $OUT_DIR/service.log)"
(
  export QUARKUS_HTTP_PORT="$PORT"
  export QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://$PGHOST:$PGPORT/$DB"
  export QUARKUS_DATASOURCE_USERNAME="$PGUSER" QUARKUS_DATASOURCE_PASSWORD=postgres
  export MP_JWT_VERIFY_PUBLICKEY_LOCATION="$SERVICE_DIR/src/main/resources/dev-keys/jwt-public.pem"
  export MP_JWT_VERIFY_ISSUER=https://wa-gateway.dev/issuer
  export SMALLRYE_JWT_SIGN_KEY_LOCATION="$SERVICE_DIR/src/main/resources/dev-keys/jwt-private.pem"
  export APP_WHATSAPP_MODE=sandbox APP_WHATSAPP_APP_SECRET=bench-secret APP_WHATSAPP_TENANT=bench
  export APP_WHATSAPP_PHONE_NUMBER_ID=pn-bench APP_WHATSAPP_DISPLAY_PHONE_NUMBER=15550009999
  export APP_MEDIA_URL_SECRET=bench-media-url-secret-0123456789abcdef
  exec java "-Xmx$XMX" -jar "$SERVICE_JAR"
) >"$OUT_DIR/service.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 1 90); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/q/health/ready" && break; sleep 1; done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/q/health/ready" || { log "service not ready"; tail -50 "$OUT_DIR/service.log"; exit 1; }

TOKEN=$(curl -sf "http://127.0.0.1:$PORT/api/sandbox/token?user=bench&tenant=bench&roles=agent" \
  | sed -E 's/.*"token":"([^"]+)".*/\1/')
DOC="$OUT_DIR/document.pdf"
{ printf '%%PDF-1.7\n'; head -c $((SIZE_MB * 1024 * 1024 - 9)) /dev/urandom; } >"$DOC"
BYTES=$(stat -c %s "$DOC")
log "uploading a $SIZE_MB MB document"
MEDIA_ID=$(curl -sf -H "Authorization: Bearer $TOKEN" -F "file=@$DOC;type=application/pdf" \
  "http://127.0.0.1:$PORT/api/media" | sed -E 's/.*"mediaId":"([^"]+)".*/\1/')
[[ -n "$MEDIA_ID" ]] || { log "upload failed"; tail -30 "$OUT_DIR/service.log"; exit 1; }

mb_per_s() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / 1048576 / s }'; }
now() { date +%s.%N; }

echo "# $(date -Is) $(nproc) cores (shared machine), $(java -version 2>&1 | head -1), service -Xmx$XMX," \
  "store postgres, $CONCURRENCY concurrent x $SIZE_MB MB, best of $ROUNDS rounds"
for round in $(seq 1 "$ROUNDS"); do
  mkdir -p "$OUT_DIR/downloads"
  start=$(now)
  for i in $(seq 1 "$CONCURRENCY"); do
    curl -sf -H "Authorization: Bearer $TOKEN" -o "$OUT_DIR/downloads/$i" "http://127.0.0.1:$PORT/api/media/$MEDIA_ID" &
  done
  wait
  gateway_s=$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')
  for i in $(seq 1 "$CONCURRENCY"); do
    [[ $(stat -c %s "$OUT_DIR/downloads/$i") == "$BYTES" ]] || { log "download $i is incomplete"; exit 1; }
  done
  rm -rf "$OUT_DIR/downloads"
  heap=$(jcmd "$SERVICE_PID" GC.heap_info 2>/dev/null | grep -Eo 'used [0-9]+K' | head -1 || true)

  mkdir -p "$OUT_DIR/copies"
  start=$(now)
  for i in $(seq 1 "$CONCURRENCY"); do cp "$DOC" "$OUT_DIR/copies/$i" & done
  wait
  copy_s=$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')
  rm -rf "$OUT_DIR/copies"
  total=$((BYTES * CONCURRENCY))
  printf 'round %d: gateway %s MB/s (%.1f s for %d MB), plain cp %s MB/s (%.1f s); heap after: %s\n' "$round" \
    "$(mb_per_s "$total" "$gateway_s")" "$gateway_s" $((total / 1048576)) "$(mb_per_s "$total" "$copy_s")" "$copy_s" \
    "${heap:-n/a}"
done
grep -c OutOfMemoryError "$OUT_DIR/service.log" | xargs -I{} echo "OutOfMemoryError in the service log: {}"
