// SPDX-License-Identifier: Apache-2.0

/// Size limits that bound the memory and CPU one request can cost the parser (reliability.md H3).
///
/// Every limit is checked as soon as it is exceeded, not when the offending part finally ends,
/// so a client cannot make the server buffer more than these many bytes for one request.
public struct HTTPParserLimits: Sendable, Equatable {
    /// Longest request-line in bytes, without its CRLF (and counting any empty lines skipped
    /// before it). Longer → `414`.
    public var maxRequestLine: Int
    /// Largest header section in bytes, every field line with its CRLF plus the final empty
    /// line. Larger → `431`. Trailers of a chunked body get the same budget.
    public var maxHeaderBytes: Int
    /// Most header fields (and, separately, trailer fields). More → `431`.
    public var maxHeaderCount: Int
    /// Largest body in bytes, after removing chunked framing. Larger → `413`, decided from
    /// `Content-Length` before any body byte is read.
    public var maxBodyBytes: Int

    /// Creates limits; the defaults are the ones reliability.md H3 promises.
    /// - Parameters:
    ///   - maxRequestLine: longest request-line (default 8 KiB).
    ///   - maxHeaderBytes: largest header section (default 16 KiB).
    ///   - maxHeaderCount: most header fields (default 100).
    ///   - maxBodyBytes: largest body (default 64 KiB, the config's `server.max_body_bytes`).
    public init(
        maxRequestLine: Int = 8 * 1024,
        maxHeaderBytes: Int = 16 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 64 * 1024
    ) {
        self.maxRequestLine = max(0, maxRequestLine)
        self.maxHeaderBytes = max(0, maxHeaderBytes)
        self.maxHeaderCount = max(0, maxHeaderCount)
        self.maxBodyBytes = max(0, maxBodyBytes)
    }
}
