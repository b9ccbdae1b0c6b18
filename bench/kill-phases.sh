#!/usr/bin/env bash
# SIGKILL restarts of two builds at several phases of the commit cadence, alternating builds (issue 11's "restart to
# ready after SIGKILL under load" row, without restart-profile.sh's pre-load and GC window per kill): one folder is
# pre-loaded once (CUSTOMERS customers, async bulks, by the first build), then per round and per build: start the
# build on that folder, KILL_LOAD_SECONDS + the round's offset of 100-event sync bulks (8 connections), SIGKILL,
# start the same build again and time launch to /health/ready 200, clean stop. Prints one line per kill: the ready
# time, the records behind and the catch-up of each partition, the ids re-registered and the engine's open phases,
# and the bulk row's figures over the load after its first WARM_SECONDS (records and events a second, the engine's
# CPU per 1,000 events applied: what the commit cadence costs, alternating builds on the same folder).
# The offsets (OFFSETS, seconds) move the kill across the commit period; the folder grows by each kill's load.
#   bench/kill-phases.sh OUT_DIR HOME_A TAG_A HOME_B TAG_B   (each HOME built: mvnw -DskipTests package)
# The engine's JDK follows bin/engine (LOYALTY_JAVA_HOME). The harness is this checkout's.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="${1:?usage: bench/kill-phases.sh OUT_DIR HOME_A TAG_A HOME_B TAG_B}"
HOMES=("$2" "$4"); TAGS=("$3" "$5")
: "${CUSTOMERS:=1000000}" "${KILL_LOAD_SECONDS:=20}" "${WARM_SECONDS:=8}" "${OFFSETS:=0 0.5 0.2 0.7 0.4 0.9}"
. "$HERE/lib.sh"   # now_ms free_port wait_ready
mkdir -p "$OUT"
rm -rf "$OUT/data"
JAR="$HERE/target/benchmarks.jar"
harness() { java -Xms512m -Xmx2g -XX:+UseG1GC -cp "$JAR" dev.loyalty.bench.load.LoadHarness "$@"; }
# In the background: exec, so that $! is the JVM itself (a function's subshell would die of the TERM and leave its
# JVM sending bulks to the killed port through the restart being timed).
harness_bg() { exec java -Xms512m -Xmx2g -XX:+UseG1GC -cp "$JAR" dev.loyalty.bench.load.LoadHarness "$@"; }
applied() {
    curl -s --max-time 5 "http://127.0.0.1:$MGMT_PORT/metrics" | awk '
        /^loyalty_events_processed_total\{/ { s += $NF } END { printf "%.0f", s }'
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$ENGINE_PID/stat"; }
last_seq() {
    curl -s --max-time 5 "http://127.0.0.1:$MGMT_PORT/metrics" | awk '
        $0 !~ /^#/ { split($0, a, /[{ ]/); if (a[1] == "loyalty_journal_last_seq") { s += $NF; found = 1 } }
        END { if (found) printf "%.0f", s; else print 0 }'
}
ENGINE_PID=""
LOAD_PID=""
cleanup() {
    for p in $LOAD_PID $ENGINE_PID; do kill -KILL "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
start_engine() { # HOME LOG
    API_PORT=$(free_port)
    MGMT_PORT=$(free_port)
    START_MS=$(now_ms)
    "$1/bin/engine" serve --data "$OUT/data" --port "$API_PORT" --management-port "$MGMT_PORT" > "$2" 2>&1 &
    ENGINE_PID=$!
}
stop_engine() {
    kill -TERM "$ENGINE_PID"; wait "$ENGINE_PID" 2>/dev/null || true
    ENGINE_PID=""
}

start_engine "${HOMES[0]}" "$OUT/fill.log"
wait_ready "$MGMT_PORT" "$START_MS" 120 > /dev/null
harness preload --url "http://127.0.0.1:$API_PORT" --management "http://127.0.0.1:$MGMT_PORT" \
    --customers "$CUSTOMERS" > "$OUT/preload.txt" 2>&1 || true
grep '^preloaded' "$OUT/preload.txt" || tail -3 "$OUT/preload.txt"
stop_engine
# Each build once more before the kills: on JDK 19+ a build's first serve writes its class-data archive at its stop.
for b in 0 1; do
    start_engine "${HOMES[$b]}" "$OUT/warm-${TAGS[$b]}.log"
    wait_ready "$MGMT_PORT" "$START_MS" 120 > /dev/null
    stop_engine
done

round=0
for offset in $OFFSETS; do
    round=$(( round + 1 ))
    for b in 0 1; do
        tag=${TAGS[$b]}
        start_engine "${HOMES[$b]}" "$OUT/r$round-$tag-load.log"
        wait_ready "$MGMT_PORT" "$START_MS" 120 > /dev/null
        harness_bg run --url "http://127.0.0.1:$API_PORT" --mode bulk --bulk-size 100 --rate 0 --connections 8 \
            --customers "$CUSTOMERS" --warmup 0s --duration "$(( KILL_LOAD_SECONDS + 60 ))s" --label kill \
            > "$OUT/r$round-$tag-load.txt" 2>&1 &
        LOAD_PID=$!
        # The bulk row's figures over the load's second part (engine warm): records journaled a second, events
        # applied a second and the engine's CPU (all its threads) per 1,000 events applied.
        sleep "$WARM_SECONDS"
        seq1=$(last_seq); t1=$(now_ms); e1=$(applied); c1=$(cpu_ticks)
        sleep "$(awk -v a="$KILL_LOAD_SECONDS" -v w="$WARM_SECONDS" -v b="$offset" 'BEGIN { print a - w + b }')"
        seq2=$(last_seq); t2=$(now_ms); e2=$(applied); c2=$(cpu_ticks)
        rate=$(( (seq2 - seq1) * 1000 / (t2 - t1) ))
        evs=$(( (e2 - e1) * 1000 / (t2 - t1) ))
        cpe=$(awk -v c=$((c2 - c1)) -v e=$((e2 - e1)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", c * 1000 / hz / e * 1000 }')
        kill -KILL "$ENGINE_PID"; wait "$ENGINE_PID" 2>/dev/null || true
        kill -TERM "$LOAD_PID" 2>/dev/null || true; wait "$LOAD_PID" 2>/dev/null || true
        LOAD_PID=""
        log="$OUT/r$round-$tag-restart.log"
        start_engine "${HOMES[$b]}" "$log"
        ready=$(wait_ready "$MGMT_PORT" "$START_MS" 120 || echo NaN)
        stop_engine
        behind=$( (grep -o '[0-9]* journal records behind' "$log" || true) | awk '{ printf "%s%s", s, $1; s = "/" }')
        catchup=$( (grep -o 'caught up with the journal at seq [0-9]*, [0-9]* ms' "$log" || true) | awk '{ printf "%s%s", s, $(NF-1); s = "/" }')
        ids=$( (grep -o 're-registered [0-9]* ids' "$log" || true) | awk '{ print $2 }')
        opened=$( (grep -o 'engine opened (ms): .*' "$log" || true) | sed 's/engine opened (ms): //; s/, threads and timers.*//' | cut -c1-200)
        echo "round $round offset ${offset}s $tag: ready ${ready} ms, load ${rate} records/s ${evs} ev/s ${cpe} cpu_ms/1000ev, behind ${behind:-0} records, catch-up ${catchup:-0} ms, ids ${ids:-0}, loadavg $(cut -d' ' -f1 /proc/loadavg) | $opened"
    done
done
