# Helpers shared by the bench scripts (run-all.sh, kafka-nodes.sh): sourced, not run.

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
free_port() {
    local p
    while true; do
        p=$(( 20000 + RANDOM % 40000 ))
        if ! ss -ltn "( sport = :$p )" 2>/dev/null | grep -q ":$p"; then
            echo "$p"
            return
        fi
    done
}
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
