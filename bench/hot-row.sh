#!/usr/bin/env bash
# run-all.sh's hot-customer row on its own, with where its CPU goes: a fresh engine warmed up by HOT_WARMUP seconds of
# point_adds to another customer, one customer's opt_in, then sync point_adds to it from hey (HOT_CONNECTIONS
# connections) in runs of HOT_WINDOW, HOT_DURATION - 2 x HOT_WINDOW and HOT_WINDOW seconds back to back, as run-all.sh
# does. Per window it prints the rate, the engine's thread CPU by
# role per request (from /proc: processors, committer, RocksDB, event loops, GC) and the commits; the ratio is the
# last window's rate over the first's. With PROFILE=1, JFR over the last window.
#
#   bench/hot-row.sh [LABEL] [TREE]     TREE: the checkout whose bin/engine runs (default: this one; must be built)
#
# Compare two builds alternating, same settings: the CPU per request of the first and last windows moves far less
# on a shared machine than the rates do.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
LABEL="${1:-run}"
TREE="$(cd "${2:-$HERE/..}" && pwd)"
: "${HOT_DURATION:=60}" "${HOT_WINDOW:=10}" "${HOT_CONNECTIONS:=20}" "${HOT_WARMUP:=15}" "${PROFILE:=0}"
WORK="${WORK:-/tmp/hot-row}/$LABEL"
. "$HERE/lib.sh"

rm -rf "$WORK"
mkdir -p "$WORK"
start_engine "$TREE" "$WORK"

echo "# hot row $LABEL, $(date -u +%H:%M:%SZ), tree $TREE at $(git -C "$TREE" rev-parse --short HEAD 2>/dev/null)," \
    "engine $("${LOYALTY_JAVA_HOME:+$LOYALTY_JAVA_HOME/bin/}java" -version 2>&1 | head -1), JAVA_OPTS='${JAVA_OPTS:-}'"
echo "# uptime at start: $(uptime)"

# CPU ticks (10 ms) summed by role over the engine's threads
roles_now() { cpu_by_thread "$E" > "$WORK/threads-now"; cpu_by_role "$WORK/threads-now"; }
metric_sum() { curl -s --max-time 10 "$MGMT/metrics" | awk -v n="$1" '$0 !~ /^#/ && index($0, n) == 1 { s += $NF } END { printf "%.0f", s }'; }

# run-all.sh's row comes after the other rows, on a warm JVM: warm this one up on another customer first
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -H 'Authorization: Bearer dev-key' \
    -d '{"customer":"warm-up","action":"opt_in"}' "$API/events"
hey -z "$HOT_WARMUP"s -c "$HOT_CONNECTIONS" -m POST -T application/json -H "Authorization: Bearer dev-key" \
    -d '{"customer":"warm-up","action":"point_add","data":{"points":1}}' "$API/events" > "$WORK/hey-warm-up.txt" 2>&1 || true
HOT="hot-$$"
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -H 'Authorization: Bearer dev-key' \
    -d "{\"customer\":\"$HOT\",\"action\":\"opt_in\"}" "$API/events"
BODY="{\"customer\":\"$HOT\",\"action\":\"point_add\",\"data\":{\"points\":1}}"

window() { # window NAME SECONDS
    roles_now > "$WORK/cpu-$1-0"
    local c0 r0
    c0=$(metric_sum loyalty_processor_commits_total)
    [ "$PROFILE" = 1 ] && [ "$1" = last ] && jcmd "$E" JFR.start name=hot settings=profile duration="$2"s \
        filename="$WORK/hot.jfr" > /dev/null 2>&1 || true
    hey -z "$2"s -c "$HOT_CONNECTIONS" -m POST -T application/json -H "Authorization: Bearer dev-key" \
        -d "$BODY" "$API/events" > "$WORK/hey-$1.txt" 2>&1 || true
    roles_now > "$WORK/cpu-$1-1"
    local rps n commits
    rps=$(awk '/Requests\/sec:/ { print $2 }' "$WORK/hey-$1.txt")
    n=$(awk '/\[200\]/ { print $2 }' "$WORK/hey-$1.txt")
    commits=$(( $(metric_sum loyalty_processor_commits_total) - c0 ))
    echo "$1 ${2}s: $rps req/s, $n answered 200, $commits commits; CPU us per request by role:"
    join "$WORK/cpu-$1-0" "$WORK/cpu-$1-1" | awk -v n="${n:-1}" '{ printf "  %-12s %7.2f\n", $1, ($3 - $2) * 10000 / n }'
    echo "$rps" > "$WORK/rps-$1"
}
window first "$HOT_WINDOW"
window middle "$(( HOT_DURATION - 2 * HOT_WINDOW ))"
window last "$HOT_WINDOW"
LOTS=$(curl -s --max-time 10 -H 'Authorization: Bearer dev-key' "$API/customers/$HOT" \
    | sed -n 's/.*"points":{"balance":\([0-9]*\).*/\1/p')
echo "ratio $(calc "$(cat "$WORK/rps-last") / $(cat "$WORK/rps-first")" 3) (last / first); balance (one lot per point_add) ${LOTS:-n/a}"
echo "commit phases (seconds, summed): $(curl -s --max-time 10 "$MGMT/metrics" | grep -E '^loyalty_processor_commit_seconds_sum' | sed 's/loyalty_processor_commit_seconds_sum//' | tr '\n' ' ')"
echo "# uptime at end: $(uptime)"
if [ "$PROFILE" = 1 ]; then
    for i in $(seq 1 100); do [ -s "$WORK/hot.jfr" ] && break; sleep 0.2; done
    jfr print --stack-depth 64 --events jdk.ExecutionSample "$WORK/hot.jfr" > "$WORK/samples.txt" 2>/dev/null || true
    echo "---- JFR samples per thread (last window)"
    grep sampledThread "$WORK/samples.txt" | sed 's/ *(javaThreadId.*//; s/.*= //' | sort | uniq -c | sort -rn | head -8
    echo "---- hottest engine frames (inclusive)"
    grep 'line:' "$WORK/samples.txt" | sed 's/line:.*//; s/^ *//' | grep '^dev\.loyalty' | sort | uniq -c | sort -rn | head -25
fi
