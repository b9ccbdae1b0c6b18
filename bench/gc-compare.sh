#!/usr/bin/env bash
# Compares garbage collectors for the sync tail (issue 12): for each configuration, a fresh engine
# (bin/engine serve, shipped configuration) with lib.sh's GC log (gc, gc+phases, safepoint), 10 customers g-0..g-9 each holding one
# big lot, then fixed-rate point_spends of 1 point spread over them: 10 hey processes x 5 connections
# (as issue 12's outside check), warm-up then a measured window. Per configuration: p50/p99/p99.9/max over
# all requests of the window (from hey's per-request CSV), non-2xx count, GC pauses and the longest GC
# safepoint inside the window (lib.sh gc_line: the same count on G1 and ZGC; n/a when no pause line was logged).
#
#   bench/gc-compare.sh                   # RATE: half the sync peak measured by wrk on the first configuration
#   RATE=4000 ROUNDS=2 bench/gc-compare.sh
#
# Settings: RATE (req/s, total), WARMUP=5 DURATION=15 (s), ROUNDS=1 (configurations interleaved per round),
# JDK25 (default /usr/lib/jvm/temurin-25-jdk-amd64), JDK17 (default: the java on PATH's home), CONFIGS
# (default: g1-17 g1-17-tuned g1-25 g1-25-tuned zgc-25; also g1-17-fixed g1-25-fixed zgc-25-fixed).
# Needs bin/engine's jar built, wrk, hey, curl, ss. Output: a summary on stdout, logs under
# bench/results/tmp/gc-*/. Stops only what it starts.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
: "${WARMUP:=5}" "${DURATION:=15}" "${ROUNDS:=1}" "${RATE:=}" "${KEY:=dev-key}"
: "${JDK25:=/usr/lib/jvm/temurin-25-jdk-amd64}"
: "${JDK17:=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
: "${CONFIGS:=g1-17 g1-17-tuned g1-25 g1-25-tuned zgc-25}"
WORK="$HERE/results/tmp/gc-$(date -u +%Y%m%d-%H%M%S)-$$"
mkdir -p "$WORK"
PIDS=()
. "$HERE/lib.sh"   # free_port gc_log_opts gc_line

cleanup() {
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"/data-*
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The configurations: JDK home and the JVM options given through JAVA_OPTS (bin/engine adds nothing for
# a collector JAVA_OPTS names; its default heap, -Xms256m and an eighth of the memory within 1-2 GiB, stays unless a name ends in -fixed).
# tuned: a 10 ms pause goal (G1 sizes the young generation to meet it); fixed: a fixed, pre-touched 1 GiB heap.
jdk_of() { case "$1" in *-17*) echo "$JDK17" ;; *) echo "$JDK25" ;; esac; }
opts_of() {
    case "$1" in
        g1-17|g1-25) echo "-XX:+UseG1GC" ;;
        g1-17-tuned|g1-25-tuned) echo "-XX:+UseG1GC -XX:MaxGCPauseMillis=10" ;;
        g1-17-fixed|g1-25-fixed) echo "-XX:+UseG1GC -Xms1g -Xmx1g -XX:MaxGCPauseMillis=10 -XX:+AlwaysPreTouch" ;;
        zgc-25) echo "-XX:+UseZGC" ;;
        zgc-25-fixed) echo "-XX:+UseZGC -Xms1g -Xmx1g -XX:+AlwaysPreTouch" ;;
        *) echo "unknown configuration $1" >&2; exit 2 ;;
    esac
}

post() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' \
    -d "$2" "http://127.0.0.1:$1/events"; }

# start NAME: a fresh engine; sets PID API MGMT JDK
start() {
    JDK="$(jdk_of "$1")"
    API=$(free_port)
    MGMT=$(free_port)
    LOYALTY_JAVA_HOME="$JDK" JAVA_OPTS="$(opts_of "$1") $(gc_log_opts "$WORK/$1-$ROUND.gc.log")" \
        "$ROOT/bin/engine" serve --data "$WORK/data-$1" --port "$API" --management-port "$MGMT" \
        > "$WORK/$1-$ROUND.engine.log" 2>&1 &
    PID=$!
    PIDS+=("$PID")
    local ready=no
    for _ in $(seq 1 1200); do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$MGMT/health/ready" || true)" = 200 ]; then
            ready=yes
            break
        fi
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    if [ "$ready" != yes ]; then
        echo "$1: the engine did not get ready; its log:" >&2
        tail -n 20 "$WORK/$1-$ROUND.engine.log" >&2
        exit 1
    fi
    for i in $(seq 0 9); do
        post "$API" "{\"customer\":\"g-$i\",\"action\":\"opt_in\",\"data\":{}}" > /dev/null
        post "$API" "{\"customer\":\"g-$i\",\"action\":\"point_add\",\"data\":{\"points\":100000000}}" > /dev/null
    done
}

stop() {
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    rm -rf "$WORK/data-$1"
}

# hey_run SECONDS OUT_PREFIX: 10 hey processes x 5 connections, RATE in total, one customer each
hey_run() {
    local q pids=() i
    q=$(awk -v r="$RATE" 'BEGIN { printf "%.3f", r / 50 }')
    for i in $(seq 0 9); do
        hey -z "$1"s -c 5 -q "$q" -m POST -T application/json -H "X-Api-Key: $KEY" \
            -d "{\"customer\":\"g-$i\",\"action\":\"point_spend\",\"data\":{\"points\":1}}" \
            ${2:+-o csv} "http://127.0.0.1:$API/events" > "${2:-$WORK/warmup}-$i.out" 2>&1 &
        pids+=($!)
    done
    wait "${pids[@]}"
}

# latency OUT_PREFIX: p50 p99 p99.9 max (ms), requests, non-2xx, over the 10 CSV files
latency() {
    cat "$1"-*.out | awk -F, '$1 ~ /^[0-9.]+$/ { print $1 * 1000, $7 }' | sort -n | awk -v secs="$DURATION" '
        function at(q,  i) { i = int(NR * q) + 1; return ms[i > NR ? NR : i] }
        { ms[NR] = $1; if ($2 < 200 || $2 > 299) bad++ }
        END {
            if (NR == 0) { print "no requests"; exit }
            printf "p50 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms  requests %d (%.0f/s)  non-2xx %d",
                at(0.50), at(0.99), at(0.999), ms[NR], NR, NR / secs, bad + 0
        }'
}

if [ -z "$RATE" ]; then
    first="${CONFIGS%% *}"
    ROUND=peak
    start "$first"
    wrk -t1 -c50 -d5s -s "$HERE/wrk/point-spend.lua" "http://127.0.0.1:$API" -- "$KEY" > /dev/null 2>&1 || true
    peak=$(wrk -t1 -c50 -d10s -s "$HERE/wrk/point-spend.lua" "http://127.0.0.1:$API" -- "$KEY" 2>&1 \
        | awk '/^Requests\/sec:/ { print $2 }')
    stop "$first"
    RATE=$(awk -v p="$peak" 'BEGIN { printf "%d", p / 2 }')
    echo "sync peak on these bodies ($first, wrk -t1 -c50 10s): $peak req/s; rate: $RATE req/s"
fi

echo "# gc-compare $(date -u +%FT%TZ) rate $RATE req/s, warm-up ${WARMUP}s, measured ${DURATION}s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for ROUND in $(seq 1 "$ROUNDS"); do
    for name in $CONFIGS; do
        start "$name"
        hey_run "$WARMUP" ""
        from=$(lines_of "$WORK/$name-$ROUND.gc.log")
        hey_run "$DURATION" "$WORK/$name-$ROUND"
        to=$(lines_of "$WORK/$name-$ROUND.gc.log")
        printf '%-12s round %s | %s | %s | JAVA_OPTS %s\n' "$name" "$ROUND" "$(latency "$WORK/$name-$ROUND")" \
            "$(gc_line "$WORK/$name-$ROUND.gc.log" "$from" "$to")" "$(opts_of "$name")"
        stop "$name"
    done
done
echo "# load average at the end $(cut -d' ' -f1-3 /proc/loadavg); logs in $WORK"
