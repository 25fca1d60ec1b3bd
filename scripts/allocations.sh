#!/usr/bin/env bash
# Heap allocations per beacon: pixelrelay (release, production config against the count-only fake Graph
# API, forwarding included) under 64 keep-alive connections for 5 s, with malloc/calloc/realloc and the
# aligned variants counted by an LD_PRELOAD shim; an unloaded start/stop is subtracted.
# Needs: make bench's release build of pixelrelay and fakegraph, gcc, wrk, taskset, curl.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${PIXELRELAY_BIN:-$ROOT/.build/release/pixelrelay}
FAKE=${FAKEGRAPH_BIN:-$ROOT/.build/release/fakegraph}
BEACON=${BENCH_SHARED:-$ROOT/bench}/beacon.lua
PORT=${BENCH_PORT:-8097}
SCPU=${BENCH_SERVER_CPU:-1}
CCPU=${BENCH_CLIENT_CPU:-0}
WORK=$(mktemp -d /tmp/pixelrelay-allocs.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
for f in "$BIN" "$FAKE" "$BEACON"; do [ -e "$f" ] || { echo "allocations: $f is missing (run make bench first)" >&2; exit 1; }; done

cat >"$WORK/count.c" <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static atomic_long count;
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
#define COUNT atomic_fetch_add_explicit(&count, 1, memory_order_relaxed)
void *malloc(size_t s) { COUNT; return __libc_malloc(s); }
void *calloc(size_t a, size_t b) { COUNT; return __libc_calloc(a, b); }
void *realloc(void *p, size_t s) { COUNT; return __libc_realloc(p, s); }
int posix_memalign(void **p, size_t a, size_t s) { COUNT; *p = __libc_memalign(a, s); return *p ? 0 : 12; }
void *aligned_alloc(size_t a, size_t s) { COUNT; return __libc_memalign(a, s); }
__attribute__((destructor)) static void report(void) {
    const char *path = getenv("ALLOC_COUNT_FILE");
    if (!path) return;
    char line[32];
    int n = snprintf(line, sizeof line, "%ld\n", atomic_load(&count));
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) { (void)!write(fd, line, n); close(fd); }
}
C
gcc -O2 -shared -fPIC -o "$WORK/count.so" "$WORK/count.c"

taskset -c "$CCPU" "$FAKE" --count-only bench-token >"$WORK/fake.out" 2>&1 &
for _ in $(seq 100); do grep -q '^port ' "$WORK/fake.out" 2>/dev/null && break; sleep 0.05; done
FAKE_PORT=$(awk '/^port / { print $2; exit }' "$WORK/fake.out")
cat >"$WORK/relay.json" <<JSON
{
  "server": { "host": "127.0.0.1", "port": $PORT, "rate_limit": { "per_second": 0 } },
  "storage": { "data_dir": "$WORK/data" },
  "graph_api": { "base_url": "http://127.0.0.1:$FAKE_PORT" },
  "sites": [ { "name": "shop", "domains": ["shop.example.com"], "allowed_origins": ["https://shop.example.com"],
               "pixels": [ { "pixel_id": "123456789012345", "access_token": "bench-token" } ] } ]
}
JSON
metric() { curl -s "localhost:$PORT/metrics" | awk -v n="$1" '$1 == n { print $2 }'; }
# run LOAD(0|1) → prints the allocation count of one start … stop of the gateway
run() {
    rm -rf "$WORK/data"
    ALLOC_COUNT_FILE="$WORK/count.txt" LD_PRELOAD="$WORK/count.so" taskset -c "$SCPU" "$BIN" serve --config "$WORK/relay.json" >"$WORK/relay.log" 2>&1 &
    local pid=$!
    for _ in $(seq 100); do curl -s -o /dev/null "localhost:$PORT/healthz" && break; sleep 0.05; done
    if [ "$1" = 1 ]; then
        taskset -c "$CCPU" wrk -t1 -c64 -d5s -s "$BEACON" "http://127.0.0.1:$PORT/events" >"$WORK/wrk.txt"
        local deadline=$((SECONDS + 60))
        while [ "$(metric pixelrelay_queue_events)" != 0 ]; do  # forwarded too
            kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)) || { echo "allocations: the queue did not drain" >&2; exit 1; }
            sleep 0.1
        done
        metric pixelrelay_events_accepted_total >"$WORK/accepted.txt"
    fi
    kill "$pid"; wait "$pid" || true
    cat "$WORK/count.txt"
}
idle=$(run 0)
loaded=$(run 1)
awk -v a="$loaded" -v b="$idle" -v n="$(cat "$WORK/accepted.txt")" 'BEGIN {
    printf "%d beacons accepted and forwarded; %d heap allocations (less %d for start and stop) = %.1f per beacon\n", n, a - b, b, (a - b) / n }'
