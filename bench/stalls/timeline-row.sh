#!/bin/bash
# The latency row on a timeline (issue 12, stalls): latbis.sh's set-up (a fresh engine built in the tree $1, 1M
# customers preloaded, wrk sync then async 20 s each as warm-up, then the harness row at rate $2), plus the
# harness's --timeline (10 ms slices), optional JFR (JFR=1), the engine's metrics every ~100 ms (SCRAPE=1), each
# engine thread's CPU and run-queue wait every 100 ms from /proc (SCHED=1, sched-sampler.py) and the RocksDB LOGs.
# Output in $OUT/run-$3 (default /tmp/stalls). Summaries: sched-summary.py, sched-vs-timeline.py, jfr-aggregate.py,
# commit-phases.py (the commits' phases over the row, from /metrics before and after it) and, with XLOG=1 (the engine's
# and the harness's GC and safepoint logs), safepoints-vs-timeline.py. DURATION=<s> shortens the measured window (60).
# Usage: bench/stalls/timeline-row.sh <built tree> [rate] [tag]   (HARNESS=<benchmarks.jar> to pin the harness)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
W=$1; RATE=${2:-8833}; TAG=${3:-$(basename $W)}
D=${OUT:-/tmp/stalls}/run-$TAG; rm -rf $D; mkdir -p $D
cd $W
JO="${EXTRA_OPTS:-}"
HO=""
if [ "${XLOG:-0}" = 1 ]; then
  JO="$JO -Xlog:gc:file=$D/engine-gc.log:utctime -Xlog:safepoint:file=$D/engine-sp.log:utctime"
  HO="-Xlog:gc:file=$D/harness-gc.log:utctime -Xlog:safepoint:file=$D/harness-sp.log:utctime"
fi
if [ "${JFR:-0}" = 1 ]; then
  JO="$JO -XX:StartFlightRecording=filename=$D/rec.jfr,settings=profile,jdk.ThreadPark#threshold=2ms,jdk.JavaMonitorWait#threshold=2ms,jdk.JavaMonitorEnter#threshold=1ms,jdk.FileRead#threshold=2ms,jdk.FileWrite#threshold=2ms,jdk.FileForce#threshold=1ms,jdk.SocketRead#threshold=5ms,jdk.SocketWrite#threshold=2ms,jdk.CPULoad#period=100ms,jdk.ThreadCPULoad#period=100ms,jdk.SafepointBegin#threshold=0ms"
fi
JAVA_OPTS="$JO" LOYALTY_JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 bin/engine serve --data $D/data --port 18090 --management-port 18091 > $D/engine.log 2>&1 &
EP=$!
for i in $(seq 1 60); do curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:18091/health/ready 2>/dev/null | grep -q 200 && break; sleep 1; done
H="java -Xms512m -Xmx2g -XX:+UseG1GC $HO -cp ${HARNESS:-$W/bench/target/benchmarks.jar} dev.loyalty.bench.load.LoadHarness"
$H preload --url http://127.0.0.1:18090 --management http://127.0.0.1:18091 --customers 1000000 > $D/preload.txt 2>&1
for p in /events /events?mode=async; do
  wrk -t1 -c50 -d20s --latency -s $W/bench/wrk/post-event.lua http://127.0.0.1:18090 -- 1000000 "$p" 1 | grep Requests/sec
done
echo "== $TAG rate $RATE ($(uptime))"
if [ "${SCRAPE:-0}" = 1 ]; then
  ( while kill -0 $EP 2>/dev/null; do
      echo "T $(date +%s%3N)"; curl -s http://127.0.0.1:18091/metrics | grep -E "^loyalty_(requests_in_flight|partition_lag_records|processor_commits_total|rocksdb_(running_compactions|write_stopped|delayed_write_rate|pending_compaction|memtable))"
      sleep 0.1; done ) > $D/metrics.txt 2>/dev/null &
  SP=$!
fi
[ "${SCHED:-0}" = 1 ] && { python3 $HERE/sched-sampler.py $EP $D/sched.jsonl & }
curl -s http://127.0.0.1:18091/metrics > $D/metrics-start.txt
awk '{print $14+$15}' /proc/$EP/stat > $D/cpu-before.txt
$H run --url http://127.0.0.1:18090 --management http://127.0.0.1:18091 --mode sync --rate $RATE --connections 50 \
   --customers 1000000 --warmup 20s --duration ${DURATION:-60}s --label latency-$TAG-$RATE --timeline $D/timeline.csv > $D/lat.txt 2>&1
awk '{print $14+$15}' /proc/$EP/stat > $D/cpu-after.txt
echo "engine CPU ticks in the row: $(( $(cat $D/cpu-after.txt) - $(cat $D/cpu-before.txt) ))"
grep -E "response time|service time|warm-up backlog|statuses" $D/lat.txt
[ "${SCRAPE:-0}" = 1 ] && kill $SP
curl -s http://127.0.0.1:18091/metrics > $D/metrics-end.txt
kill $EP; wait $EP 2>/dev/null
for f in $D/data/state/*/LOG; do p=$(basename $(dirname $f)); cp $f $D/LOG-$p; done
echo "uptime after: $(uptime)"
