# Helpers shared by the bench scripts (run-all.sh, restart-profile.sh, gc-compare.sh, kafka-nodes.sh): sourced, not run.

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# calc EXPR [DECIMALS]: arithmetic on figures; NaN when a figure is missing
calc() {
    case "$1" in *NaN*|*n/a*) echo NaN; return 0 ;; esac
    awk "BEGIN { x = $1; if (x == int(x) && x < 1e15) printf \"%d\", x; else printf \"%.${2:-3}f\", x }" 2>/dev/null || echo NaN
}
field() { # field KEY from the last RESULT line on stdin ("" when absent)
    grep '^RESULT' | tail -1 | tr ' ' '\n' | sed -n "s/^$1=//p"
    return 0
}
# free_port: a port nothing listens on, below the kernel's ephemeral range (ip_local_port_range), so the outgoing
# connections of the load generators and the engine cannot take it between this check and the server's bind
free_port() {
    local p low=32768
    [ -r /proc/sys/net/ipv4/ip_local_port_range ] && read -r low _ < /proc/sys/net/ipv4/ip_local_port_range
    [ "$low" -gt 11024 ] || low=61000 # an unusual range: fall back to the ports above Linux's default one
    while true; do
        if [ "$low" -eq 61000 ]; then p=$(( 61000 + RANDOM % 4000 )); else p=$(( 10000 + RANDOM % (low - 10000) )); fi
        if ! ss -ltn "( sport = :$p )" 2>/dev/null | grep -q ":$p"; then
            echo "$p"
            return
        fi
    done
}
lines_of() { [ -f "$1" ] && wc -l < "$1" || echo 0; }
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" || true; }
# wait_ready MGMT_PORT START_MS TIMEOUT_S: prints ms from START_MS to the first /health/ready 200
wait_ready() {
    local deadline=$(( $(now_ms) + $3 * 1000 ))
    while [ "$(now_ms)" -lt "$deadline" ]; do
        if [ "$(http_code "http://127.0.0.1:$1/health/ready")" = 200 ]; then
            echo $(( $(now_ms) - $2 ))
            return 0
        fi
        sleep 0.02
    done
    return 1
}

# ---- GC pauses, counted the same way on every collector (run-all.sh, restart-profile.sh, gc-compare.sh).
# `-Xlog:gc` alone prints G1's pauses ("Pause Young (Normal) ... 4.2ms") but none of generational ZGC's: its gc
# lines are whole concurrent collections ("Minor Collection ... 0.312s"), its pauses only come with gc+phases
# ("Y: Pause Mark Start 0.046ms"). safepoint adds each stop as the application sees it, time to reach the
# safepoint included (under load ZGC's 0.04 ms "Relocate Start" was a 14 ms safepoint, 10.7 ms of it reaching it).
# gc_log_opts FILE: the JVM option that logs both into FILE
gc_log_opts() { echo "-Xlog:gc,gc+phases,safepoint:file=$1:uptime,level,tags"; }
# gc_pauses GC_LOG [FROM_LINE [TO_LINE]]: "COUNT MAX_MS OVER_10MS STOP_MAX_MS STOPS_OVER_10MS" of the lines after
# FROM_LINE up to TO_LINE (default: all). COUNT is the collector's "Pause ... <n>ms" lines; the stops are the
# safepoints of collector operations (G1*, Z*, Shenandoah*, ...; not Cleanup or deoptimisation). With no pause line
# every other figure is NaN: a log that names no pause measured nothing (wrong -Xlog tags, or no collection).
gc_pauses() {
    awk -v a="${2:-0}" -v b="${3:-}" '
        NR <= a || (b != "" && NR > b) { next }
        /Safepoint "/ && match($0, /Safepoint "(G1|Z[A-Z]|Shenandoah|Parallel|GenCollect|CollectFor)/) \
            && match($0, /Total: [0-9]+ ns/) {
            s = substr($0, RSTART + 7, RLENGTH - 10) / 1e6; stops++; if (s > smax) smax = s; if (s > 10) sover++; next }
        /Pause/ && match($0, /[0-9.]+ms$/) {
            v = substr($0, RSTART, RLENGTH - 2) + 0; n++; if (v > max) max = v; if (v > 10) over++ }
        END {
            if (n == 0) { print "0 NaN NaN NaN NaN"; exit }
            printf "%d %.2f %d %s %s\n", n, max, over, stops ? sprintf("%.2f", smax) : "NaN", stops ? sover + 0 : "NaN" }' \
        "$1" 2>/dev/null || echo "0 NaN NaN NaN NaN"
}
# gc_verdict OVER STOPS_OVER: pass when pauses were found and neither a pause nor its safepoint took over 10 ms;
# n/a when nothing was measured
gc_verdict() {
    case "$1" in ''|NaN) echo n/a; return 0 ;; esac
    if [ "$1" = 0 ] && { [ "${2:-NaN}" = 0 ] || [ "${2:-NaN}" = NaN ]; }; then echo pass; else echo FAIL; fi
}
# gc_line GC_LOG [FROM [TO]]: the figures of gc_pauses in words
gc_line() {
    local n max over smax sover
    read -r n max over smax sover <<< "$(gc_pauses "$@")"
    if [ "$n" = 0 ]; then echo "no GC pause line in the log: n/a (nothing measured)"; return 0; fi
    echo "pauses $n, max $max ms, $over over 10 ms; GC safepoints max $smax ms (time to reach included), $sover over 10 ms"
}

# ---- a fresh engine for one-row scripts (bulk-profile.sh, hot-row.sh)
# start_engine TREE WORK: `TREE/bin/engine serve` on free ports, data in WORK/data, log WORK/engine.log; sets E (its
# pid), API and MGMT; stops it and removes its data on exit; exits 1 with the log's tail if not ready in 120 s.
start_engine() {
    local api_port mgmt_port start_ms
    api_port=$(free_port)
    mgmt_port=$(free_port)
    start_ms=$(now_ms)
    "$1/bin/engine" serve --data "$2/data" --port "$api_port" --management-port "$mgmt_port" > "$2/engine.log" 2>&1 &
    E=$!
    # shellcheck disable=SC2064 # the pid and folder as they are now
    trap "kill -TERM $E 2>/dev/null || true; wait $E 2>/dev/null || true; rm -rf '$2/data'" EXIT
    wait_ready "$mgmt_port" "$start_ms" 120 > /dev/null || { tail -20 "$2/engine.log"; exit 1; }
    API="http://127.0.0.1:$api_port"
    MGMT="http://127.0.0.1:$mgmt_port"
}

# cpu_by_thread PID: "tid name ticks" per thread of PID (utime + stime in clock ticks; spaces in names become _)
cpu_by_thread() {
    local t s name rest
    for t in /proc/"$1"/task/*; do
        s=$(cat "$t/stat" 2>/dev/null) || continue
        name=${s#*(}; name=${name%)*}
        rest=${s##*) }
        # shellcheck disable=SC2086 # split the fields after the name
        set -- $rest
        echo "${t##*/} ${name// /_} $(( ${12} + ${13} ))"
    done
}

# cpu_by_role FILE: cpu_by_thread's lines summed by the engine's thread roles, then "total"
cpu_by_role() {
    awk '{
        n = $2; r = "other";
        if (n ~ /^processor-/) r = "processors";
        else if (n ~ /^committer-/) r = "committer";
        else if (n ~ /^vert\.x-eventloo/) r = "event-loops";
        else if (n ~ /^rocksdb/) r = "rocksdb-bg";
        else if (n ~ /^(Z|G1|GC|Conc|VM_Thread)/) r = "gc+vm";
        else if (n ~ /Compiler/) r = "jit";
        else if (n ~ /^journal/) r = "journal";
        c[r] += $3; t += $3 }
        END { for (r in c) print r, c[r]; print "total", t }' "$1" | sort
}
