#!/usr/bin/env bash
# Issue 13's figures: the same load against the engine on the Chronicle journal, on Kafka with one node and
# on Kafka with two nodes sharing the partitions (consumer group), on this machine (the Kafka broker, the
# nodes and the load generators all share its cores).
#
#   bench/kafka-nodes.sh                 # writes bench/results/<date>-kafka-nodes-<host>.txt
#   SETUPS="kafka-2" bench/kafka-nodes.sh
#
# Per setup: a fresh broker (`bin/engine dev-kafka`) for the Kafka setups, fresh data folders, CUSTOMERS
# pre-loaded through node 1, then BULK_SIZE-event sync bulks closed loop for WARMUP + DURATION seconds from one
# harness per node (CONNECTIONS split between them; each reports what its node processed, from the node's
# loyalty_events_processed_total, and the sum is the cluster's rate), then sync POST /events at SYNC_RATE req/s
# against node 1 (with two nodes about half of them are forwarded to the other node) for p50/p99.
#
# Settings: SETUPS="chronicle kafka-1 kafka-2" CUSTOMERS=100000 PARTITIONS=4 BULK_SIZE=100 CONNECTIONS=8
#           WARMUP=10 DURATION=30 SYNC_RATE=500 SYNC_DURATION=20 SKIP_BUILD=1 (needs a built tree) OUT=file
#           NODE_JAVA_OPTS="..." (JAVA_OPTS of the engine nodes only; not the broker's)
#           IDLE=0 (seconds: CPU per second of each process with no load, measured after the preload)
#           READY_TIMEOUT=180 (seconds for a node to be ready; more on a machine busy with other work)
#           JFR_DIR=dir (a JFR profile of every node over the bulk phase: dir/<setup>-node-N.jfr)
#           FAILOVER=1 (kafka-2 only: SIGKILL node 2 after the sync phase, time until node 1 serves every
#           partition, then node 2 back on its folder and its time to ready; FAILOVER=0 skips it)
# SYNC_RATE is 500 req/s: a rate every setup sustains on a 2-core machine, so p50/p99 are latencies, not the
# queueing of a phase offered more than it can take (at 1,000 req/s one Kafka node ran at its edge and the sync
# phase was bimodal run to run). The achieved rate is printed beside them: below SYNC_RATE, the figures are void.
# Also prints the CPU time of the nodes and of the broker per 1,000 events processed over the bulk phase
# (/proc/PID/stat), which a machine shared with other work distorts less than the rates.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
cd "$ROOT"
. "$HERE/lib.sh"

SETUPS="${SETUPS:-chronicle kafka-1 kafka-2}"
CUSTOMERS="${CUSTOMERS:-100000}" PARTITIONS="${PARTITIONS:-4}" BULK_SIZE="${BULK_SIZE:-100}"
CONNECTIONS="${CONNECTIONS:-8}" WARMUP="${WARMUP:-10}" DURATION="${DURATION:-30}"
SYNC_RATE="${SYNC_RATE:-500}" SYNC_DURATION="${SYNC_DURATION:-20}"
JAR="$HERE/target/benchmarks.jar"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
HARNESS_JVM=(-Xms256m -Xmx1g -XX:+UseG1GC)
HOST="$(hostname -s 2>/dev/null || hostname)"
# OUT=file: where the figures go; appended to (a second run adds a section instead of replacing the first).
OUT="${OUT:-$HERE/results/$(date -u +%Y-%m-%d)-kafka-nodes-$HOST.txt}"
WORK="$(mktemp -d /tmp/kafka-nodes.XXXXXX)"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -q -B -o -DskipTests -Dcds.skip=true package
fi
[ -f "$JAR" ] || { echo "kafka-nodes.sh: $JAR missing (build first)" >&2; exit 1; }

PIDS=()
cleanup() {
    for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
    sleep 2
    for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "$*" | tee -a "$OUT"; }
# cpu_ticks PID...: user + system CPU of the processes so far, in clock ticks
cpu_ticks() { local t=0 p; for p in "$@"; do t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0) )); done; echo "$t"; }
# processed_total MGMT_URL...: loyalty_events_processed_total summed over the nodes (each counts its partitions)
processed_total() {
    local m; for m in "$@"; do curl -s --max-time 5 "$m/metrics" || true; done \
        | awk '/^loyalty_events_processed_total\{/ { s += $NF } END { printf "%d", s }'
}
harness() { "$JAVA" "${HARNESS_JVM[@]}" -cp "$JAR" dev.loyalty.bench.load.LoadHarness "$@"; }

{
    echo "# Kafka nodes vs Chronicle, $(date -u +%Y-%m-%dT%H:%M:%SZ), host $HOST, $(nproc) cores"
    echo "# git $(git rev-parse --short HEAD); java: $("$JAVA" -version 2>&1 | head -1)"
    echo "# CUSTOMERS=$CUSTOMERS PARTITIONS=$PARTITIONS BULK_SIZE=$BULK_SIZE CONNECTIONS=$CONNECTIONS WARMUP=$WARMUP DURATION=$DURATION SYNC_RATE=$SYNC_RATE SYNC_DURATION=$SYNC_DURATION"
    echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >> "$OUT"

# start_node NAME KIND BOOTSTRAP: sets NODE_PID NODE_API NODE_MGMT
start_node() {
    local api mgmt
    api=$(free_port); mgmt=$(free_port)
    local env=(ENGINE_PARTITIONS="$PARTITIONS")
    if [ "$2" = kafka ]; then
        env+=(ENGINE_JOURNAL_KIND=kafka ENGINE_JOURNAL_KAFKA_BOOTSTRAP_SERVERS="$3" ENGINE_CLUSTER_NODE_ID="$1"
              ENGINE_CLUSTER_ADVERTISED_URL="http://127.0.0.1:$api")
    fi
    [ -n "${NODE_JAVA_OPTS:-}" ] && env+=(JAVA_OPTS="${NODE_JAVA_OPTS//@NODE@/$1}")
    env "${env[@]}" "$ROOT/bin/engine" serve --data "$WORK/$1" --port "$api" --management-port "$mgmt" \
        > "$WORK/$1.log" 2>&1 &
    NODE_PID=$!; NODE_API="http://127.0.0.1:$api"; NODE_MGMT="http://127.0.0.1:$mgmt"
    PIDS+=("$NODE_PID")
}

for setup in $SETUPS; do
    say ""
    say "==== $setup ($(date -u +%H:%M:%S), load average $(cut -d' ' -f1-3 /proc/loadavg))"
    kind=kafka; nodes=1; bootstrap=""
    case "$setup" in
        chronicle) kind=chronicle ;;
        kafka-1) nodes=1 ;;
        kafka-2) nodes=2 ;;
        *) echo "unknown setup $setup" >&2; exit 2 ;;
    esac
    if [ "$kind" = kafka ]; then
        kport=$(free_port); cport=$(free_port)
        "$ROOT/bin/engine" dev-kafka --data "$WORK/kafka-$setup" --port "$kport" --controller-port "$cport" \
            > "$WORK/kafka-$setup.log" 2>&1 &
        KPID=$!; PIDS+=("$KPID")
        bootstrap="127.0.0.1:$kport"
        for _ in $(seq 1 600); do grep -q "bootstrap servers" "$WORK/kafka-$setup.log" && break; sleep 0.1; done
    fi
    apis=(); mgmts=(); pids=()
    for n in $(seq 1 "$nodes"); do
        t0=$(now_ms)
        start_node "$setup-node-$n" "$kind" "$bootstrap"
        apis+=("$NODE_API"); mgmts+=("$NODE_MGMT"); pids+=("$NODE_PID")
    done
    for n in $(seq 0 $((nodes - 1))); do
        port="${mgmts[$n]##*:}"
        ms=$(wait_ready "$port" "$t0" "${READY_TIMEOUT:-180}") || { say "node $((n + 1)) not ready; log:"; tail -20 "$WORK/$setup-node-$((n + 1)).log"; exit 1; }
        say "node $((n + 1)) ready (${apis[$n]})"
    done
    harness preload --url "${apis[0]}" --management "${mgmts[0]}" --customers "$CUSTOMERS" > "$WORK/preload.txt" 2>&1 || true
    say "$(grep '^preloaded' "$WORK/preload.txt" || tail -3 "$WORK/preload.txt")"

    if [ "${IDLE:-0}" -gt 0 ]; then
        # What the nodes and the broker cost with no request at all (pollers, heartbeats, directory): paid per
        # second whatever the load, so it weighs on every figure per event, the more the lower the rate.
        sleep 5
        i0=(); for pid in "${pids[@]}"; do i0+=("$(cpu_ticks "$pid")"); done
        ik0=$([ "$kind" = kafka ] && cpu_ticks "$KPID" || echo 0)
        sleep "$IDLE"
        idle=""; hz=$(getconf CLK_TCK)
        for n in $(seq 0 $((nodes - 1))); do
            idle+="node $((n + 1)) $(calc "($(cpu_ticks "${pids[$n]}") - ${i0[$n]}) * 1000 / $hz / $IDLE" 1) ms; "
        done
        idle+="broker $(calc "($([ "$kind" = kafka ] && cpu_ticks "$KPID" || echo 0) - $ik0) * 1000 / $hz / $IDLE" 1) ms"
        say "idle, CPU per second over ${IDLE} s: $idle"
    fi
    per=$(( CONNECTIONS / nodes )); [ "$per" -ge 1 ] || per=1
    # CPU per event over the bulk phase (warm-up included): what a busy shared machine distorts least.
    ncpu0=(); for pid in "${pids[@]}"; do ncpu0+=("$(cpu_ticks "$pid")"); done
    cpu0=$(cpu_ticks "${pids[@]}"); kcpu0=$([ "$kind" = kafka ] && cpu_ticks "$KPID" || echo 0)
    ev0=$(processed_total "${mgmts[@]}")
    if [ -n "${JFR_DIR:-}" ]; then
        mkdir -p "$JFR_DIR"
        for pid in "${pids[@]}"; do "${JAVA_HOME:+$JAVA_HOME/bin/}jcmd" "$pid" JFR.start name=bulk settings=profile > /dev/null || true; done
    fi
    loads=()
    for n in $(seq 0 $((nodes - 1))); do
        harness run --url "${apis[$n]}" --management "${mgmts[$n]}" --mode bulk --bulk-size "$BULK_SIZE" --rate 0 \
            --connections "$per" --customers "$CUSTOMERS" --warmup "${WARMUP}s" --duration "${DURATION}s" \
            --label "bulk-$setup-$((n + 1))" > "$WORK/bulk-$n.txt" 2>&1 &
        loads+=("$!")
    done
    for j in "${loads[@]}"; do wait "$j" || true; done
    total=0; answered=0
    for n in $(seq 0 $((nodes - 1))); do
        p=$(field processed_per_s < "$WORK/bulk-$n.txt"); a=$(field events_per_s < "$WORK/bulk-$n.txt")
        say "node $((n + 1)): processed ${p:-NaN} events/s, answered ${a:-NaN} events/s, lag max $(field lag_max < "$WORK/bulk-$n.txt"), statuses: $(grep '^statuses' "$WORK/bulk-$n.txt" | head -1)"
        total=$(calc "$total + ${p:-NaN}" 0); answered=$(calc "$answered + ${a:-NaN}" 0)
    done
    say "RESULT setup=$setup nodes=$nodes bulk_processed_per_s=$total bulk_answered_per_s=$answered"
    ncpu1=(); for pid in "${pids[@]}"; do ncpu1+=("$(cpu_ticks "$pid")"); done
    cpu1=$(cpu_ticks "${pids[@]}"); kcpu1=$([ "$kind" = kafka ] && cpu_ticks "$KPID" || echo 0)
    ev=$(( $(processed_total "${mgmts[@]}") - ev0 )); hz=$(getconf CLK_TCK)
    # After the CPU was read: writing the recording is not the bulk phase's.
    if [ -n "${JFR_DIR:-}" ]; then
        for n in $(seq 0 $((nodes - 1))); do
            "${JAVA_HOME:+$JAVA_HOME/bin/}jcmd" "${pids[$n]}" JFR.stop name=bulk filename="$JFR_DIR/$setup-node-$((n + 1)).jfr" > /dev/null || true
        done
    fi
    if [ "$ev" -gt 0 ]; then
        say "bulk phase: $ev events processed; CPU per 1,000 events: nodes $(calc "($cpu1 - $cpu0) * 1000000 / $hz / $ev" 1) ms, broker $(calc "($kcpu1 - $kcpu0) * 1000000 / $hz / $ev" 1) ms"
        per_node=""
        for n in $(seq 0 $((nodes - 1))); do
            per_node+="node $((n + 1)) $(calc "(${ncpu1[$n]} - ${ncpu0[$n]}) * 1000000 / $hz / $ev" 1) ms; "
        done
        say "  of which: $per_node"
        say "RESULT setup=$setup cpu_ms_per_1000_events_nodes=$(calc "($cpu1 - $cpu0) * 1000000 / $hz / $ev" 1) cpu_ms_per_1000_events_broker=$(calc "($kcpu1 - $kcpu0) * 1000000 / $hz / $ev" 1)"
    fi

    harness run --url "${apis[0]}" --management "${mgmts[0]}" --mode sync --rate "$SYNC_RATE" --connections 16 \
        --customers "$CUSTOMERS" --warmup 5s --duration "${SYNC_DURATION}s" --label "sync-$setup" > "$WORK/sync.txt" 2>&1 || true
    achieved=$(field events_per_s < "$WORK/sync.txt")
    # Latencies of a phase that did not keep up are its queue, not the path: said on the line itself.
    kept=$(awk -v a="${achieved:-0}" -v r="$SYNC_RATE" 'BEGIN { print (a >= 0.95 * r) ? "sustained" : "NOT SUSTAINED: latencies are queueing" }')
    say "sync at $SYNC_RATE req/s through node 1: p50 $(field p50_ms < "$WORK/sync.txt") ms, p99 $(field p99_ms < "$WORK/sync.txt") ms, p99.9 $(field p999_ms < "$WORK/sync.txt") ms, achieved ${achieved} req/s ($kept), statuses: $(grep '^statuses' "$WORK/sync.txt" | head -1)"
    say "RESULT setup=$setup sync_p50_ms=$(field p50_ms < "$WORK/sync.txt") sync_p99_ms=$(field p99_ms < "$WORK/sync.txt")"
    # What the 409s were: the rules' refusals over the whole run, summed over the nodes (each counts its partitions).
    rejected=$(for m in "${mgmts[@]}"; do curl -s --max-time 5 "$m/metrics" || true; done \
        | awk -F'[{}]' '/^loyalty_events_processed_total\{/ && /outcome="rejected"/ { split($3, v, " "); n[$2] += v[1] }
                         END { for (k in n) printf "%s %d; ", k, n[k] }')
    say "rules' refusals during the run (all phases): ${rejected:-none}"

    if [ "$nodes" = 2 ] && [ "${FAILOVER:-1}" = 1 ]; then
        # Failover and restore: SIGKILL node 2, then time until node 1 serves every partition (its /stats sums
        # the partitions it owns and answers 200 only when they cover all of them, i.e. once it took node 2's
        # partitions over, restored and caught them up). The wait includes cluster.session-timeout (the broker
        # notices the dead member only then). Then node 2 starts again on its own folder: time to ready (it
        # takes its partitions back from its own last commit; the rebalance moves them from node 1).
        kill -KILL "${pids[1]}" 2>/dev/null || true; wait "${pids[1]}" 2>/dev/null || true
        tk=$(now_ms); served=""
        while [ $(( $(now_ms) - tk )) -lt 120000 ]; do
            code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H 'X-Api-Key: dev-key' "${apis[0]}/stats" || true)
            if [ "$code" = 200 ]; then served=$(( $(now_ms) - tk )); break; fi
            sleep 0.05
        done
        say "failover: node 2 SIGKILLed; node 1 serves every partition after ${served:-over 120000} ms (session timeout included)"
        say "  node 1's log: $(grep -E 'resumes from|caught up|replays|assigned|revoked|lost' "$WORK/$setup-node-1.log" | tail -6 | sed 's/^/| /' | tr '\n' ' ')"
        say "RESULT setup=$setup failover_ms=${served:-NaN}"
        t0=$(now_ms)
        start_node "$setup-node-2" kafka "$bootstrap"; pids[1]="$NODE_PID"; apis[1]="$NODE_API"; mgmts[1]="$NODE_MGMT"
        back=$(wait_ready "${NODE_MGMT##*:}" "$t0" "${READY_TIMEOUT:-180}" || echo "")
        # Ready comes after its first rebalance, which may give it nothing yet (cooperative rebalancing moves
        # partitions in a second round): wait until it serves some, up to 60 s.
        owned=""
        while [ $(( $(now_ms) - t0 )) -lt $(( ${back:-0} + 60000 )) ]; do
            n2=$(curl -s --max-time 2 "${mgmts[1]}/metrics" | awk '/^loyalty_cluster_partitions_owned/ { print int($NF) }')
            if [ "${n2:-0}" -gt 0 ]; then owned=$(( $(now_ms) - t0 )); break; fi
            sleep 0.1
        done
        say "rejoin: node 2 restarted on its folder, ready after ${back:-NaN} ms, serving ${n2:-0} partitions after ${owned:-NaN} ms (JVM start included); its log: $(grep -E 'assigned|resumes from|caught up' "$WORK/$setup-node-2.log" | tail -6 | sed 's/^/| /' | tr '\n' ' ')"
        say "RESULT setup=$setup rejoin_ready_ms=${back:-NaN} rejoin_serving_ms=${owned:-NaN}"
    fi

    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$kind" = kafka ]; then kill -TERM "$KPID" 2>/dev/null || true; wait "$KPID" 2>/dev/null || true; fi
done
say ""
say "written to $OUT"
