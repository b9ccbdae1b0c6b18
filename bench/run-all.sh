#!/usr/bin/env bash
# The whole measurement suite of the loyalty engine, in one command, on this machine:
#
#   bench/run-all.sh            # full run (15-30 minutes): run it on a quiet machine
#   QUICK=1 bench/run-all.sh    # smoke version (about 4 minutes plus the build): proves the tooling works
#   bench/run-all.sh --big      # also load 10M customers and report heap and RSS (adds several minutes)
#   bench/run-all.sh --profile  # also record JFR during the sync and bulk runs and list the hot frames
#
# Writes bench/results/<date>-<host>[-smoke].txt: machine facts, a summary table with every figure beside
# its baseline and target, then the raw output of every step. Load generators (wrk, the harness) share the
# machine with the engine, as the targets assume. Only processes this script started are stopped.
#
# Steps: build; bare Vert.x endpoint (the HTTP ceiling) and a fresh engine side by side; pre-load customers;
# wrk -c50 sync POST /events on both (ratio); wrk async POST (information); harness capacity check against
# the bare endpoint; constant-rate latency at half the engine's sync peak (harness, coordinated-omission
# corrected) on both; bulk ingest of 100-event bulks (events processed per second, lag, GC pauses from the
# engine's -Xlog:gc); one hot customer receiving sync point_adds (hey); journal topped up to RESTART_EVENTS;
# restart to ready after SIGKILL under bulk load and after a clean shutdown; replay rate; optional 10M
# customers heap/RSS; JMH component benchmarks with the raw Chronicle/RocksDB baselines.
#
# Settings (environment; defaults for the full run, QUICK=1 shortens them):
#   CUSTOMERS=1000000         pre-loaded customers the mix draws from
#   WRK_CONNECTIONS=50 WRK_THREADS=2 WRK_WARMUP=30 WRK_DURATION=20      seconds (the engine's JIT needs
#                             the long warm-up: its sync rate still climbs after 10 s of load)
#   LATENCY_WARMUP=20 LATENCY_DURATION=60   BULK_WARMUP=10 BULK_DURATION=60 BULK_CONNECTIONS=8 BULK_SIZE=100
#   HOT_DURATION=60 HOT_WINDOW=10 HOT_CONNECTIONS=20   one customer's point_adds: hey runs of HOT_WINDOW,
#                             HOT_DURATION - 2 x HOT_WINDOW and HOT_WINDOW seconds back to back (hey cannot
#                             split one run by time); ratio = last run's req/s / first run's
#   KILL_LOAD_SECONDS=10      seconds of 100-event sync bulks before the SIGKILL of the restart measurement
#   RESTART_EVENTS=10000000   journal size (events) before the restart measurements (filled with async bulks
#                             for at most FILL_MAX=900 seconds)
#   BIG_CUSTOMERS=10000000    customers of --big (QUICK=1: 100000, to smoke-test that path)
#   JMH_ARGS="-f 1 -wi 3 -w 2s -i 5 -r 3s"  JMH_FILTER=""  (regex of benchmarks; empty = all)
#   SKIP_BUILD=1 SKIP_JMH=1 KEEP_DATA=1 BIG=1 PROFILE=1
#   NOTE="..."                a line for the results file's header (e.g. what else ran on the machine)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
cd "$ROOT"

for arg in "$@"; do
    case "$arg" in
        --big) BIG=1 ;;
        --profile) PROFILE=1 ;;
        --quick) QUICK=1 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$SELF"; exit 0 ;;
        *) echo "run-all.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
    esac
done

QUICK="${QUICK:-0}"
BIG="${BIG:-0}"
PROFILE="${PROFILE:-0}"
if [ "$QUICK" = 1 ]; then
    : "${CUSTOMERS:=100000}" "${WRK_WARMUP:=5}" "${WRK_DURATION:=5}" "${LATENCY_WARMUP:=8}" "${LATENCY_DURATION:=10}"
    : "${BULK_WARMUP:=5}" "${BULK_DURATION:=10}" "${RESTART_EVENTS:=500000}" "${HARNESS_CHECK:=5}" "${FILL_MAX:=60}"
    : "${BIG_CUSTOMERS:=100000}" "${HOT_DURATION:=20}" "${HOT_WINDOW:=5}" "${KILL_LOAD_SECONDS:=4}"
    : "${JMH_ARGS:=-f 1 -wi 1 -w 1s -i 1 -r 1s}"
fi
: "${CUSTOMERS:=1000000}" "${WRK_CONNECTIONS:=50}" "${WRK_THREADS:=2}" "${WRK_WARMUP:=30}" "${WRK_DURATION:=20}"
: "${LATENCY_WARMUP:=20}" "${LATENCY_DURATION:=60}" "${BULK_WARMUP:=10}" "${BULK_DURATION:=60}"
: "${BULK_CONNECTIONS:=8}" "${BULK_SIZE:=100}" "${RESTART_EVENTS:=10000000}" "${BIG_CUSTOMERS:=10000000}"
: "${HARNESS_CHECK:=10}" "${JMH_ARGS:=-f 1 -wi 3 -w 2s -i 5 -r 3s}" "${JMH_FILTER:=}" "${FILL_MAX:=900}"
: "${SKIP_BUILD:=0}" "${SKIP_JMH:=0}" "${KEEP_DATA:=0}"
: "${HOT_DURATION:=60}" "${HOT_WINDOW:=10}" "${HOT_CONNECTIONS:=20}" "${KILL_LOAD_SECONDS:=10}"

HOST="$(hostname -s 2>/dev/null || hostname)"
STAMP="$(date -u +%Y-%m-%d)"
SUFFIX=""
[ "$QUICK" = 1 ] && SUFFIX="-smoke"
RESULT="$HERE/results/$STAMP-$HOST$SUFFIX.txt"
n=2
while [ -e "$RESULT" ]; do
    RESULT="$HERE/results/$STAMP-$HOST$SUFFIX-$n.txt"
    n=$((n + 1))
done
WORK="$HERE/results/tmp/run-$(date -u +%Y%m%d-%H%M%S)-$$"
mkdir -p "$WORK"
DETAILS="$WORK/details.txt"
SUMMARY="$WORK/summary.txt"
: > "$DETAILS"
: > "$SUMMARY"
JAR="$HERE/target/benchmarks.jar"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
HARNESS_JVM=(-Xms512m -Xmx2g -XX:+UseG1GC)
SUITE_START=$(date +%s)

# ---------------------------------------------------------------- helpers

. "$HERE/lib.sh"   # now_ms calc field free_port http_code wait_ready gc_log_opts gc_pauses gc_verdict
say() { echo "$*"; echo "$*" >> "$DETAILS"; }
section() { say ""; say "==== $* ($(date -u +%H:%M:%S), load average $(cut -d' ' -f1-3 /proc/loadavg))"; }
# run a command, showing and keeping its output
keep() { "$@" 2>&1 | tee -a "$DETAILS"; return "${PIPESTATUS[0]}"; }
# pass/fail against a target; prints "pass", "FAIL" or "n/a"
verdict() { # verdict VALUE OP LIMIT
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
        if (v == "" || v == "NaN" || v == "n/a") { print "n/a"; exit }
        ok = (op == ">=") ? (v + 0 >= l + 0) : (v + 0 <= l + 0); print ok ? "pass" : "FAIL" }'
}

PIDS=()
cleanup() {
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null || true
    done
    sleep 1
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    done
    if [ "$KEEP_DATA" != 1 ]; then
        rm -rf "$WORK/data" "$WORK/replay" "$WORK/big"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_engine DATA_DIR LOG [GC_LOG]: starts bin/engine serve on fresh ports (GC pauses and safepoints logged into
# GC_LOG when given: gc_log_opts); sets ENGINE_PID API_PORT MGMT_PORT START_MS
start_engine() {
    API_PORT=$(free_port)
    MGMT_PORT=$(free_port)
    START_MS=$(now_ms)
    local opts="${JAVA_OPTS:-}"
    [ -z "${3:-}" ] || opts="$opts $(gc_log_opts "$3")"
    JAVA_OPTS="$opts" "$ROOT/bin/engine" serve --data "$1" --port "$API_PORT" --management-port "$MGMT_PORT" >> "$2" 2>&1 &
    ENGINE_PID=$!
    PIDS+=("$ENGINE_PID")
}

# stop_engine PID: SIGTERM and wait until it exited; sets STOP_MS. Not in $(...): a subshell cannot wait
# for this shell's children.
stop_engine() {
    local t0
    t0=$(now_ms)
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    while kill -0 "$1" 2>/dev/null; do sleep 0.02; done
    STOP_MS=$(( $(now_ms) - t0 ))
}

metric() { # metric MGMT_PORT NAME [LABEL_PART]: sum over matching series
    curl -s --max-time 10 "http://127.0.0.1:$1/metrics" | awk -v n="$2" -v l="${3:-}" '
        $0 !~ /^#/ { split($0, a, /[{ ]/); if (a[1] == n && index($0, l) > 0) { s += $NF; found = 1 } }
        END { if (found) printf "%.0f", s; else print "NaN" }'
}

rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo NaN; }

harness() { "$JAVA" "${HARNESS_JVM[@]}" -cp "$JAR" dev.loyalty.bench.load.LoadHarness "$@"; }
# In the background where the script signals it: exec, so that $! is the JVM (a function's subshell dies of the TERM
# and leaves its JVM sending bulks through the restart being timed).
harness_exec() { exec "$JAVA" "${HARNESS_JVM[@]}" -cp "$JAR" dev.loyalty.bench.load.LoadHarness "$@"; }


hey_rps() { # hey_rps URL SECONDS BODY: sync POSTs of one body; prints requests/s (only when all answered 200)
    local out
    out=$(hey -z "$2"s -c "$HOT_CONNECTIONS" -m POST -T application/json -H "Authorization: Bearer dev-key" \
        -d "$3" "$1" 2>&1) || true
    echo "$out" >> "$DETAILS"
    if echo "$out" | awk '/Status code distribution/ { s = 1; next } s && /\[[0-9]+\]/ && $1 != "[200]" { bad = 1 } END { exit !bad }'; then
        say "hey: some answers were not 200 (see above)"
        echo NaN
        return 0
    fi
    echo "$out" | awk '/Requests\/sec:/ { print $2 }'
}
wrk_rps() { # wrk_rps URL SECONDS [PATH]: prints requests/s; output kept
    local out
    out=$(wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$2"s --latency -s "$HERE/wrk/post-event.lua" "$1" -- \
        "$CUSTOMERS" "${3:-/events}" 1 2>&1) || true
    echo "$out" >> "$DETAILS"
    echo "$out" | awk '/^Requests\/sec:/ { print $2 }'
}

profile_start() { # profile_start PID NAME SECONDS
    [ "$PROFILE" = 1 ] || return 0
    jcmd "$1" JFR.start name="$2" settings=profile duration="$3"s filename="$WORK/$2.jfr" > /dev/null 2>&1 || true
}

profile_report() { # profile_report NAME: hot frames of the recording
    [ "$PROFILE" = 1 ] || return 0
    local f="$WORK/$2.jfr" i
    for i in $(seq 1 100); do [ -s "$f" ] && break; sleep 0.2; done
    [ -s "$f" ] || { say "(no JFR recording for $2)"; return 0; }
    jfr print --events jdk.ExecutionSample "$f" > "$WORK/$2.samples.txt" 2>/dev/null || true
    {
        echo "---- $1: JFR execution samples per thread"
        grep sampledThread "$WORK/$2.samples.txt" | sed 's/ *(javaThreadId.*//; s/.*= //' \
            | sort | uniq -c | sort -rn | head -12 || true
        echo "---- $1: hottest top frames (self time)"
        awk '/stackTrace = \[/ { getline; sub(/line:.*/, ""); sub(/^ +/, ""); print }' "$WORK/$2.samples.txt" \
            | sort | uniq -c | sort -rn | head -30 || true
        echo "---- $1: hottest engine and API frames (inclusive)"
        grep 'line:' "$WORK/$2.samples.txt" | sed 's/line:.*//; s/^ *//' | grep '^dev\.loyalty' \
            | sort | uniq -c | sort -rn | head -25 || true
    } | tee -a "$DETAILS" > "$WORK/$2.hot.txt" || true
}

row() { printf '%-62s | %-30s | %-40s | %-14s | %s\n' "$@" >> "$SUMMARY"; }

# ---------------------------------------------------------------- build

section "build"
if [ "$SKIP_BUILD" != 1 ]; then
    # the whole reactor, so bench uses this worktree's engine and api (not a snapshot installed elsewhere)
    if ! keep mvn -q -B -o -DskipTests package; then
        say "offline build failed; trying with the network"
        keep mvn -q -B -DskipTests package
    fi
fi
[ -f "$JAR" ] || { echo "run-all.sh: $JAR missing (build first)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "run-all.sh: wrk is needed (apt-get install wrk)" >&2; exit 1; }

# ---------------------------------------------------------------- machine facts

{
    echo "# Loyalty engine measurement, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    if [ "$QUICK" = 1 ]; then
        echo "# SMOKE RUN (QUICK=1): short durations, to prove the tooling works. NOT a measurement."
    fi
    if [ -n "${NOTE:-}" ]; then
        echo "# NOTE: $NOTE"
    fi
    echo "command:      bench/run-all.sh $*"
    echo "settings:     QUICK=$QUICK BIG=$BIG PROFILE=$PROFILE CUSTOMERS=$CUSTOMERS WRK=-t$WRK_THREADS/-c$WRK_CONNECTIONS/${WRK_WARMUP}s+${WRK_DURATION}s" \
         "LATENCY=${LATENCY_WARMUP}s+${LATENCY_DURATION}s BULK=${BULK_WARMUP}s+${BULK_DURATION}s/c$BULK_CONNECTIONS/$BULK_SIZE" \
         "RESTART_EVENTS=$RESTART_EVENTS JMH_ARGS='$JMH_ARGS'"
    echo "host:         $HOST, $(uname -srm)"
    echo "cpu:          $(nproc) cores, $(awk -F: '/model name/ { sub(/^ */, "", $2); print $2; exit }' /proc/cpuinfo)"
    echo "memory:       $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "java:         $("$JAVA" -version 2>&1 | head -1) / $("$JAVA" -version 2>&1 | sed -n 2p) (harness, bare endpoint)"
    ENGINE_JAVA="${LOYALTY_JAVA_HOME:-${JAVA_HOME:-}}"
    echo "engine java:  $("${ENGINE_JAVA:+$ENGINE_JAVA/bin/}java" -version 2>&1 | head -1) (bin/engine; LOYALTY_GC=${LOYALTY_GC:-by version} JAVA_OPTS='${JAVA_OPTS:-}')"
    echo "wrk:          $(wrk -v 2>&1 | head -1)"
    echo "git:          $(git rev-parse --short HEAD) on $(git rev-parse --abbrev-ref HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (uncommitted changes)')"
    echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) at start (other processes compete for the same cores)"
} > "$WORK/header.txt"
cat "$WORK/header.txt"

# ---------------------------------------------------------------- servers

section "bare endpoint and engine"
BARE_PORT=$(free_port)
"$JAVA" -Xms256m -Xmx1g -XX:+UseG1GC -cp "$JAR" dev.loyalty.bench.baseline.BareServer --port "$BARE_PORT" \
    > "$WORK/bare.log" 2>&1 &
BARE_PID=$!
PIDS+=("$BARE_PID")
DATA="$WORK/data"
GC_LOG="$WORK/gc-engine-1.log"
start_engine "$DATA" "$WORK/engine-1.log" "$GC_LOG"
E1=$ENGINE_PID
first_ready=$(wait_ready "$MGMT_PORT" "$START_MS" 120) || { say "engine did not get ready"; tail -20 "$WORK/engine-1.log"; exit 1; }
for i in $(seq 1 200); do
    [ "$(http_code -X POST -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$BARE_PORT/events")" = 200 ] && break
    sleep 0.05
done
say "bare endpoint on port $BARE_PORT (pid $BARE_PID); engine on ports $API_PORT/$MGMT_PORT (pid $E1), ready after $first_ready ms"
API="http://127.0.0.1:$API_PORT"
MGMT="http://127.0.0.1:$MGMT_PORT"
BARE="http://127.0.0.1:$BARE_PORT"

section "pre-load $CUSTOMERS customers (opt_in + 500 points each, async bulks)"
keep harness preload --url "$API" --management "$MGMT" --customers "$CUSTOMERS" > "$WORK/preload.txt" || true
PRELOAD_RATE=$(field events_per_s < "$WORK/preload.txt")
say "$(grep '^preloaded' "$WORK/preload.txt" || echo 'pre-load failed: see the details')"

# ---------------------------------------------------------------- sync throughput

section "sync POST /events throughput, wrk -t$WRK_THREADS -c$WRK_CONNECTIONS (warm-up ${WRK_WARMUP}s each, then ${WRK_DURATION}s each)"
say "-- warm-up bare"; wrk_rps "$BARE" "$WRK_WARMUP" > /dev/null
say "-- warm-up engine"; wrk_rps "$API" "$WRK_WARMUP" > /dev/null
say "-- measured: bare endpoint"
BARE_RPS=$(wrk_rps "$BARE" "$WRK_DURATION")
say "-- measured: engine, sync"
profile_start "$E1" sync "$WRK_DURATION"
SYNC_RPS=$(wrk_rps "$API" "$WRK_DURATION")
say "-- measured: engine, async (?mode=async)"
ASYNC_RPS=$(wrk_rps "$API" "$WRK_DURATION" "/events?mode=async")
SYNC_RATIO=$(calc "${SYNC_RPS:-NaN} / ${BARE_RPS:-NaN}" 3)
ASYNC_RATIO=$(calc "${ASYNC_RPS:-NaN} / ${BARE_RPS:-NaN}" 3)
say "bare $BARE_RPS req/s, engine sync $SYNC_RPS req/s (ratio $SYNC_RATIO), async $ASYNC_RPS req/s (ratio $ASYNC_RATIO)"
profile_report "sync POST (wrk -c$WRK_CONNECTIONS)" sync

# ---------------------------------------------------------------- harness capacity

section "harness capacity: closed loop, $WRK_CONNECTIONS connections, against the bare endpoint"
keep harness run --url "$BARE" --mode sync --rate 0 --connections "$WRK_CONNECTIONS" --customers "$CUSTOMERS" \
    --warmup "$(( HARNESS_CHECK < 10 ? 10 : HARNESS_CHECK ))s" --duration "${HARNESS_CHECK}s" --label harness-capacity \
    > "$WORK/capacity.txt" || true
HARNESS_RPS=$(field achieved_rps < "$WORK/capacity.txt")
say "harness closed loop against the bare endpoint: $HARNESS_RPS req/s (wrk: $BARE_RPS)"

# ---------------------------------------------------------------- latency at half the peak

HALF=$(calc "${SYNC_RPS:-NaN} / 2" 0)
section "sync POST latency at half the engine's sync peak: $HALF req/s constant (open loop), ${LATENCY_DURATION}s"
if awk -v h="$HALF" -v c="${HARNESS_RPS:-0}" 'BEGIN { exit !(c + 0 < h * 1.5) }'; then
    say "WARNING: the harness reached only $HARNESS_RPS req/s closed loop against the bare endpoint; at $HALF req/s it may add latency of its own"
fi
keep harness run --url "$API" --management "$MGMT" --mode sync --rate "$HALF" --connections "$WRK_CONNECTIONS" \
    --customers "$CUSTOMERS" --warmup "${LATENCY_WARMUP}s" --duration "${LATENCY_DURATION}s" --label latency-engine \
    > "$WORK/latency-engine.txt" || true
keep harness run --url "$BARE" --mode sync --rate "$HALF" --connections "$WRK_CONNECTIONS" \
    --customers "$CUSTOMERS" --warmup "$(( LATENCY_WARMUP / 2 ))s" --duration "${LATENCY_DURATION}s" --label latency-bare \
    > "$WORK/latency-bare.txt" || true
P99=$(field p99_ms < "$WORK/latency-engine.txt")
P99_BARE=$(field p99_ms < "$WORK/latency-bare.txt")
LAT_LINE="p50 $(field p50_ms < "$WORK/latency-engine.txt") / p90 $(field p90_ms < "$WORK/latency-engine.txt") / p99 $P99 / p99.9 $(field p999_ms < "$WORK/latency-engine.txt") / max $(field max_ms < "$WORK/latency-engine.txt") ms"
LAT_SUSTAINED=$(field sustained < "$WORK/latency-engine.txt")
say "engine: $LAT_LINE (sustained: $LAT_SUSTAINED); bare endpoint at the same rate: p99 $P99_BARE ms"

# ---------------------------------------------------------------- bulk ingest

section "bulk ingest: $BULK_SIZE-event sync bulks, $BULK_CONNECTIONS connections closed loop, ${BULK_DURATION}s"
# record the measured window only, not the warm-up (the GC log too: its line count when the warm-up ends)
( sleep "$BULK_WARMUP"; lines_of "$GC_LOG" > "$WORK/gc-mark"; profile_start "$E1" bulk "$BULK_DURATION" ) &
keep harness run --url "$API" --management "$MGMT" --mode bulk --bulk-size "$BULK_SIZE" --rate 0 \
    --connections "$BULK_CONNECTIONS" --customers "$CUSTOMERS" --warmup "${BULK_WARMUP}s" --duration "${BULK_DURATION}s" \
    --label bulk-engine --progress > "$WORK/bulk-engine.txt" || true
GC_TO=$(lines_of "$GC_LOG")
read -r GC_COUNT GC_MAX GC_OVER GC_STOP_MAX GC_STOP_OVER <<< "$(gc_pauses "$GC_LOG" "$(cat "$WORK/gc-mark" 2>/dev/null || echo 0)" "$GC_TO")"
say "GC in the measured ${BULK_DURATION}s (-Xlog:gc,gc+phases,safepoint): $(gc_line "$GC_LOG" "$(cat "$WORK/gc-mark" 2>/dev/null || echo 0)" "$GC_TO")"
BULK_PROCESSED=$(field processed_per_s < "$WORK/bulk-engine.txt")
BULK_APPLIED=$(field applied_per_s < "$WORK/bulk-engine.txt")
BULK_LAG=$(field lag_max < "$WORK/bulk-engine.txt")
BULK_LAG_MS=$(field lag_max_ms < "$WORK/bulk-engine.txt")
BULK_BOUNDED=$(field lag_bounded < "$WORK/bulk-engine.txt")
BULK_ANSWERED=$(field events_per_s < "$WORK/bulk-engine.txt")
RSS_E1=$(rss_kib "$E1")
say "engine processed $BULK_PROCESSED events/s (applied $BULK_APPLIED/s, answered $BULK_ANSWERED/s), lag max $BULK_LAG (≈ $BULK_LAG_MS ms), bounded: $BULK_BOUNDED; RSS $RSS_E1 KiB"
profile_report "bulk ingest ($BULK_SIZE-event sync bulks)" bulk
section "bulk baseline: the same bulks against the bare endpoint (HTTP ceiling for bulk bodies)"
keep harness run --url "$BARE" --mode bulk --bulk-size "$BULK_SIZE" --rate 0 --connections "$BULK_CONNECTIONS" \
    --customers "$CUSTOMERS" --warmup "$(( BULK_WARMUP / 2 + 1 ))s" --duration "$(( BULK_DURATION / 3 + 1 ))s" \
    --label bulk-bare > "$WORK/bulk-bare.txt" || true
BULK_BARE=$(field events_per_s < "$WORK/bulk-bare.txt")
say "bare endpoint took $BULK_BARE events/s in $BULK_SIZE-event bulks"
kill -TERM "$BARE_PID" 2>/dev/null || true

# ---------------------------------------------------------------- one hot customer

section "hot customer: sync point_add to one customer, hey -c$HOT_CONNECTIONS for ${HOT_DURATION}s (runs of ${HOT_WINDOW}s, $(( HOT_DURATION - 2 * HOT_WINDOW ))s, ${HOT_WINDOW}s back to back)"
HOT="hot-$$-$(date +%s)"
say "opt_in of $HOT: HTTP $(http_code -X POST -H 'Content-Type: application/json' -H 'Authorization: Bearer dev-key' \
    -d "{\"customer\":\"$HOT\",\"action\":\"opt_in\"}" "$API/events")"
HOT_BODY="{\"customer\":\"$HOT\",\"action\":\"point_add\",\"data\":{\"points\":1}}"
say "-- first ${HOT_WINDOW}s"; HOT_FIRST=$(hey_rps "$API/events" "$HOT_WINDOW" "$HOT_BODY")
say "-- middle $(( HOT_DURATION - 2 * HOT_WINDOW ))s"; HOT_MIDDLE=$(hey_rps "$API/events" "$(( HOT_DURATION - 2 * HOT_WINDOW ))" "$HOT_BODY")
say "-- last ${HOT_WINDOW}s"; HOT_LAST=$(hey_rps "$API/events" "$HOT_WINDOW" "$HOT_BODY")
HOT_RATIO=$(calc "${HOT_LAST:-NaN} / ${HOT_FIRST:-NaN}" 3)
HOT_LOTS=$(curl -s --max-time 10 -H 'Authorization: Bearer dev-key' "$API/customers/$HOT" \
    | sed -n 's/.*"points":{"balance":\([0-9]*\).*/\1/p')
say "hot customer: first $HOT_FIRST req/s, middle $HOT_MIDDLE, last $HOT_LAST (ratio $HOT_RATIO); points balance (one lot per point_add) ${HOT_LOTS:-n/a}"

# ---------------------------------------------------------------- journal size for the restarts

section "journal to at least $RESTART_EVENTS events (async bulks), then wait for the processors"
FILL_DEADLINE=$(( $(date +%s) + FILL_MAX ))
fill_rate=$(calc "${BULK_PROCESSED:-NaN} + 0" 0)
case "$fill_rate" in ''|*[!0-9]*) fill_rate=50000 ;; esac
[ "$fill_rate" -gt 1000 ] || fill_rate=50000
attempt=0
while true; do
    seq_now=$(metric "$MGMT_PORT" loyalty_journal_last_seq)
    case "$seq_now" in ''|*[!0-9]*) say "cannot read the journal's size"; break ;; esac
    [ "$seq_now" -ge "$RESTART_EVENTS" ] && break
    if [ "$(date +%s)" -ge "$FILL_DEADLINE" ]; then
        say "WARNING: stopped filling after FILL_MAX=${FILL_MAX}s at $seq_now events (target $RESTART_EVENTS)"
        break
    fi
    attempt=$((attempt + 1))
    secs=$(( (RESTART_EVENTS - seq_now) / fill_rate + 2 ))
    [ "$secs" -le 120 ] || secs=120
    say "journal at $seq_now events; $secs s of async 1000-event bulks at about $fill_rate events/s"
    keep harness run --url "$API" --management "$MGMT" --mode bulk-async --bulk-size 1000 --rate 0 --connections 4 \
        --no-ids --customers "$CUSTOMERS" --warmup 0s --duration "${secs}s" --label fill > "$WORK/fill-$attempt.txt" || true
    seq_after=$(metric "$MGMT_PORT" loyalty_journal_last_seq)
    case "$seq_after" in ''|*[!0-9]*) ;; *) fill_rate=$(( (seq_after - seq_now) / secs )) ;; esac
    [ "$fill_rate" -gt 1000 ] || fill_rate=1000
done
for i in $(seq 1 600); do
    lag=$(metric "$MGMT_PORT" loyalty_partition_lag_records)
    [ "$lag" != NaN ] && [ "$lag" -le 10 ] && break
    sleep 0.5
done
JOURNAL_EVENTS=$(metric "$MGMT_PORT" loyalty_journal_last_seq)
say "journal holds $JOURNAL_EVENTS records (events and heartbeats); processors caught up"

# ---------------------------------------------------------------- restarts

section "restart to ready after SIGKILL under load ($BULK_SIZE-event sync bulks for ${KILL_LOAD_SECONDS}s, then kill -9; the partitions re-apply from the journal what their last surviving commit lacks: about a second with state.wal on, up to state.flush-interval off)"
harness_exec run --url "$API" --mode bulk --bulk-size "$BULK_SIZE" --rate 0 --connections "$BULK_CONNECTIONS" \
    --customers "$CUSTOMERS" --warmup 0s --duration "$(( KILL_LOAD_SECONDS + 60 ))s" --label kill-load \
    > "$WORK/kill-load.txt" 2>&1 &
KILL_LOAD_PID=$!
PIDS+=("$KILL_LOAD_PID")
# the load counts from when its events reach the journal (the harness JVM takes a while to start)
seq_before=$(metric "$MGMT_PORT" loyalty_journal_last_seq)
for i in $(seq 1 600); do
    seq_now=$(metric "$MGMT_PORT" loyalty_journal_last_seq)
    case "$seq_now:$seq_before" in *[!0-9:]*|:*|*:) break ;; esac
    [ "$seq_now" -gt $(( seq_before + BULK_SIZE * BULK_CONNECTIONS )) ] && break
    sleep 0.1
done
sleep "$KILL_LOAD_SECONDS"
KILL_LAG=$(metric "$MGMT_PORT" loyalty_partition_lag_records)
kill -KILL "$E1" 2>/dev/null || true
wait "$E1" 2>/dev/null || true
kill -TERM "$KILL_LOAD_PID" 2>/dev/null || true
wait "$KILL_LOAD_PID" 2>/dev/null || true
say "killed under load (processor lag just before: $KILL_LAG records)"
start_engine "$DATA" "$WORK/engine-2.log"
E2=$ENGINE_PID
READY_KILL=$(wait_ready "$MGMT_PORT" "$START_MS" 300 || echo NaN)
say "ready $READY_KILL ms after starting (process start to /health/ready 200); the engine's log:"
cut -c1-220 "$WORK/engine-2.log" | grep -v 'WARN Program - \* ' | head -20 >> "$DETAILS" || true
stop_engine "$E2"
CLEAN_STOP=$STOP_MS
say "clean shutdown (SIGTERM to exit) took $CLEAN_STOP ms"

section "restart to ready after a clean shutdown"
start_engine "$DATA" "$WORK/engine-3.log"
E3=$ENGINE_PID
READY_CLEAN=$(wait_ready "$MGMT_PORT" "$START_MS" 300 || echo NaN)
RSS_START=$(rss_kib "$E3")
say "ready $READY_CLEAN ms after starting; RSS $RSS_START KiB; the engine's log:"
cut -c1-220 "$WORK/engine-3.log" | grep -v 'WARN Program - \* ' | head -20 >> "$DETAILS" || true
stop_engine "$E3"

# ---------------------------------------------------------------- replay

section "replay: rebuild state from the journal (bin/engine replay)"
PARTITIONS=$(sed -n 's/^partitions=//p' "$DATA/engine.properties")
keep "$ROOT/bin/engine" replay --data "$DATA" --into "$WORK/replay" > "$WORK/replay.txt" || true
REPLAY_EVENTS=$(awk '/^events:/ { print $2 }' "$WORK/replay.txt")
REPLAY_SECONDS=$(awk '/^time:/ { print $2 }' "$WORK/replay.txt")
REPLAY_IDENTICAL=$(awk '/^identical:/ { print $2 }' "$WORK/replay.txt")
REPLAY_RATE=NaN
REPLAY_PER_THREAD=NaN
if [ -n "$REPLAY_EVENTS" ] && [ -n "$REPLAY_SECONDS" ]; then
    REPLAY_RATE=$(calc "$REPLAY_EVENTS / $REPLAY_SECONDS" 0)
    REPLAY_PER_THREAD=$(calc "$REPLAY_RATE / $PARTITIONS" 0)
fi
say "replayed $REPLAY_EVENTS events in $REPLAY_SECONDS s with $PARTITIONS processor threads: $REPLAY_RATE events/s, $REPLAY_PER_THREAD per thread; identical: $REPLAY_IDENTICAL"
rm -rf "$WORK/replay"

# ---------------------------------------------------------------- 10M customers

HEAP_BIG=NaN
RSS_BIG=NaN
if [ "$BIG" = 1 ]; then
    section "$BIG_CUSTOMERS customers loaded: heap after GC and RSS"
    start_engine "$WORK/big" "$WORK/engine-big.log"
    E4=$ENGINE_PID
    wait_ready "$MGMT_PORT" "$START_MS" 120 > /dev/null
    keep harness preload --url "http://127.0.0.1:$API_PORT" --management "http://127.0.0.1:$MGMT_PORT" \
        --customers "$BIG_CUSTOMERS" --wait-timeout 60m > "$WORK/preload-big.txt" || true
    jcmd "$E4" GC.run > /dev/null 2>&1 || true
    sleep 2
    HEAP_BIG=$(metric "$MGMT_PORT" jvm_memory_used_bytes 'area="heap"')
    RSS_BIG=$(rss_kib "$E4")
    say "heap after GC $HEAP_BIG bytes; RSS $RSS_BIG KiB; $(grep '^preloaded' "$WORK/preload-big.txt" || true)"
    stop_engine "$E4"
fi

# ---------------------------------------------------------------- JMH

CHRONICLE_RAW=NaN
ROCKS_RAW=NaN
if [ "$SKIP_JMH" != 1 ]; then
    section "JMH component benchmarks: java -jar bench/target/benchmarks.jar $JMH_ARGS $JMH_FILTER"
    # shellcheck disable=SC2086
    "$JAVA" -jar "$JAR" $JMH_ARGS -foe false -rf text -rff "$WORK/jmh.txt" $JMH_FILTER > "$WORK/jmh.log" 2>&1 || true
    if [ -s "$WORK/jmh.txt" ]; then
        cat "$WORK/jmh.txt" | tee -a "$DETAILS"
    else
        say "JMH produced no results; last lines of its log:"
        tail -30 "$WORK/jmh.log" | tee -a "$DETAILS"
    fi
    CHRONICLE_RAW=$(awk '$1 ~ /chronicleAppend200$/ { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9.]+$/ && $i + 0 > 100) { print $i; exit } }' "$WORK/jmh.txt" 2>/dev/null)
    ROCKS_RAW=$(awk '$1 ~ /rocksBatch100$/ { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9.]+$/ && $i + 0 > 100) { print $i; exit } }' "$WORK/jmh.txt" 2>/dev/null)
fi
fmt_rate() { [ -z "$1" ] || [ "$1" = NaN ] && echo "n/a" || calc "$1 + 0" 0; }

# ---------------------------------------------------------------- summary

SMOKE=""
[ "$QUICK" = 1 ] && SMOKE=" (smoke)"
row "figure" "measured" "baseline, same run" "target" "verdict$SMOKE"
row "$(printf '%.0s-' {1..62})" "$(printf '%.0s-' {1..30})" "$(printf '%.0s-' {1..40})" "--------------" "-------"
row "sync POST /events, wrk -c$WRK_CONNECTIONS keep-alive (req/s)" "$SYNC_RPS (ratio $SYNC_RATIO)" "bare endpoint $BARE_RPS" "ratio >= 0.80" "$(verdict "$SYNC_RATIO" '>=' 0.80)"
row "async POST /events?mode=async, same wrk (req/s)" "$ASYNC_RPS (ratio $ASYNC_RATIO)" "bare endpoint $BARE_RPS" "-" "info"
row "bulk ingest, $BULK_SIZE-event sync bulks, ${BULK_DURATION}s: events processed/s" "$(fmt_rate "$BULK_PROCESSED") (applied $(fmt_rate "$BULK_APPLIED"))" "bare bulk $(fmt_rate "$BULK_BARE") ev/s; raw RocksDB $(fmt_rate "$ROCKS_RAW") puts/s" ">= 500000" "$(verdict "$BULK_PROCESSED" '>=' 500000)"
row "  lag during bulk ingest (max, events)" "${BULK_LAG:-n/a} (≈ ${BULK_LAG_MS:-n/a} ms)" "raw Chronicle $(fmt_rate "$CHRONICLE_RAW") appends/s" "bounded" "$([ "$BULK_BOUNDED" = true ] && echo pass || echo FAIL)"
row "replay per processor thread (events/s)" "$(fmt_rate "$REPLAY_PER_THREAD") ($PARTITIONS threads, $(fmt_rate "$REPLAY_RATE") total)" "raw RocksDB $(fmt_rate "$ROCKS_RAW") puts/s" ">= 1000000" "$(verdict "$REPLAY_PER_THREAD" '>=' 1000000)"
row "  replayed state identical to live state" "$REPLAY_IDENTICAL ($REPLAY_EVENTS events)" "-" "yes" "$([ "$REPLAY_IDENTICAL" = yes ] && echo pass || echo FAIL)"
row "p99 sync POST at half peak ($HALF req/s constant) (ms)" "$P99 (sustained: $LAT_SUSTAINED)" "bare endpoint at same rate $P99_BARE" "<= 2" "$(verdict "$P99" '<=' 2)"
row "  latency distribution, CO-corrected" "$LAT_LINE" "" "" ""
if [ "$BIG" = 1 ]; then
    row "heap after GC, $BIG_CUSTOMERS customers loaded (MiB)" "$(calc "${HEAP_BIG:-NaN} / 1048576" 0)" "-" "<= 1024" "$(verdict "$(calc "${HEAP_BIG:-NaN} / 1048576" 0)" '<=' 1024)"
    row "RSS, $BIG_CUSTOMERS customers loaded (MiB)" "$(calc "${RSS_BIG:-NaN} / 1024" 0)" "-" "reported" "info"
else
    row "heap / RSS with 10M customers" "not run (use --big)" "-" "heap <= 1 GiB" "n/a"
fi
row "RSS after bulk ingest, $CUSTOMERS customers (MiB)" "$(calc "${RSS_E1:-NaN} / 1024" 0)" "-" "reported" "info"
row "restart to ready after SIGKILL under load, $JOURNAL_EVENTS+ records (s)" "$(calc "${READY_KILL:-NaN} / 1000" 2) (lag at kill ${KILL_LAG:-n/a})" "before: 11.6 s at 10M (1.6 s at 5.4M); empty $(calc "$first_ready / 1000" 2) s" "<= 5" "$(verdict "$(calc "${READY_KILL:-NaN} / 1000" 2)" '<=' 5)"
row "restart to ready after clean shutdown, same journal (s)" "$(calc "${READY_CLEAN:-NaN} / 1000" 2) (shutdown took $(calc "${CLEAN_STOP:-NaN} / 1000" 2) s)" "before: 3.7 s at 10M (1.3 s at 5.4M)" "<= 3" "$(verdict "$(calc "${READY_CLEAN:-NaN} / 1000" 2)" '<=' 3)"
row "GC pauses during bulk ingest (max ms; count > 10 ms; GC safepoints)" "$([ "$GC_COUNT" = 0 ] && echo "no pause line logged" || echo "max $GC_MAX ms; $GC_OVER over 10 ms of $GC_COUNT; safepoints max $GC_STOP_MAX ms, $GC_STOP_OVER > 10 ms")" "before: 30-35 ms about once a second" "none > 10 ms" "$(gc_verdict "$GC_OVER" "$GC_STOP_OVER")"
row "hot customer, hey -c$HOT_CONNECTIONS ${HOT_DURATION}s: last ${HOT_WINDOW}s / first ${HOT_WINDOW}s" "$HOT_RATIO ($HOT_FIRST -> $HOT_LAST req/s)" "before: 0.23 (3454 -> 807 req/s)" ">= 0.8" "$(verdict "$HOT_RATIO" '>=' 0.8)"
row "harness capacity, closed loop vs bare endpoint (req/s)" "$HARNESS_RPS" "wrk $BARE_RPS" "> 1.5 x $HALF" "$(verdict "$(calc "${HARNESS_RPS:-NaN} / (${HALF:-NaN} + 1)" 2)" '>=' 1.5)"
row "pre-load of $CUSTOMERS customers (events/s)" "$(fmt_rate "$PRELOAD_RATE")" "-" "-" "info"

{
    cat "$WORK/header.txt"
    echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) at end; suite took $(( $(date +%s) - SUITE_START )) s"
    echo
    echo "## Summary"
    echo
    cat "$SUMMARY"
    echo
    echo "How to read: every figure comes from this one run on this machine, with the load generator on the"
    echo "same cores. Ratios and baselines matter more than absolute numbers. Latency is measured from each"
    echo "request's intended send time at a constant offered rate (no coordinated omission). See bench/README.md."
    echo
    echo "## Details"
    cat "$DETAILS"
} > "$RESULT"
echo
cat "$SUMMARY"
echo
echo "results: $RESULT"
