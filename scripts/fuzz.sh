#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Coverage-guided fuzzing with libFuzzer + AddressSanitizer.
#
#   scripts/fuzz.sh TARGET [SECONDS]        (default 60 seconds)
#   scripts/fuzz.sh TARGET check            (type-check the harness only; part of make test)
#
# Targets:
#   json   JSONParser / JSONWriter            harness Fuzz/JSONFuzz
#   http   HTTPRequestParser (incremental)    harness Fuzz/HTTPFuzz
#   event  beacon body → both parse paths →   harness Fuzz/EventFuzz
#          EventProcessor (differential, no raw PII in payloads; ASCII fast paths vs general code)
#   config ConfigLoader on any file           harness Fuzz/ConfigFuzz
#          (issues name path and problem; a ${...} secret never shows in an issue or the summary)
#   graph  Graph API answers → classifier,    harness Fuzz/GraphFuzz
#          usage headers, token redaction
#
# lld is used because gold prints hundreds of harmless ASan "cannot export local symbol" warnings.
# Each harness is compiled together with the sources it tests into one module (swiftc, not
# SwiftPM, because SwiftPM cannot add -sanitize=fuzzer to a single product). Everything is built
# and written under /tmp/pixelrelay-fuzz/TARGET: the fuzzer binary, inputs it discovers (corpus/),
# and crash-*/timeout-*/oom-* reproducers. The checked-in seed corpus is only read.
# Reproduce a finding with: /tmp/pixelrelay-fuzz/TARGET/fuzzer CRASH_FILE
#
# Adding a target: one more case arm that sets `harness` and `sources`.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
target=${1:-}
seconds=${2:-60}
work=/tmp/pixelrelay-fuzz/$target
extra=()

case "$target" in
    json)
        harness=Fuzz/JSONFuzz
        sources=("$root"/Sources/RelayCore/JSON/*.swift)
        ;;
    http)
        harness=Fuzz/HTTPFuzz
        sources=("$root"/Sources/RelayHTTP/Parser/*.swift)
        ;;
    event)
        harness=Fuzz/EventFuzz
        sources=("$root"/Sources/RelayCore/{Events,JSON,Normalization,Web,Config}/*.swift)
        # The `/tr` parameters too: one RelayApp file, which imports the module it is compiled into here.
        mkdir -p "$work"
        sed '/^import RelayCore$/d' "$root/Sources/RelayApp/TrackingParameters.swift" >"$work/TrackingParameters.swift"
        sources+=("$work/TrackingParameters.swift")
        extra=(-I "$root/Sources/CCrypto" -lcrypto)
        ;;
    config)
        harness=Fuzz/ConfigFuzz
        sources=("$root"/Sources/RelayCore/{Config,JSON,Normalization,Web}/*.swift)
        extra=(-I "$root/Sources/CCrypto" -lcrypto)
        ;;
    graph)
        harness=Fuzz/GraphFuzz
        sources=("$root"/Sources/RelayCore/{Config,JSON,Normalization,Web}/*.swift)
        # The forwarder's pure response handling, without the import of the module it joins here.
        mkdir -p "$work"
        for file in GraphResponseClassifier GraphUsage GraphJSON GraphOutcome GraphRedaction UpstreamClient; do
            sed -E '/^(internal )?import RelayCore$/d' "$root/Sources/RelayForwarder/$file.swift" >"$work/$file.swift"
            sources+=("$work/$file.swift")
        done
        extra=(-I "$root/Sources/CCrypto" -lcrypto)
        ;;
    *)
        echo "usage: $0 {json|http|event|config|graph} [SECONDS]" >&2
        exit 2
        ;;
esac

mkdir -p "$work/corpus"

# `check`: type-check the harness against today's sources only (make test runs this, so a harness
# cannot rot unnoticed between fuzzing sessions).
if [ "$seconds" = check ]; then
    includes=()
    for arg in "${extra[@]}"; do [ "$arg" = -lcrypto ] || includes+=("$arg"); done
    exec swiftc -typecheck -warnings-as-errors -parse-as-library -swift-version 6 \
        -enable-upcoming-feature ExistentialAny -enable-upcoming-feature InternalImportsByDefault \
        -module-name "${target}_fuzz" "${includes[@]}" "${sources[@]}" "$root/$harness/main.swift"
fi

echo "building $target fuzzer into $work" >&2
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -use-ld=lld \
    -swift-version 6 -enable-upcoming-feature ExistentialAny -enable-upcoming-feature InternalImportsByDefault \
    -module-name "${target}_fuzz" "${extra[@]}" "${sources[@]}" "$root/$harness/main.swift" -o "$work/fuzzer"

dict=()
for file in "$root/$harness"/*.dict; do
    [ -e "$file" ] && dict=(-dict="$file")
done

# Let libFuzzer, not Swift's backtracer, handle a trap (precondition, fatalError), so that it
# saves the crash-* reproducer; with the backtracer on, the process dies without one.
export SWIFT_BACKTRACE=enable=no

# New inputs go to the first corpus directory (under /tmp); the seeds are read from the second.
cd "$work"
exec ./fuzzer -max_total_time="$seconds" -max_len=4096 -timeout=5 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/" "${dict[@]}" "$work/corpus" "$root/$harness/corpus"
