#!/usr/bin/env bash
# Restart and GC profile of the engine, the steps of run-all.sh that issue 11's memory work needs, alone:
# pre-load CUSTOMERS customers (async bulks), BULK_SECONDS of 100-event sync bulks with GC logging (pauses
# counted after BULK_WARMUP), KILL_LOAD_SECONDS more of them, SIGKILL, restart to ready (the engine logs its
# start phases), clean stop, restart to ready. Prints the figures and the start logs' phase lines.
# GC pauses and GC safepoints are counted by lib.sh (gc_log_opts, gc_pauses: the same on G1 and ZGC; n/a when the
# log names no pause). JFR=1 also records the measured bulk window with JFR's profile settings (allocation samples
# with stacks) into OUT_DIR/bulk.jfr. The engine's JDK and collector follow bin/engine (LOYALTY_JAVA_HOME, LOYALTY_GC).
# Usage: bench/restart-profile.sh OUT_DIR   (build first: ./mvnw -o -DskipTests package -pl engine,api,bench)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
OUT="${1:?usage: bench/restart-profile.sh OUT_DIR}"
: "${CUSTOMERS:=1000000}" "${BULK_WARMUP:=5}" "${BULK_SECONDS:=25}" "${KILL_LOAD_SECONDS:=10}" "${JFR:=0}"
. "$HERE/lib.sh"   # now_ms gc_log_opts gc_pauses gc_line
mkdir -p "$OUT"
rm -rf "$OUT/data"
JAR="$HERE/target/benchmarks.jar"
harness() { java -Xms512m -Xmx2g -XX:+UseG1GC -cp "$JAR" dev.loyalty.bench.load.LoadHarness "$@"; }
# In the background: exec, so that $! is the JVM (a function's subshell dies of the TERM and leaves its JVM sending
# bulks through the restart being timed).
harness_exec() { exec java -Xms512m -Xmx2g -XX:+UseG1GC -cp "$JAR" dev.loyalty.bench.load.LoadHarness "$@"; }
ENGINE_PID=""
LOAD_PID=""
cleanup() {
    for p in $LOAD_PID $ENGINE_PID; do kill -KILL "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
start_engine() { # LOG [GC_LOG]
    API_PORT=$(free_port)
    MGMT_PORT=$(free_port)
    START_MS=$(now_ms)
    local opts="${JAVA_OPTS:-}"
    [ -z "${2:-}" ] || opts="$opts $(gc_log_opts "$2")"
    JAVA_OPTS="$opts" "$ROOT/bin/engine" serve --data "$OUT/data" --port "$API_PORT" --management-port "$MGMT_PORT" \
        > "$1" 2>&1 &
    ENGINE_PID=$!
}
wait_ready() {
    for _ in $(seq 1 6000); do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$MGMT_PORT/health/ready")" = 200 ]; then
            echo $(( $(now_ms) - START_MS ))
            return 0
        fi
        sleep 0.02
    done
    echo NaN
}
metric() {
    curl -s --max-time 10 "http://127.0.0.1:$MGMT_PORT/metrics" | awk -v n="$1" '
        $0 !~ /^#/ { split($0, a, /[{ ]/); if (a[1] == n) { s += $NF; found = 1 } }
        END { if (found) printf "%.0f", s; else print "NaN" }'
}
ENGINE_JDK="${LOYALTY_JAVA_HOME:-${JAVA_HOME:-}}"
JCMD="${ENGINE_JDK:+$ENGINE_JDK/bin/}jcmd"

start_engine "$OUT/engine-1.log" "$OUT/gc-1.log"
echo "empty start: ready after $(wait_ready) ms"
harness preload --url "http://127.0.0.1:$API_PORT" --management "http://127.0.0.1:$MGMT_PORT" \
    --customers "$CUSTOMERS" > "$OUT/preload.txt" 2>&1 || true
grep '^preloaded' "$OUT/preload.txt" || tail -3 "$OUT/preload.txt"
( sleep "$BULK_WARMUP"; wc -l < "$OUT/gc-1.log" > "$OUT/gc-mark"
  [ "$JFR" != 1 ] || "$JCMD" "$ENGINE_PID" JFR.start name=bulk settings=profile filename="$OUT/bulk.jfr" > /dev/null ) &
harness run --url "http://127.0.0.1:$API_PORT" --management "http://127.0.0.1:$MGMT_PORT" --mode bulk \
    --bulk-size 100 --rate 0 --connections 8 --customers "$CUSTOMERS" --warmup "${BULK_WARMUP}s" \
    --duration "${BULK_SECONDS}s" --label bulk > "$OUT/bulk.txt" 2>&1 || true
grep '^RESULT' "$OUT/bulk.txt" | tail -1
[ "$JFR" != 1 ] || "$JCMD" "$ENGINE_PID" JFR.stop name=bulk > /dev/null || true
echo "GC during the measured bulk run: $(gc_line "$OUT/gc-1.log" "$(cat "$OUT/gc-mark")")"
echo "RSS $(awk '/^VmRSS/ { print $2 }' "/proc/$ENGINE_PID/status" 2>/dev/null) KiB"

harness_exec run --url "http://127.0.0.1:$API_PORT" --mode bulk --bulk-size 100 --rate 0 --connections 8 \
    --customers "$CUSTOMERS" --warmup 0s --duration "$(( KILL_LOAD_SECONDS + 60 ))s" --label kill-load \
    > "$OUT/kill-load.txt" 2>&1 &
LOAD_PID=$!
sleep $(( KILL_LOAD_SECONDS + 3 ))
echo "journal at $(metric loyalty_journal_last_seq) records, lag $(metric loyalty_partition_lag_records) at the kill"
kill -KILL "$ENGINE_PID"; wait "$ENGINE_PID" 2>/dev/null || true
kill -TERM "$LOAD_PID" 2>/dev/null || true; wait "$LOAD_PID" 2>/dev/null || true
LOAD_PID=""
start_engine "$OUT/engine-2.log"
echo "after SIGKILL: ready after $(wait_ready) ms"
T0=$(now_ms); kill -TERM "$ENGINE_PID"; wait "$ENGINE_PID" 2>/dev/null || true
echo "clean stop took $(( $(now_ms) - T0 )) ms"
start_engine "$OUT/engine-3.log"
echo "after a clean stop: ready after $(wait_ready) ms"
kill -TERM "$ENGINE_PID"; wait "$ENGINE_PID" 2>/dev/null || true
ENGINE_PID=""
for f in engine-2 engine-3; do
    echo "-- $f.log"
    grep -E 'opened \(ms\)|state loaded|resumes|caught up|engine started|re-registered' "$OUT/$f.log" | cut -c1-300
done
