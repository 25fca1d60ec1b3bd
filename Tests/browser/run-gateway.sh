#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the browser tests (run.mjs) against the real pixelrelay binary (make browser-test).
#
#   Tests/browser/run-gateway.sh [path/to/pixelrelay]     # default .build/debug/pixelrelay
#
# Two origins, as in production: the test pages on http://127.0.0.1:PAGE_PORT, the gateway on
# http://localhost:GATEWAY_PORT. The config allows exactly those two origins (the gateway's own for
# /demo, whose same-origin beacons carry an Origin header too), so both ports are picked before the
# gateway starts; if another process takes the gateway port in between, the next free pair is tried.
# The gateway's port is read back from its "listening" log line ("http.port":"N"), which also says it
# is ready. `domains` lists 127.0.0.1 because the image fallback (GET /tr) carries no Origin: the
# gateway finds the site from the page URL's host.
# The gateway runs in dry-run, so what it would send to Meta lands in
# <data dir>/dry-run/requests.jsonl, which run.mjs reads (PIXELRELAY_DRY_RUN_FILE).
# Exit code: run.mjs's (1 on any failed test), or 1 when the gateway does not start.
# KEEP_GATEWAY_LOG=path copies the gateway's log there at the end.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-$root/.build/debug/pixelrelay}
[[ -x $bin ]] || { echo "pixelrelay binary not found at $bin (swift build --product pixelrelay)" >&2; echo "0 passed, 1 failed"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pixelrelay-browser.XXXXXX")
gateway_pid=
stop_gateway() {
  [[ -n $gateway_pid ]] || return 0
  kill -TERM "$gateway_pid" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$gateway_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$gateway_pid" 2>/dev/null
  wait "$gateway_pid" 2>/dev/null
  gateway_pid=
}
cleanup() { stop_gateway; [[ -n ${KEEP_GATEWAY_LOG:-} ]] && cp "$work/gateway.log" "$KEEP_GATEWAY_LOG"; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two distinct free TCP ports on 127.0.0.1 (the kernel picks them; they are released right away).
free_ports() {
  node -e "const n=require('net');const a=[];(function f(){const s=n.createServer().listen(0,'127.0.0.1',()=>{a.push(s);if(a.length<2)return f();console.log(a.map(x=>x.address().port).join(' '));a.forEach(x=>x.close())})})()"
}

rules=$(node "$here/run.mjs" --print-rules) || exit 1
pixel=${PIXELRELAY_TEST_PIXEL_ID:-111222333444555}

start_gateway() { # $1 page port, $2 gateway port; sets gateway_pid and port, or returns 1
  local page=$1 want=$2 log=$work/gateway.log
  cat >"$work/pixelrelay.json" <<EOF
{
  "_comment": "written by Tests/browser/run-gateway.sh",
  "logging": { "level": "info", "format": "json" },
  "dry_run": true,
  "demo": true,
  "sites": [{
    "name": "browser-test",
    "domains": ["127.0.0.1"],
    "allowed_origins": ["http://127.0.0.1:$page", "http://localhost:$want"],
    "pixels": [{ "pixel_id": "$pixel" }],
    "rules": $rules
  }]
}
EOF
  rm -rf "$work/data"
  : >"$log"
  "$bin" serve --host 127.0.0.1 --port "$want" --data-dir "$work/data" --config "$work/pixelrelay.json" >"$log" 2>&1 &
  gateway_pid=$!
  for _ in $(seq 100); do
    port=$(grep -o '"http.port":"[0-9]*"' "$log" | head -1 | grep -o '[0-9][0-9]*')
    [[ -n $port ]] && return 0
    kill -0 "$gateway_pid" 2>/dev/null || break
    sleep 0.1
  done
  stop_gateway
  echo "pixelrelay did not start on port $want:" >&2
  tail -20 "$log" >&2
  return 1
}

port=
for attempt in 1 2 3; do
  read -r page_port gateway_port < <(free_ports)
  start_gateway "$page_port" "$gateway_port" && break
done
if [[ -z $port ]]; then echo "0 passed, 1 failed"; exit 1; fi

PIXELRELAY_URL=http://localhost:$port PAGE_PORT=$page_port \
  PIXELRELAY_DRY_RUN_FILE=$work/data/dry-run/requests.jsonl PIXELRELAY_GATEWAY_LOG=$work/gateway.log \
  SCREENSHOT_DIR=${SCREENSHOT_DIR:-/tmp} \
  node "$here/run.mjs"
status=$?

stop_gateway
exit $status
