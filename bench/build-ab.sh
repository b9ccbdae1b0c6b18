#!/bin/bash
# One arm of an A/B of two builds: the build whose home (bin/engine, api/target) is $1, tagged $2, with N customers
# ($3, default 1000000): a fresh engine, pre-load, 15 s of realistic 100-event sync bulks (events/s, engine CPU per
# 1,000 events, table lookups by result), wrk -t1 -c50 sync and async (after a warm-up), a hot customer's sync
# point_adds (hey -c20: 10 s, 20 s, 10 s; last / first), clean stop, bin/engine replay. The harness and wrk scripts
# come from this checkout; the JDK follows bin/engine (LOYALTY_JAVA_HOME). Run arms alternately, one line each:
#   bench/build-ab.sh /tmp/old-build old; bench/build-ab.sh "$PWD" new; ...
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
W=$1; TAG=$2; N=${3:-1000000}; D=/tmp/abrun-$TAG; rm -rf $D; mkdir -p $D
cd $W
bin/engine serve --data $D/data --port 18090 --management-port 18091 > $D/engine.log 2>&1 &
EP=$!
for i in $(seq 1 60); do curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:18091/health/ready 2>/dev/null | grep -q 200 && break; sleep 1; done
H="java -Xms512m -Xmx2g -XX:+UseG1GC -cp $HERE/target/benchmarks.jar dev.loyalty.bench.load.LoadHarness"
$H preload --url http://127.0.0.1:18090 --management http://127.0.0.1:18091 --customers $N > $D/preload.txt 2>&1
ev() { curl -s http://127.0.0.1:18091/metrics | awk '/^loyalty_events_processed_total\{/ { s += $NF } END { printf "%d", s }'; }
C0=$(awk '{print $14+$15}' /proc/$EP/stat); E0=$(ev)
$H run --url http://127.0.0.1:18090 --management http://127.0.0.1:18091 --mode bulk --bulk-size 100 --rate 0 --connections 8 \
   --customers $N --warmup 5s --duration 15s --label bulk-$TAG > $D/bulk.txt 2>&1
C1=$(awk '{print $14+$15}' /proc/$EP/stat); E1=$(ev)
CPE=$(awk -v c=$((C1-C0)) -v e=$((E1-E0)) -v hz=$(getconf CLK_TCK) 'BEGIN { printf "%.1f", c * 1000 / hz / e * 1000 }')
HITS=$(curl -s http://127.0.0.1:18091/metrics | awk '/^loyalty_customer_table_lookups_total/ { split($0, p, "result=\""); split(p[2], q, "\""); n[q[1]] += $NF; t += $NF } END { for (k in n) printf "%s %.0f%% ", k, 100 * n[k] / t }')
wrk -t1 -c50 -d8s -s $HERE/wrk/post-event.lua http://127.0.0.1:18090 -- $N /events 1 > /dev/null
S=$(wrk -t1 -c50 -d15s -s $HERE/wrk/post-event.lua http://127.0.0.1:18090 -- $N /events 1 | awk '/Requests\/sec/ {print $2}')
A=$(wrk -t1 -c50 -d15s -s $HERE/wrk/post-event.lua http://127.0.0.1:18090 -- $N "/events?mode=async" 1 | awk '/Requests\/sec/ {print $2}')
HOT=hot-$TAG-$$
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -H 'Authorization: Bearer dev-key' -d "{\"customer\":\"$HOT\",\"action\":\"opt_in\"}" http://127.0.0.1:18090/events
HB="{\"customer\":\"$HOT\",\"action\":\"point_add\",\"data\":{\"points\":1}}"
hey_rps() { hey -z "$1"s -c 20 -m POST -T application/json -H "Authorization: Bearer dev-key" -d "$HB" http://127.0.0.1:18090/events | awk '/Requests\/sec/ {print $2}'; }
H1=$(hey_rps 10); hey_rps 20 > /dev/null; H3=$(hey_rps 10)
HOT_R=$(awk -v a="$H1" -v b="$H3" 'BEGIN { printf "%.3f (%d -> %d)", b/a, a, b }')
kill $EP; wait $EP 2>/dev/null
B=$(grep -o 'processed_per_s=[0-9]*' $D/bulk.txt)
bin/engine replay --data $D/data --into $D/replay > $D/replay.txt 2>&1
R=$(awk '/^events:/ {e=$2} /^time:/ {t=$2} /^identical:/ {i=$2} END {printf "%d ev in %s s (%.0f/s) identical %s", e, t, e/t, i}' $D/replay.txt)
echo "$TAG $(date +%H:%M) load $(cut -d' ' -f1 /proc/loadavg): bulk $B cpu_ms/1000ev $CPE lookups: $HITS| sync $S async $A hot $HOT_R replay $R"
rm -rf $D
