#!/usr/bin/env bash
# Clean starts of one data folder, alternating between program homes: time and JVM CPU to the first
# /health/ready 200 on the management port (bench/run-all.sh's clean-restart row: process start of
# `bin/engine serve` to that answer), and when the log's first line came.
#
#   bench/start-ab.sh N TAG=HOME [TAG=HOME ...]
#
# HOME is a folder holding bin/engine and api/target (the worktree itself, or a copy of an older build's).
# Each start runs on a fresh copy of $SRC (default /tmp/stbig, never written), stops with SIGTERM (a clean
# stop, so a Java 19+ start keeps its class-data archive), and prints one line per start:
#   TAG ready MS cpu MS first-log MS after-open MS "engine opened (ms) ..."
# Environment: SRC, COPY (the copy's folder, default /tmp/s3-copy), LOYALTY_JAVA_HOME (the JDK), PORT (the API
# port; the management port is PORT+1), JAVA_OPTS (passed on).
set -euo pipefail
N=$1; shift
SRC="${SRC:-/tmp/stbig}"
COPY="${COPY:-/tmp/s3-copy}"
PORT="${PORT:-18390}"
MPORT=$((PORT + 1))
TICK=$(getconf CLK_TCK)

now_ms() { date +%s%3N; }
cpu_ms() { awk -v t="$TICK" '{ print int(($14 + $15) * 1000 / t) }' "/proc/$1/stat"; }

for i in $(seq 1 "$N"); do
    for arm in "$@"; do
        tag="${arm%%=*}"; home="${arm#*=}"
        while ss -ltn | grep -q ":$PORT \|:$MPORT "; do sleep 0.1; done
        rm -rf "$COPY"; cp -a "$SRC" "$COPY"; sync
        log="$COPY.log"
        t0=$(now_ms)
        "$home/bin/engine" serve --data "$COPY" --port "$PORT" --management-port "$MPORT" > "$log" 2>&1 &
        pid=$!
        until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/health/ready")" = 200 ]; do
            kill -0 "$pid" 2>/dev/null || { echo "$tag: the engine exited"; tail -5 "$log"; exit 1; }
            sleep 0.02
        done
        t=$(now_ms)
        cpu=$(cpu_ms "$pid")
        # the first log line's time of day (HH:MM:SS.mmm), as ms since t0
        first=$(grep -m1 -o '^[0-9-]*[ T][0-9:]*\.[0-9]*' "$log" || true)
        first_ms=NaN
        if [ -n "$first" ]; then
            first_ms=$(( $(date -d "${first/T/ }" +%s%3N) - t0 ))
        fi
        # from the engine's open to the first 200 (the HTTP start and the first answer)
        opened=$(grep -m1 'engine opened' "$log" | grep -o '^[0-9-]*[ T][0-9:]*\.[0-9]*' || true)
        after_open=NaN
        if [ -n "$opened" ]; then
            after_open=$(( t - $(date -d "${opened/T/ }" +%s%3N) ))
        fi
        echo "$tag ready $((t - t0)) cpu $cpu first-log $first_ms after-open $after_open" \
            "$(grep -o 'engine opened (ms).*' "$log" | cut -c1-160)"
        kill -TERM "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    done
done
rm -rf "$COPY"
