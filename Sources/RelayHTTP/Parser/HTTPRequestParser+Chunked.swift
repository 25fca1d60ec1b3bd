// SPDX-License-Identifier: Apache-2.0

/// The chunked body (RFC 9112 §7.1): `chunk-size [ chunk-ext ] CRLF chunk-data CRLF`, …,
/// `0 [ chunk-ext ] CRLF`, trailer fields, CRLF. Chunk data is copied into the body as it
/// arrives, so a slow sender is never re-scanned.
extension HTTPRequestParser {
    enum ChunkStep { case needMore, progressed, finished }

    mutating func stepChunked(_ p: UnsafeRawBufferPointer) throws(HTTPParseError) -> ChunkStep {
        switch phase {
        case .chunkSize:
            let windowEnd = pos + Self.maxChunkLine + 2
            guard let lf = findLF(p, before: windowEnd) else {
                if p.count >= windowEnd { throw .badRequest("chunk-size line too long") }
                return .needMore
            }
            let end = try lineEnd(p, lf)
            let size = try Self.chunkSize(p, from: pos, to: end)
            try countFraming(lf + 1 - pos)
            advance(past: lf)
            if size == 0 {
                sectionStart = pos
                phase = .trailers
            } else {
                // Decided before any of the chunk's data is read.
                if size > limits.maxBodyBytes - body.count {
                    throw .contentTooLarge("chunked body exceeds the body limit")
                }
                if body.isEmpty { body.reserveCapacity(size) }
                remaining = size
                phase = .chunkData
            }
        case .chunkData:
            let n = min(remaining, p.count - pos)
            guard n > 0 else { return .needMore }
            body.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[pos..<pos + n]))
            pos += n
            remaining -= n
            guard remaining == 0 else { return .needMore }
            phase = .chunkDataEnd
        case .chunkDataEnd:
            guard p.count - pos >= 2 else { return .needMore }
            guard p[pos] == HTTPSyntax.cr, p[pos + 1] == HTTPSyntax.lf else {
                throw .badRequest("missing CRLF after chunk data")
            }
            try countFraming(2)
            pos += 2
            scan = pos
            phase = .chunkSize
        case .trailers:
            let windowEnd = sectionStart + limits.maxHeaderBytes
            guard let lf = findLF(p, before: windowEnd) else {
                if p.count >= windowEnd { throw .headersTooLarge("trailer section too large") }
                return .needMore
            }
            let end = try lineEnd(p, lf)
            if end == pos {  // the empty line ends the message
                advance(past: lf)
                return .finished
            }
            guard trailerCount < limits.maxHeaderCount else { throw .headersTooLarge("too many trailer fields") }
            // Trailers are validated like header fields and then dropped (RFC 9110 §6.5.1).
            _ = try Self.splitFieldLine(p, from: pos, to: end)
            trailerCount += 1
            advance(past: lf)
        case .requestLine, .headers, .fixedBody:
            preconditionFailure("not in a chunked body")
        }
        return .progressed
    }

    /// Chunk framing may cost at most the body limit plus one chunk line, so tiny chunks with
    /// long extensions cannot make the server buffer far more than `maxBodyBytes`.
    mutating func countFraming(_ bytes: Int) throws(HTTPParseError) {
        framingBytes += bytes
        if framingBytes > limits.maxBodyBytes + Self.maxChunkLine {
            throw .contentTooLarge("chunked framing exceeds the body limit")
        }
    }

    /// `1*HEXDIG` (at most 15 digits) directly followed by the end or by `;` and a chunk-ext
    /// made of visible characters, SP and HTAB.
    static func chunkSize(_ p: UnsafeRawBufferPointer, from start: Int, to end: Int) throws(HTTPParseError) -> Int {
        var i = start
        var size = 0
        while i < end, let digit = HTTPSyntax.hexValue(p[i]) {
            guard i - start < 15 else { throw .badRequest("chunk size overflow") }
            size = size << 4 | digit
            i += 1
        }
        guard i > start else { throw .badRequest("invalid chunk size") }
        if i < end {
            guard p[i] == UInt8(ascii: ";") else { throw .badRequest("invalid chunk size") }
            for k in (i + 1)..<end where !HTTPSyntax.isFieldValueByte(p[k]) {
                throw .badRequest("control character in chunk extension")
            }
        }
        return size
    }
}
