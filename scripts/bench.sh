#!/usr/bin/env bash
# `make bench`: pixelrelay next to nginx (`return 204`) on this machine, in one run, interleaved
# (A B A B …), medians of BENCH_RUNS runs; servers pinned to one core, wrk to the other.
#
#   1. POST /events req/s, ratio to nginx, p50/p99 (keep-alive and a new connection per request,
#      1 and 64 connections): pixelrelay as in production (a pixel + token pointed at a local fake
#      Graph API in count-only mode, so the forwarder runs; every 202 is after fdatasync), in dry-run, and — as the
#      reference for what durability costs — the production config with fdatasync skipped.
#   2. Forwarded events/s: BENCH_DRAIN_EVENTS queued while the upstream is unreachable, then drained.
#   3. RSS under the 64-connection load, and with BENCH_BACKLOG_EVENTS queued.
#   4. Startup time (exec → /healthz 200), empty and with the backlog; binary size.
#   5. Where the time goes at 64 keep-alive connections: pixelrelay answering after the HTTP server
#      alone, after processing, after queueing without fsync or forwarding, with fsync, and in
#      production (forwarding too); the cost of each stage per request, next to nginx.
#
# Needs: a release build of pixelrelay and fakegraph (make bench builds them), nginx, wrk, taskset.
# Knobs (environment): BENCH_RUNS=3 BENCH_DURATION=10s BENCH_DRAIN_EVENTS=200000
# BENCH_BACKLOG_EVENTS=1000000 BENCH_SERVER_CPU=1 BENCH_CLIENT_CPU=0 BENCH_DIR=/tmp (on a real disk:
# fdatasync must mean something) BENCH_SKIP="http stages drain backlog startup" (any subset).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The reference workload (nginx.conf, the wrk scripts) is kept in bench/ (copied from the workplace's
# shared/bench, which describes the method); BENCH_SHARED points elsewhere.
SHARED=${BENCH_SHARED:-$ROOT/bench}
BIN=${PIXELRELAY_BIN:-$ROOT/.build/release/pixelrelay}
FAKE=${FAKEGRAPH_BIN:-$ROOT/.build/release/fakegraph}
RUNS=${BENCH_RUNS:-3}
DURATION=${BENCH_DURATION:-10s}
DRAIN_EVENTS=${BENCH_DRAIN_EVENTS:-200000}
BACKLOG_EVENTS=${BENCH_BACKLOG_EVENTS:-1000000}
SCPU=${BENCH_SERVER_CPU:-1}
CCPU=${BENCH_CLIENT_CPU:-0}
SKIP=" ${BENCH_SKIP:-} "
NGINX_PORT=8081  # fixed by bench/nginx.conf
PORT=${BENCH_PORT:-8090}  # pixelrelay uses PORT (normal), PORT+1 (dry-run), PORT+2 (queue tests), PORT+3 (no fsync), PORT+4…8 (stages)
PIXEL=123456789012345
TOKEN=bench-token

for f in "$BIN" "$FAKE"; do [ -x "$f" ] || { echo "bench: $f is missing; run make bench (it builds it)" >&2; exit 1; }; done
[ -f "$SHARED/nginx.conf" ] || { echo "bench: $SHARED/nginx.conf not found (set BENCH_SHARED)" >&2; exit 1; }
for t in nginx wrk taskset; do command -v $t >/dev/null || { echo "bench: $t is not installed" >&2; exit 1; }; done

WORK=$(mktemp -d "${BENCH_DIR:-/tmp}/pixelrelay-bench.XXXXXX")
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"/data-*
}
trap cleanup EXIT
log() { printf '%s\n' "$*" >&2; }

# --- small helpers ---------------------------------------------------------------------------

# http PORT PATH → prints the response (status line, headers, body); fails when nothing listens.
# Bash's /dev/tcp: no fork, so polling it is cheap and precise.
http() {
    { printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3 && cat <&3; } 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$1"
}
is_listening() { { :; } 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$1"; }
# wait_healthy PORT PID: polls /healthz until 200; fails if PID exits or after 30 s.
wait_healthy() {
    local deadline=$((SECONDS + 30)) line
    while ((SECONDS < deadline)); do
        if { printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3 && read -r -t 5 line <&3; } 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$1"; then
            [[ $line == "HTTP/1.1 200"* ]] && return 0
        fi
        kill -0 "$2" 2>/dev/null || return 1
    done
    return 1
}
now_us() { local t=${EPOCHREALTIME/./}; echo "$((10#$t))"; }
# metric PORT NAME [LABEL] → the sum of a family's samples from /metrics whose labels contain LABEL
# (e.g. outcome="delivered"); 0 when absent.
metric() {
    http "$1" /metrics | awk -v n="$2" -v l="${3:-}" '($1 == n || index($1, n "{") == 1) && index($1, l) { s += $2 } END { printf "%d\n", s }'
}
rss_kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# config NAME BASE_URL [DRY] → writes $WORK/NAME.json: the beacon's origin allowed, rate limit off.
config() {
    cat >"$WORK/$1.json" <<EOF
{
  "server": { "host": "127.0.0.1", "port": $PORT, "rate_limit": { "per_second": 0, "burst": 200 } },
  "storage": { "data_dir": "$WORK/data-$1", "max_queue_bytes": 8589934592 },
  "graph_api": { "base_url": "$2", "version": "v26.0" },
  "logging": { "level": "info", "format": "json" },
  "dry_run": ${3:-false},
  "sites": [
    {
      "name": "shop",
      "domains": ["shop.example.com"],
      "allowed_origins": ["https://shop.example.com"],
      "pixels": [{ "pixel_id": "$PIXEL", "access_token": "$TOKEN" }]
    }
  ]
}
EOF
}

# start_relay NAME PORT → starts pixelrelay pinned to the server core; sets RELAY_PID and STARTUP_MS.
start_relay() {
    local t0 t1
    t0=$(now_us)
    env ${RELAY_ENV:-} taskset -c "$SCPU" "$BIN" serve --config "$WORK/$1.json" --port "$2" >>"$WORK/$1.log" 2>&1 &
    RELAY_PID=$!
    PIDS+=("$RELAY_PID")
    wait_healthy "$2" "$RELAY_PID" || { log "bench: pixelrelay ($1) did not become healthy:"; tail -5 "$WORK/$1.log" >&2; exit 1; }
    t1=$(now_us)
    STARTUP_MS=$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", d / 1000 }')
}
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# cpu_ticks PID: user+system clock ticks of PID and its children processes (nginx's worker).
cpu_ticks() {
    local total=0 p
    for p in "$1" $(ps -o pid= --ppid "$1" 2>/dev/null); do
        total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

# wait_idle: waits (≤ 60 s) until every pixelrelay instance has forwarded its queue, so that no server
# drains an earlier run's backlog on the server core while another one is measured; then flushes the
# page cache, so the kernel does not write the unsynced reference instance's data back during the
# next run (that made the fsync'd instance's 1-connection p99 stall behind it).
wait_idle() {
    local deadline=$((SECONDS + 60)) p busy
    while ((SECONDS < deadline)); do
        busy=0
        for p in $PORT $((PORT + 1)) $((PORT + 3)); do
            (($(metric "$p" pixelrelay_queue_events) > 0)) && busy=1
        done
        if ((busy == 0)); then
            sync
            return 0
        fi
        sleep 0.2
    done
    log "bench: a queue did not drain within 60 s; measuring anyway"
}

# wrk_run OUT CONNS SCRIPT PORT SERVER_PID [SAMPLE_RSS]: one pinned wrk run; writes the server's CPU
# ticks over the run to OUT.cpu, and samples its VmRSS meanwhile when asked.
wrk_run() {
    local sampler="" t0
    if [ -n "${6:-}" ]; then
        (while kill -0 "$5" 2>/dev/null; do rss_kib "$5" VmRSS; sleep 0.2; done) >"$1.rss" 2>/dev/null &
        sampler=$!
    fi
    t0=$(cpu_ticks "$5")
    taskset -c "$CCPU" wrk -t1 -c"$2" -d"$DURATION" --latency -s "$3" "http://127.0.0.1:$4/events" >"$1" 2>&1 || true
    echo $(($(cpu_ticks "$5") - t0)) >"$1.cpu"
    if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; fi
}
HZ=$(getconf CLK_TCK)
# wrk_field FILE rps|p50|p99|requests|non2xx|errors
wrk_field() {
    awk -v f="$2" '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }
        $1 == "Requests/sec:" { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        / requests in / { req = $1 }
        /Non-2xx or 3xx responses:/ { non = $NF }
        /Socket errors:/ { gsub(",", ""); err = $4 + $6 + $8 + $10 }
        END {
            if (f == "rps") print rps + 0; else if (f == "p50") print p50 + 0; else if (f == "p99") print p99 + 0
            else if (f == "requests") print req + 0; else if (f == "non2xx") print non + 0; else print err + 0
        }' "$1"
}

# A beacon batch for filling the queue: the same event BATCH times, as a JSON array; stops after
# REQUESTS responses (wrk's own stop.lua idea).
batch_script() {
    cat >"$WORK/batch.lua" <<EOF
dofile("$SHARED/beacon.lua")
local one = wrk.body
local parts = {}
for i = 1, tonumber(os.getenv("BENCH_BATCH") or "50") do parts[i] = one end
wrk.body = "[" .. table.concat(parts, ",") .. "]"
local limit = tonumber(os.getenv("BENCH_REQUESTS") or "0")
local done = 0
function response(status, headers, body)
    done = done + 1
    if limit > 0 and done >= limit then wrk.thread:stop() end
end
EOF
}
# fill PORT EVENTS: queues about EVENTS events in batches of 50 (keep-alive, 8 connections); wrk
# only exits after its duration, so it is interrupted once the gateway has acknowledged enough.
fill() {
    local requests=$((($2 + 49) / 50)) wrk_pid non
    BENCH_BATCH=50 BENCH_REQUESTS=$requests taskset -c "$CCPU" wrk -t1 -c8 -d3600s -s "$WORK/batch.lua" "http://127.0.0.1:$1/events" >"$WORK/fill.txt" 2>&1 &
    wrk_pid=$!
    while (($(metric "$1" pixelrelay_events_accepted_total) < $2)); do
        kill -0 "$wrk_pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -INT "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" || true
    non=$(($(wrk_field "$WORK/fill.txt" non2xx) + $(wrk_field "$WORK/fill.txt" errors)))
    [ "$non" = 0 ] || { log "bench: filling the queue got $non errors"; cat "$WORK/fill.txt" >&2; exit 1; }
}

# --- processes -------------------------------------------------------------------------------

batch_script
# Count-only: it shares wrk's core, and validating + keeping every event there cost ≈ 5 µs each, taken
# from the load generator (-15 % at 64 new connections); the forwarder's work is the same either way.
taskset -c "$CCPU" "$FAKE" --count-only "$TOKEN" >"$WORK/fakegraph.out" 2>&1 &
FAKE_PID=$!
PIDS+=("$FAKE_PID")
for _ in $(seq 100); do grep -q '^port ' "$WORK/fakegraph.out" 2>/dev/null && break; sleep 0.05; done
FAKE_URL="http://127.0.0.1:$(awk '/^port / { print $2; exit }' "$WORK/fakegraph.out")"
log "fake Graph API at $FAKE_URL; work dir $WORK"

declare -A RPS P50 P99 NON CPU
if [[ $SKIP != *" http "* ]]; then
    for p in $NGINX_PORT $PORT $((PORT + 1)) $((PORT + 3)); do is_listening "$p" && { log "bench: port $p is in use"; exit 1; }; done
    mkdir -p "$WORK/nginx"
    taskset -c "$SCPU" nginx -p "$WORK/nginx" -c "$SHARED/nginx.conf" 2>"$WORK/nginx.log" &
    NGINX_PID=$!
    PIDS+=("$NGINX_PID")
    config relay "$FAKE_URL"
    config dry "$FAKE_URL" true
    start_relay relay "$PORT"
    PR_PID=$RELAY_PID
    start_relay dry $((PORT + 1))
    DRY_PID=$RELAY_PID
    # The same production configuration with fdatasync skipped: what durable acks cost (reference only).
    config nosync "$FAKE_URL"
    RELAY_ENV=PIXELRELAY_BENCH_UNSAFE_NO_FSYNC=1 start_relay nosync $((PORT + 3))
    NOSYNC_PID=$RELAY_PID
    for _ in $(seq 100); do is_listening $NGINX_PORT && break; sleep 0.05; done

    SERVERS="nginx relay dry nosync"
    declare -A SPORT=([nginx]=$NGINX_PORT [relay]=$PORT [dry]=$((PORT + 1)) [nosync]=$((PORT + 3)))
    declare -A SPID=([nginx]=$NGINX_PID [relay]=$PR_PID [dry]=$DRY_PID [nosync]=$NOSYNC_PID)
    LOADS="ka1 ka64 close1 close64"
    declare -A LCONNS=([ka1]=1 [ka64]=64 [close1]=1 [close64]=64)
    declare -A LSCRIPT=([ka1]=beacon.lua [ka64]=beacon.lua [close1]=beacon-close.lua [close64]=beacon-close.lua)
    accepted0=$(metric "$PORT" pixelrelay_events_accepted_total)
    for run in $(seq "$RUNS"); do
        for load in $LOADS; do
            for s in $SERVERS; do
                out="$WORK/wrk-$load-$s-$run.txt"
                log "run $run/$RUNS: $load $s"
                sample=""
                [ "$s" != nginx ] && [ "$load" = ka64 ] && sample=yes
                wait_idle
                wrk_run "$out" "${LCONNS[$load]}" "$SHARED/${LSCRIPT[$load]}" "${SPORT[$s]}" "${SPID[$s]}" "$sample"
            done
        done
    done
    accepted1=$(metric "$PORT" pixelrelay_events_accepted_total)
    relay_hwm=$(rss_kib "$PR_PID" VmHWM)
    dry_hwm=$(rss_kib "$DRY_PID" VmHWM)
    relay_load_rss=$(cat "$WORK"/wrk-ka64-relay-*.txt.rss | sort -n | tail -1)
    dry_load_rss=$(cat "$WORK"/wrk-ka64-dry-*.txt.rss | sort -n | tail -1)
    relay_requests=0
    for f in "$WORK"/wrk-*-relay-*.txt; do relay_requests=$((relay_requests + $(wrk_field "$f" requests))); done
    for pid in "$NGINX_PID" "$PR_PID" "$DRY_PID" "$NOSYNC_PID"; do stop_pid "$pid"; done

    for load in $LOADS; do
        for s in $SERVERS; do
            files=("$WORK"/wrk-$load-$s-*.txt)
            RPS[$load.$s]=$(for f in "${files[@]}"; do wrk_field "$f" rps; done | median)
            P50[$load.$s]=$(for f in "${files[@]}"; do wrk_field "$f" p50; done | median)
            P99[$load.$s]=$(for f in "${files[@]}"; do wrk_field "$f" p99; done | median)
            # Server CPU time per answered request (all its threads), in µs: steadier than req/s on a busy machine.
            CPU[$load.$s]=$(for f in "${files[@]}"; do
                awk -v t="$(cat "$f.cpu")" -v n="$(wrk_field "$f" requests)" -v hz="$HZ" 'BEGIN { if (n > 0) printf "%.1f\n", t * 1e6 / hz / n }'
            done | median)
            NON[$load.$s]=$(for f in "${files[@]}"; do echo $(($(wrk_field "$f" non2xx) + $(wrk_field "$f" errors))); done | awk '{ s += $1 } END { print s + 0 }')
        done
    done
fi

# --- where the time goes: the same beacon load, answered after each stage of the pipeline ----------

declare -A SRPS SCPUUS
STAGES="nginx parse processing queued synced production"
if [[ $SKIP != *" stages "* ]]; then
    for p in $NGINX_PORT $(seq $((PORT + 4)) $((PORT + 8))); do is_listening "$p" && { log "bench: port $p is in use"; exit 1; }; done
    mkdir -p "$WORK/nginx"
    taskset -c "$SCPU" nginx -p "$WORK/nginx" -c "$SHARED/nginx.conf" 2>"$WORK/nginx.log" &
    NGINX_PID=$!
    PIDS+=("$NGINX_PID")
    # Early answers (benchmark-only switch) and a forwarder with nowhere to send: nothing leaves the box.
    config stage-parse "$FAKE_URL"
    config stage-processing "$FAKE_URL"
    config stage-queued "http://127.0.0.1:9"
    config stage-synced "http://127.0.0.1:9"
    config stage-production "$FAKE_URL"
    declare -A STPORT=([nginx]=$NGINX_PORT) STPID=([nginx]=$NGINX_PID)
    declare -A STENV=([parse]=PIXELRELAY_BENCH_ANSWER_AT=parse [processing]=PIXELRELAY_BENCH_ANSWER_AT=processing
        [queued]=PIXELRELAY_BENCH_UNSAFE_NO_FSYNC=1 [synced]="" [production]="")
    i=4
    for st in parse processing queued synced production; do
        RELAY_ENV=${STENV[$st]} start_relay "stage-$st" $((PORT + i))
        STPORT[$st]=$((PORT + i))
        STPID[$st]=$RELAY_PID
        i=$((i + 1))
    done
    for _ in $(seq 100); do is_listening $NGINX_PORT && break; sleep 0.05; done
    for run in $(seq "$RUNS"); do
        for st in $STAGES; do
            log "run $run/$RUNS: stages, $st"
            # Nothing drains on the server core while another stage is measured (only the production
            # instance forwards; `queued` and `synced` retry a closed port every few seconds, a trifle).
            deadline=$((SECONDS + 60))
            while (($(metric "${STPORT[production]}" pixelrelay_queue_events) > 0)) && ((SECONDS < deadline)); do sleep 0.2; done
            sync
            wrk_run "$WORK/stage-$st-$run.txt" 64 "$SHARED/beacon.lua" "${STPORT[$st]}" "${STPID[$st]}"
        done
    done
    for st in $STAGES; do
        stop_pid "${STPID[$st]}"
        files=("$WORK"/stage-$st-*.txt)
        SRPS[$st]=$(for f in "${files[@]}"; do wrk_field "$f" rps; done | median)
        SCPUUS[$st]=$(for f in "${files[@]}"; do
            awk -v t="$(cat "$f.cpu")" -v n="$(wrk_field "$f" requests)" -v hz="$HZ" 'BEGIN { if (n > 0) printf "%.1f\n", t * 1e6 / hz / n }'
        done | median)
        stage_errors=$(for f in "${files[@]}"; do echo $(($(wrk_field "$f" non2xx) + $(wrk_field "$f" errors))); done | awk '{ s += $1 } END { print s + 0 }')
        [ "$stage_errors" = 0 ] || log "bench: stage $st had $stage_errors errors"
    done
    rm -rf "$WORK"/data-stage-*
fi

# --- forwarding throughput: queue while the upstream is unreachable, then drain -------------------

if [[ $SKIP != *" drain "* ]]; then
    QP=$((PORT + 2))
    is_listening "$QP" && { log "bench: port $QP is in use"; exit 1; }
    config drain "http://127.0.0.1:9"  # nothing listens on the discard port: connection refused
    log "drain: queueing $DRAIN_EVENTS events with the upstream unreachable"
    start_relay drain "$QP"
    fill "$QP" "$DRAIN_EVENTS"
    queued=$(metric "$QP" pixelrelay_queue_events)
    stop_pid "$RELAY_PID"
    config drain "$FAKE_URL"
    fake_before=$(awk -v p="$FAKE_PID" 'BEGIN { getline l < ("/proc/" p "/stat"); split(l, a, " "); print a[14] + a[15] }')
    start_relay drain "$QP"
    t0=$(now_us)
    while :; do
        left=$(metric "$QP" pixelrelay_queue_events)
        [ "$left" -eq 0 ] && break
        kill -0 "$RELAY_PID" 2>/dev/null || { log "bench: pixelrelay exited while draining"; exit 1; }
        sleep 0.05
    done
    t1=$(now_us)
    drain_ms=$(((t1 - t0) / 1000))
    drain_rate=$(awk -v n="$queued" -v us=$((t1 - t0)) 'BEGIN { printf "%.0f", n / (us / 1e6) }')
    delivered=$(metric "$QP" pixelrelay_upstream_events_total 'outcome="delivered"')
    drain_hwm=$(rss_kib "$RELAY_PID" VmHWM)
    fake_cpu_s=$(awk -v p="$FAKE_PID" -v b="$fake_before" -v hz="$(getconf CLK_TCK)" 'BEGIN { getline l < ("/proc/" p "/stat"); split(l, a, " "); printf "%.1f", (a[14] + a[15] - b) / hz }')
    stop_pid "$RELAY_PID"
    rm -rf "$WORK/data-drain"
fi

# --- a large backlog: RSS and restart time with BACKLOG_EVENTS queued ----------------------------

if [[ $SKIP != *" backlog "* ]]; then
    QP=$((PORT + 2))
    config backlog "http://127.0.0.1:9"
    log "backlog: queueing $BACKLOG_EVENTS events with the upstream unreachable"
    start_relay backlog "$QP"
    fill "$QP" "$BACKLOG_EVENTS"
    backlog_queued=$(metric "$QP" pixelrelay_queue_events)
    backlog_bytes=$(metric "$QP" pixelrelay_queue_bytes)
    sleep 3  # let the forwarder's retry (reading a batch) happen at least once
    backlog_rss=$(rss_kib "$RELAY_PID" VmRSS)
    backlog_hwm=$(rss_kib "$RELAY_PID" VmHWM)
    stop_pid "$RELAY_PID"
    start_relay backlog "$QP"
    backlog_startup_ms=$STARTUP_MS
    sleep 3
    backlog_restart_rss=$(rss_kib "$RELAY_PID" VmRSS)
    backlog_restart_hwm=$(rss_kib "$RELAY_PID" VmHWM)
    stop_pid "$RELAY_PID"
    rm -rf "$WORK/data-backlog"
fi

# --- startup time and binary size ---------------------------------------------------------------

if [[ $SKIP != *" startup "* ]]; then
    QP=$((PORT + 2))
    config startup "$FAKE_URL"
    startups=()
    for i in $(seq 5); do
        rm -rf "$WORK/data-startup"
        start_relay startup "$QP"
        startups+=("$STARTUP_MS")
        stop_pid "$RELAY_PID"
    done
    startup_ms=$(printf '%s\n' "${startups[@]}" | median)
fi
strip -o "$WORK/pixelrelay.stripped" "$(readlink -f "$BIN")"
size_kib=$(($(stat -c %s "$(readlink -f "$BIN")") / 1024))
stripped_kib=$(($(stat -c %s "$WORK/pixelrelay.stripped") / 1024))
stop_pid "$FAKE_PID"

# --- report ---------------------------------------------------------------------------------------

echo
echo "pixelrelay vs nginx return 204 — $(nproc) cores, server on CPU $SCPU, wrk -t1 on CPU $CCPU, $RUNS interleaved runs of $DURATION, medians"
echo "$(uname -r); $(nginx -v 2>&1 | sed 's/.*: //'); $("$BIN" --version 2>/dev/null | sed 's/^/pixelrelay /')"
if [[ $SKIP != *" http "* ]]; then
    declare -A LNAME=([ka1]="keep-alive, 1 conn" [ka64]="keep-alive, 64 conns" [close1]="new conn/request, 1" [close64]="new conn/request, 64")
    declare -A SNAME=([nginx]="nginx 204" [relay]="pixelrelay" [dry]="pixelrelay dry-run" [nosync]="pixelrelay, no fsync (unsafe reference)")
    echo
    printf '%-22s %-19s %10s %8s %9s %9s %9s %8s\n' "load" "server" "req/s" "×nginx" "p50 ms" "p99 ms" "CPU µs/req" "errors"
    for load in $LOADS; do
        for s in $SERVERS; do
            ratio=$(awk -v a="${RPS[$load.$s]}" -v b="${RPS[$load.nginx]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
            printf '%-22s %-19s %10.0f %8s %9.2f %9.2f %9s %8s\n' "${LNAME[$load]}" "${SNAME[$s]}" "${RPS[$load.$s]}" "$ratio" \
                "${P50[$load.$s]}" "${P99[$load.$s]}" "${CPU[$load.$s]}" "${NON[$load.$s]}"
        done
    done
    echo "(errors: non-2xx answers plus socket errors over all runs; pixelrelay answers 202 only after fdatasync;"
    echo " CPU µs/req: the server's user+system time over the run ÷ answered requests, all threads; 10 ms tick resolution)"
    echo "pixelrelay (normal) acknowledged $((accepted1 - accepted0)) events for $relay_requests wrk requests"
    echo
    echo "RSS under the 64-connection keep-alive load: pixelrelay max VmRSS $(mib "$relay_load_rss") MiB (VmHWM over all runs $(mib "$relay_hwm") MiB);" \
        "dry-run $(mib "$dry_load_rss") MiB (VmHWM $(mib "$dry_hwm") MiB)   [target ≤ 64 MiB]"
fi
if [[ $SKIP != *" stages "* ]]; then
    declare -A STNAME=([nginx]="nginx return 204 (the ceiling)" [parse]="HTTP server alone (answered after parsing)"
        [processing]="+ processing (validate, hash, CAPI JSON)" [queued]="+ queue hand-off and write, no fsync"
        [synced]="+ fdatasync before each 202" [production]="+ forwarding to Meta (production)")
    echo
    echo "Where the time goes, 64 keep-alive connections (each row adds one stage; µs/req = 1e6 ÷ req/s on the one server core):"
    printf '%-44s %10s %8s %9s %12s %10s\n' "pixelrelay answering" "req/s" "×nginx" "µs/req" "stage µs/req" "CPU µs/req"
    prev=""
    for st in $STAGES; do
        us=$(awk -v r="${SRPS[$st]}" 'BEGIN { printf "%.1f", (r > 0 ? 1e6 / r : 0) }')
        stage="-"
        [ -n "$prev" ] && [ "$st" != parse ] && stage=$(awk -v a="$us" -v b="$prev" 'BEGIN { printf "%+.1f", a - b }')
        ratio=$(awk -v a="${SRPS[$st]}" -v b="${SRPS[nginx]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
        printf '%-44s %10.0f %8s %9s %12s %10s\n' "${STNAME[$st]}" "${SRPS[$st]}" "$ratio" "$us" "$stage" "${SCPUUS[$st]}"
        [ "$st" = nginx ] || prev=$us
    done
    echo "(0.5× nginx leaves $(awk -v r="${SRPS[nginx]}" 'BEGIN { printf "%.1f", (r > 0 ? 2e6 / r : 0) }') µs per request for all of it;" \
        "the first two instances never queue, the middle two never forward; switches are benchmark-only)"
fi
if [[ $SKIP != *" drain "* ]]; then
    echo "forwarding: $queued events queued with the upstream unreachable, drained to the fake Graph API in" \
        "$drain_ms ms = $drain_rate events/s ($delivered delivered; VmHWM $(mib "$drain_hwm") MiB; fake Graph API CPU ${fake_cpu_s}s)"
fi
if [[ $SKIP != *" backlog "* ]]; then
    echo "backlog: $backlog_queued events queued ($((backlog_bytes / 1048576)) MiB on disk): VmRSS $(mib "$backlog_rss") MiB," \
        "VmHWM $(mib "$backlog_hwm") MiB; after a restart: startup $backlog_startup_ms ms, VmRSS $(mib "$backlog_restart_rss") MiB," \
        "VmHWM $(mib "$backlog_restart_hwm") MiB   [D8 target ≤ 256 MiB]"
fi
if [[ $SKIP != *" startup "* ]]; then
    echo "startup (exec → /healthz 200, empty queue): median ${startup_ms} ms of 5 (${startups[*]})"
fi
echo "binary: $size_kib KiB, stripped $stripped_kib KiB (release, --static-swift-stdlib)"
echo "raw wrk output: $WORK"
