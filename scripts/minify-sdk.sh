#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regenerates Sources/RelayApp/Assets/sdk.js from sdk.src.js (whitespace and comments only)
# and checks the 6 KB budget of interface.md §5. Needs `pip install rjsmin`.
set -euo pipefail
cd "$(dirname "$0")/.."
src=Sources/RelayApp/Assets/sdk.src.js
out=Sources/RelayApp/Assets/sdk.js
python3 - "$src" "$out" <<'PY'
import sys, rjsmin
src, out = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8") as f:
    js = rjsmin.jsmin(f.read())
with open(out, "w", encoding="utf-8") as f:
    f.write("/*! pixelrelay sdk | Apache-2.0 */\n" + js.strip() + "\n")
PY
raw=$(wc -c < "$out")
gz=$(gzip -9c "$out" | wc -c)
echo "$out: $raw bytes, $gz gzipped"
if [ "$raw" -gt 6144 ]; then echo "sdk.js is over the 6144-byte budget" >&2; exit 1; fi
