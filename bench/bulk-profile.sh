#!/usr/bin/env bash
# Profile of run-all.sh's bulk row on its own: a fresh engine, CUSTOMERS pre-loaded customers (harness preload),
# then the realistic mix in BULK_SIZE-event sync bulks (closed loop, BULK_CONNECTIONS connections) for
# BULK_WARMUP + BULK_DURATION seconds. Over the measured window it prints the engine's thread CPU by role
# (from /proc, so native RocksDB and GC threads count too) per applied event, the customer-table counters of
# /metrics (hits, loads from the store, new rows, evictions) and, with PROFILE=1, the JFR hot frames.
#
#   bench/bulk-profile.sh [LABEL]      results under ${WORK:-/tmp/bulk-profile}/LABEL
#
# SAFEPOINTS=1 also logs the engine's GC pauses and safepoints (run-all.sh's -Xlog:gc,gc+phases,safepoint, into
# WORK/gc.log) and prints them for the measured window as run-all's GC row counts them, plus every safepoint over
# 10 ms of any operation with its time to reach; SAFEPOINT_TIMEOUT=MS (with it) adds -XX:+SafepointTimeout, so the
# JVM prints into WORK/engine.log the threads that had not reached a safepoint after MS ms, with their state.
# PERF_SCHED=1 (with both; needs perf and root) records the scheduler (`perf sched record -k CLOCK_MONOTONIC`) over
# the measured window and prints, per safepoint over 10 ms, what the threads it waited for did meanwhile: on a CPU,
# runnable but waiting for one, or asleep (bench/stalls/safepoint-sched.py; WORK/sched.data is ~20 MB a minute).
#
# Run it twice back to back (before/after a change, same settings) and compare the per-event CPU lines: on a
# shared machine they move far less than the rates. Uses the built jars of this tree (mvnw package first).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
LABEL="${1:-run}"
CUSTOMERS="${CUSTOMERS:-1000000}"
BULK_SIZE="${BULK_SIZE:-100}"
BULK_CONNECTIONS="${BULK_CONNECTIONS:-8}"
BULK_WARMUP="${BULK_WARMUP:-10}"
BULK_DURATION="${BULK_DURATION:-30}"
# Bulks per second offered (open loop); 0: closed loop, as fast as answered. A fixed rate makes two arms' CPU per
# event comparable when the machine's load moves their closed-loop rates apart (per-flush costs spread over fewer events).
BULK_RATE="${BULK_RATE:-0}"
PROFILE="${PROFILE:-0}"
SAFEPOINTS="${SAFEPOINTS:-0}"
SAFEPOINT_TIMEOUT="${SAFEPOINT_TIMEOUT:-}"
PERF_SCHED="${PERF_SCHED:-0}"
WORK="${WORK:-/tmp/bulk-profile}/$LABEL"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAR="$HERE/target/benchmarks.jar"
. "$HERE/lib.sh"

rm -rf "$WORK"
mkdir -p "$WORK"
GC_LOG="$WORK/gc.log"
if [ "$SAFEPOINTS" = 1 ]; then
    # the second output stamps each safepoint with CLOCK_MONOTONIC (timenanos) and the VM thread's tid, for PERF_SCHED
    JAVA_OPTS="${JAVA_OPTS:-} $(gc_log_opts "$GC_LOG") -Xlog:safepoint:file=$WORK/safepoint-ns.log:uptime,timenanos,tid"
    [ -z "$SAFEPOINT_TIMEOUT" ] || JAVA_OPTS="$JAVA_OPTS -XX:+UnlockDiagnosticVMOptions -XX:+SafepointTimeout -XX:SafepointTimeoutDelay=$SAFEPOINT_TIMEOUT"
    export JAVA_OPTS
fi
start_engine "$ROOT" "$WORK"
harness() { "$JAVA" -Xms512m -Xmx2g -XX:+UseG1GC -cp "$JAR" dev.loyalty.bench.load.LoadHarness "$@"; }

echo "# bulk profile $LABEL, $(date -u +%Y-%m-%dT%H:%M:%SZ), git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || head -c 7 "$ROOT/REV" 2>/dev/null)," \
    "engine $("${LOYALTY_JAVA_HOME:+$LOYALTY_JAVA_HOME/bin/}java" -version 2>&1 | head -1)"
echo "# uptime at start: $(uptime)"
harness preload --url "$API" --management "$MGMT" --customers "$CUSTOMERS" > "$WORK/preload.txt" 2>&1 || true
grep '^preloaded' "$WORK/preload.txt" || tail -5 "$WORK/preload.txt"

metrics() { curl -s --max-time 10 "$MGMT/metrics" | grep -E '^loyalty_(customer_table|processor_commits|rocksdb_block_cache|events_processed_total.*outcome="applied")' || true; }

( sleep "$BULK_WARMUP"
  lines_of "$GC_LOG" > "$WORK/gc-mark-0"
  if [ "$PERF_SCHED" = 1 ]; then
      perf sched record -k CLOCK_MONOTONIC -o "$WORK/sched.data" -- sleep "$BULK_DURATION" > "$WORK/perf.txt" 2>&1 &
  fi
  cpu_by_thread "$E" > "$WORK/threads-0"; metrics > "$WORK/metrics-0"; date +%s%N > "$WORK/t-0"
  if [ "$PROFILE" = 1 ]; then
      jcmd "$E" JFR.start name=bulk settings=profile duration="$BULK_DURATION"s filename="$WORK/bulk.jfr" > /dev/null 2>&1 || true
  fi
  sleep "$BULK_DURATION"
  cpu_by_thread "$E" > "$WORK/threads-1"; metrics > "$WORK/metrics-1"; date +%s%N > "$WORK/t-1"
  lines_of "$GC_LOG" > "$WORK/gc-mark-1"
  wait ) &
SAMPLER=$!
harness run --url "$API" --management "$MGMT" --mode bulk --bulk-size "$BULK_SIZE" --rate "$BULK_RATE" \
    --connections "$BULK_CONNECTIONS" --customers "$CUSTOMERS" --warmup "${BULK_WARMUP}s" --duration "${BULK_DURATION}s" \
    --label "bulk-$LABEL" > "$WORK/bulk.txt" 2>&1 || true
wait "$SAMPLER" || true
cpu_by_role "$WORK/threads-0" > "$WORK/cpu-0"
cpu_by_role "$WORK/threads-1" > "$WORK/cpu-1"
echo "# uptime at end: $(uptime)"
grep '^RESULT' "$WORK/bulk.txt" || tail -5 "$WORK/bulk.txt"
APPLIED=$(field applied_per_s < "$WORK/bulk.txt")
SECONDS_MEASURED=$(awk '{ a = $1 } END { getline b < "'"$WORK/t-1"'"; printf "%.2f", (b - a) / 1e9 }' "$WORK/t-0")
EVENTS=$(calc "${APPLIED:-0} * $SECONDS_MEASURED" 0)
echo "applied $APPLIED ev/s over ${SECONDS_MEASURED}s: ~$EVENTS events"
# µs of CPU per applied event by role (clock ticks of 10 ms)
join <(sort "$WORK/cpu-0") <(sort "$WORK/cpu-1") | awk -v ev="$EVENTS" -v s="$SECONDS_MEASURED" '
    { d = ($3 - $2) * 10000; printf "cpu %-12s %7.2f us/event  %5.2f cores\n", $1, d / ev, d / 1e6 / s }'
echo "busiest threads over the window (CPU seconds):"
join <(sort "$WORK/threads-0" | awk '{ print $1 "/" $2, $3 }') <(sort "$WORK/threads-1" | awk '{ print $1 "/" $2, $3 }') \
    | awk '{ printf "%8.2f %s\n", ($3 - $2) / 100, $1 }' | sort -rn | head -15
echo "customer table over the window (counter deltas):"
join <(sort "$WORK/metrics-0" | awk '{ print $1, $2 }') <(sort "$WORK/metrics-1" | awk '{ print $1, $2 }') \
    | awk '$1 !~ /block_cache/ { printf "  %s %.0f\n", $1, $3 - $2 } $1 ~ /block_cache/ { printf "  %s %.0f (at the end)\n", $1, $3 }'
if [ "$SAFEPOINTS" = 1 ]; then
    echo "GC in the measured ${BULK_DURATION}s: $(gc_line "$GC_LOG" "$(cat "$WORK/gc-mark-0")" "$(cat "$WORK/gc-mark-1")")"
    echo "safepoints over 10 ms in the measured window (any operation; ms to reach / at safepoint / total):"
    awk -v a="$(cat "$WORK/gc-mark-0")" -v b="$(cat "$WORK/gc-mark-1")" '
        NR <= a || NR > b || !/Safepoint "/ { next }
        match($0, /Total: [0-9]+ ns/) && substr($0, RSTART + 7, RLENGTH - 10) + 0 > 1e7 {
            ts = $1; sub(/\].*/, "]", ts); op = $0; sub(/.*Safepoint "/, "", op); sub(/".*/, "", op)
            r = $0; sub(/.*Reaching safepoint: /, "", r); sub(/ ns.*/, "", r)
            t = $0; sub(/.*At safepoint: /, "", t); sub(/ ns.*/, "", t)
            printf "  %s %-24s %7.2f / %6.2f / %7.2f\n", ts, op, r / 1e6, t / 1e6, substr($0, RSTART + 7, RLENGTH - 10) / 1e6 }' "$GC_LOG"
    if [ "$PERF_SCHED" = 1 ]; then
        perf sched timehist --state -i "$WORK/sched.data" > "$WORK/timehist.txt" 2>/dev/null || true
        echo "---- threads the slow safepoints waited for, from the scheduler (perf sched)"
        python3 "$HERE/stalls/safepoint-sched.py" "$WORK/safepoint-ns.log" "$WORK/engine.log" "$WORK/timehist.txt" || true
    fi
fi
if [ "$PROFILE" = 1 ]; then
    for i in $(seq 1 100); do [ -s "$WORK/bulk.jfr" ] && break; sleep 0.2; done
    jfr print --stack-depth 64 --events jdk.ExecutionSample "$WORK/bulk.jfr" > "$WORK/samples.txt" 2>/dev/null || true
    echo "---- JFR execution samples per thread"
    grep sampledThread "$WORK/samples.txt" | sed 's/ *(javaThreadId.*//; s/.*= //' | sort | uniq -c | sort -rn | head -8
    echo "---- hottest top frames (self)"
    awk '/stackTrace = \[/ { getline; sub(/line:.*/, ""); sub(/^ +/, ""); print }' "$WORK/samples.txt" \
        | sort | uniq -c | sort -rn | head -25
    echo "---- hottest engine frames (inclusive)"
    grep 'line:' "$WORK/samples.txt" | sed 's/line:.*//; s/^ *//' | grep '^dev\.loyalty' | sort | uniq -c | sort -rn | head -30
fi
