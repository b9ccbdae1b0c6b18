#!/usr/bin/env bash
# RocksDB WAL on against off on bulk ingest, back to back on one build (issue 11: the state.wal default).
# Per arm (order: ARMS, default "false true false true"): a fresh engine with ENGINE_STATE_WAL=<arm>, CUSTOMERS
# pre-loaded, then the harness's 100-event sync bulks (8 connections, closed loop) for WARMUP + DURATION s.
# Prints per arm: processed events/s (harness, measured window) and the engine's CPU time per 1000 processed
# events over the whole bulk run (/proc utime+stime against loyalty_events_processed_total): the CPU figure
# moves less with the neighbours' load than the rate does.
# AB_VAR names another configuration variable to alternate instead (e.g. AB_VAR=ENGINE_STATE_FLUSH_INTERVAL
# ARMS="5s 1s 5s 1s": the flush interval's cost, issue 11 round 5).
# Also per arm: the mean time per commit of each commit phase over the bulk run (loyalty_processor_commit_seconds:
# rows and wait on the partition thread, sync and write on the committer thread; builds before the committer
# had rows, sync and write all on the partition thread). AB_ROOT runs another build's bin/engine (an A/B of two
# builds with the same harness).
# Usage: bench/wal-ab.sh OUT_DIR   (build first: ./mvnw -o -DskipTests package -pl engine,api,bench)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="${AB_ROOT:-$(cd "$HERE/.." && pwd)}"
OUT="${1:?usage: bench/wal-ab.sh OUT_DIR}"
: "${CUSTOMERS:=50000}" "${WARMUP:=5}" "${DURATION:=30}" "${ARMS:=false true false true}"
. "$HERE/lib.sh"   # now_ms free_port wait_ready
mkdir -p "$OUT"
JAR="$HERE/target/benchmarks.jar"
harness() { java -Xms512m -Xmx2g -XX:+UseG1GC -cp "$JAR" dev.loyalty.bench.load.LoadHarness "$@"; }
ENGINE_PID=""
cleanup() { [ -z "$ENGINE_PID" ] || kill -KILL "$ENGINE_PID" 2>/dev/null || true; }
trap cleanup EXIT
metric() {
    curl -s --max-time 10 "http://127.0.0.1:$MGMT_PORT/metrics" | awk -v n="$1" '
        $0 !~ /^#/ { split($0, a, /[{ ]/); if (a[1] == n) { s += $NF; found = 1 } }
        END { if (found) printf "%.0f", s; else print "NaN" }'
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
commit_phases() { # "phase sum_seconds count" per commit phase, all partitions
    curl -s --max-time 10 "http://127.0.0.1:$MGMT_PORT/metrics" | awk '
        /^loyalty_processor_commit_seconds_(sum|count)[{]/ {
            match($0, /phase="[a-z]+"/); ph = substr($0, RSTART + 7, RLENGTH - 8)
            if ($0 ~ /_sum[{]/) s[ph] += $NF; else c[ph] += $NF }
        END { for (ph in c) print ph, s[ph] + 0, c[ph] }'
}
phase_means() { # BEFORE_FILE AFTER_FILE: mean ms per commit of each phase between the two
    awk 'NR == FNR { s0[$1] = $2; c0[$1] = $3; next }
         { s[$1] = $2 - s0[$1]; c[$1] = $3 - c0[$1] }
         END { n = split("rows wait sync write", order, " ")
               for (i = 1; i <= n; i++) if (order[i] in c && c[order[i]] > 0)
                   printf "%s %.2f ", order[i], s[order[i]] * 1000 / c[order[i]]
               printf "ms (%d commits)", c["rows"] }' "$1" "$2"
}
echo "# wal-ab $(date -u +%FT%TZ) customers $CUSTOMERS, bulk ${WARMUP}s + ${DURATION}s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
for wal in $ARMS; do
    i=$((i + 1))
    rm -rf "$OUT/data-$i"
    API_PORT=$(free_port); MGMT_PORT=$(free_port); START_MS=$(now_ms)
    env "${AB_VAR:-ENGINE_STATE_WAL}=$wal" "$ROOT/bin/engine" serve --data "$OUT/data-$i" --port "$API_PORT" \
        --management-port "$MGMT_PORT" > "$OUT/engine-$i.log" 2>&1 &
    ENGINE_PID=$!
    wait_ready "$MGMT_PORT" "$START_MS" 300 > /dev/null || { echo "arm $i: engine not ready"; tail -5 "$OUT/engine-$i.log"; exit 1; }
    harness preload --url "http://127.0.0.1:$API_PORT" --management "http://127.0.0.1:$MGMT_PORT" \
        --customers "$CUSTOMERS" > "$OUT/preload-$i.txt" 2>&1 || true
    c0=$(cpu_ticks "$ENGINE_PID"); e0=$(metric loyalty_events_processed_total); load0=$(cut -d' ' -f1 /proc/loadavg)
    commit_phases > "$OUT/phases-$i.0"
    harness run --url "http://127.0.0.1:$API_PORT" --management "http://127.0.0.1:$MGMT_PORT" --mode bulk \
        --bulk-size 100 --rate 0 --connections 8 --customers "$CUSTOMERS" --warmup "${WARMUP}s" \
        --duration "${DURATION}s" --label "wal-$wal" > "$OUT/bulk-$i.txt" 2>&1 || true
    c1=$(cpu_ticks "$ENGINE_PID"); e1=$(metric loyalty_events_processed_total); load1=$(cut -d' ' -f1 /proc/loadavg)
    commit_phases > "$OUT/phases-$i.1"
    kill -TERM "$ENGINE_PID"; wait "$ENGINE_PID" 2>/dev/null || true; ENGINE_PID=""
    rm -rf "$OUT/data-$i"
    printf 'arm %d %s=%-5s processed %s ev/s | engine CPU %s ms per 1000 events (%s events) | load %s -> %s\n' "$i" \
        "${AB_VAR:-ENGINE_STATE_WAL}" "$wal" \
        "$(field processed_per_s < "$OUT/bulk-$i.txt")" \
        "$(calc "($c1 - $c0) * 10 * 1000 / ($e1 - $e0)" 1)" "$(( e1 - e0 ))" "$load0" "$load1"
    echo "      commit phases: $(phase_means "$OUT/phases-$i.0" "$OUT/phases-$i.1")"
done
