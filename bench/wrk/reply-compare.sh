#!/usr/bin/env bash
# Back-to-back wrk comparison of the engine (sync, ?mode=async) against the bare endpoint, with system calls
# and CPU time per request on each server's event loops and the rest of its process (perf stat during the
# measured runs; PERF=0 without perf). Issue 12's
# reply-path figures come from it; bench/run-all.sh remains the full measurement.
#
#   bench/wrk/reply-compare.sh OUT_DIR     (build first: ./mvnw -B -o -q -pl engine,api,bench package -DskipTests)
#
# Settings (environment): CHECKOUT=<a built checkout> runs that engine instead of this one's (a before/after
# pair with the same bare endpoint and script); CUSTOMERS=20000 WARMUP=10 DURATION=10 PERF=1 WRK_THREADS=1 WRK_CONNECTIONS=50
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=../lib.sh
. "$ROOT/bench/lib.sh"
OUT="${1:?usage: reply-compare.sh OUT_DIR}"
mkdir -p "$OUT"
CUSTOMERS="${CUSTOMERS:-20000}" WARMUP="${WARMUP:-10}" DURATION="${DURATION:-10}" PERF="${PERF:-1}"
T="${WRK_THREADS:-1}" C="${WRK_CONNECTIONS:-50}"
JAR="$ROOT/bench/target/benchmarks.jar"
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

BARE_PORT=$(free_port) API_PORT=$(free_port) MGMT_PORT=$(free_port)
java -Xms256m -Xmx1g -XX:+UseG1GC -cp "$JAR" dev.loyalty.bench.baseline.BareServer --port "$BARE_PORT" > "$OUT/bare.log" 2>&1 &
BARE_PID=$!; PIDS+=("$BARE_PID")
rm -rf "$OUT/data"
"${CHECKOUT:-$ROOT}/bin/engine" serve --data "$OUT/data" --port "$API_PORT" --management-port "$MGMT_PORT" > "$OUT/engine.log" 2>&1 &
ENGINE_LAUNCHER=$!; PIDS+=("$ENGINE_LAUNCHER")
wait_ready "$MGMT_PORT" "$(now_ms)" 120 > /dev/null
ENGINE_PID=$(pgrep -P "$ENGINE_LAUNCHER" java || echo "$ENGINE_LAUNCHER")
java -cp "$JAR" dev.loyalty.bench.load.LoadHarness preload --url "http://127.0.0.1:$API_PORT" \
    --management "http://127.0.0.1:$MGMT_PORT" --customers "$CUSTOMERS" > "$OUT/preload.txt" 2>&1

run() { # run NAME URL PATH SECONDS [PID]: wrk; prints req/s. With PID, perf stat counts that process's CPU
    # time and system calls per thread during the run (into NAME.perf)
    local perf_pid=""
    rm -f "$OUT/$1.perf"
    if [ -n "${5:-}" ] && [ "$PERF" = 1 ]; then
        perf stat --per-thread -x, -e task-clock,raw_syscalls:sys_enter -p "$5" -o "$OUT/$1.perf" -- sleep "$4" &
        perf_pid=$!
    fi
    wrk -t"$T" -c"$C" -d"$4"s --latency -s "$HERE/post-event.lua" "$2" -- "$CUSTOMERS" "$3" 1 > "$OUT/$1.wrk" 2>&1
    [ -z "$perf_pid" ] || wait "$perf_pid" || true
    awk '/^Requests\/sec:/ { print $2 }' "$OUT/$1.wrk"
}
per_request() { # per_request NAME: CPU µs and system calls per request by thread group (event loops, other)
    [ -f "$OUT/$1.perf" ] || return 0
    local reqs
    reqs=$(awk '/requests in/ { print $1 }' "$OUT/$1.wrk")
    awk -F, -v r="$reqs" -v n="$1" '
        NF > 3 { name = $1; sub(/-[0-9]+$/, "", name); g = (name ~ /eventloo/) ? "event-loop" : "other"
                 if ($4 ~ /task-clock/) cpu[g] += $2; else if ($4 ~ /sys_enter/) sc[g] += $2 }
        END { printf "  %s per request: event loops %.1f us CPU, %.2f syscalls; rest of process %.1f us CPU, %.2f syscalls\n",
              n, cpu["event-loop"] * 1000 / r, sc["event-loop"] / r, cpu["other"] * 1000 / r, sc["other"] / r }' "$OUT/$1.perf"
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) at start"
run warm-bare "http://127.0.0.1:$BARE_PORT" /events "$WARMUP" > /dev/null
run warm-sync "http://127.0.0.1:$API_PORT" /events "$WARMUP" > /dev/null
run warm-async "http://127.0.0.1:$API_PORT" "/events?mode=async" "$WARMUP" > /dev/null
BARE=$(run bare "http://127.0.0.1:$BARE_PORT" /events "$DURATION" "$BARE_PID")
SYNC=$(run sync "http://127.0.0.1:$API_PORT" /events "$DURATION" "$ENGINE_PID")
ASYNC=$(run async "http://127.0.0.1:$API_PORT" "/events?mode=async" "$DURATION" "$ENGINE_PID")
BARE2=$(run bare2 "http://127.0.0.1:$BARE_PORT" /events "$DURATION" "$BARE_PID")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo "wrk -t$T -c$C ${DURATION}s: bare $BARE, sync $SYNC ($(ratio "$SYNC" "$BARE")), async $ASYNC ($(ratio "$ASYNC" "$BARE")), bare again $BARE2 req/s"
for f in bare sync async bare2; do
    echo "  $f: $(grep -E '^ +(50|99)%' "$OUT/$f.wrk" | tr -s ' ' | tr '\n' ' ')non-2xx: $(awk '/Non-2xx/ { print $NF }' "$OUT/$f.wrk")"
    per_request "$f"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) at end"
