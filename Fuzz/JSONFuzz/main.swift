// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for JSONParser / JSONWriter. Built by `scripts/fuzz.sh json SECONDS`:
// swiftc -sanitize=fuzzer,address -parse-as-library Sources/RelayCore/JSON/*.swift Fuzz/JSONFuzz/main.swift
// (the JSON sources are compiled into this module, so no `import RelayCore`).

/// Tight limits reach the limit checks with the short inputs libFuzzer prefers.
let tightLimits = JSONLimits(maxDepth: 4, maxBytes: 512, maxStringBytes: 16, maxMembers: 5)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    check(input, limits: JSONLimits())
    check(input, limits: tightLimits)
    return 0
}

/// Parses; on success the value must survive write → parse → write unchanged, and on failure the
/// offset must lie within the input. Any violation traps, which libFuzzer reports as a crash.
func check(_ input: UnsafeRawBufferPointer, limits: JSONLimits) {
    do {
        let value = try JSONParser.parse(input, limits: limits)
        let written = value.jsonBytes
        let reparsed: JSONValue
        do {
            reparsed = try JSONParser.parse(written)
        } catch {
            fatalError("written form does not parse: \(error)")
        }
        precondition(reparsed == value, "round trip changed the value")
        precondition(reparsed.jsonBytes == written, "writing is not stable")
    } catch {
        precondition(
            error.offset >= 0 && error.offset <= max(input.count, limits.maxBytes), "offset out of range: \(error)")
        precondition(!error.message.isEmpty)
    }
}
