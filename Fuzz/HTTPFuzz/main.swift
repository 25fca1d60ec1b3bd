// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for HTTPRequestParser (reliability.md H6). Compiled together with
// Sources/RelayHTTP/Parser/*.swift as one module; run it with `scripts/fuzz.sh http [seconds]`.
//
// Checks, for every input: no crash, no hang, no out-of-bounds read (ASan); every pipelined
// request consumes at least one byte and no more than what is left; every error is one of the
// parser's statuses; and feeding the same bytes in three growing parts gives exactly the same
// first result as feeding them at once.

/// Small limits so that every limit is reachable with short inputs.
let fuzzLimits = HTTPParserLimits(maxRequestLine: 256, maxHeaderBytes: 512, maxHeaderCount: 8, maxBodyBytes: 1024)

enum FuzzOutcome: Equatable {
    case needMore
    case request(HTTPRequest, Int)
    case error(HTTPParseError)
}

/// Stops with a message (kept in -O builds) so libFuzzer saves the input as a crash reproducer.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

func outcome(_ parser: inout HTTPRequestParser, _ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    do throws(HTTPParseError) {
        switch try parser.parse(bytes) {
        case .needMore: return .needMore
        case .request(let request, let consumed): return .request(request, consumed)
        }
    } catch {
        return .error(error)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)

    // 1. All pipelined requests of the input, in one buffer.
    var parser = HTTPRequestParser(limits: fuzzLimits)
    var start = 0
    var first: FuzzOutcome?
    while true {
        let out = outcome(&parser, UnsafeRawBufferPointer(rebasing: input[start...]))
        if first == nil { first = out }
        switch out {
        case .needMore:
            break
        case .error(let e):
            check([400, 413, 414, 431, 501, 505].contains(e.status), "unexpected status \(e.status)")
        case .request(_, let consumed):
            check(consumed >= 1 && consumed <= size - start, "consumed \(consumed) of \(size - start)")
            check(!parser.isReadingBody, "still reading a body after a request")
            start += consumed
            continue
        }
        break
    }

    // 2. The same bytes in three growing parts, cut where a hash of the input says.
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in input { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
    let cutA = Int(hash % UInt64(size + 1))
    let cutB = Int((hash >> 32) % UInt64(size + 1))
    var splitParser = HTTPRequestParser(limits: fuzzLimits)
    var split = FuzzOutcome.needMore
    for cut in [min(cutA, cutB), max(cutA, cutB), size] {
        split = outcome(&splitParser, UnsafeRawBufferPointer(rebasing: input[..<cut]))
        if split != .needMore { break }
    }
    check(split == first, "split feeding at \(cutA), \(cutB) changed \(String(describing: first)) into \(split)")
    return 0
}
