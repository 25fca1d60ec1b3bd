// SPDX-License-Identifier: Apache-2.0
public import Logging
import RelayCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// swift-log handler writing one JSON object (or one text line) per message to stderr.
/// Callers put no secrets or raw PII in messages or metadata (tokens are `Secret`, which prints `<redacted>`).
public struct StderrLogHandler: LogHandler {
    public enum Format: Sendable { case json, text }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let format: Format
    static let lock = Mutex(())

    public init(label: String, level: Logger.Level, format: Format) {
        self.label = label
        self.logLevel = level
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line: String
        switch format {
        case .json:
            var w = JSONWriter(capacity: 256)
            w.beginObject()
            w.key("ts"); w.string(Self.timestamp())
            w.key("level"); w.string(event.level.rawValue)
            w.key("msg"); w.string(event.message.description)
            for (k, v) in merged.sorted(by: { $0.key < $1.key }) {
                w.key(k)
                w.string(v.description)
            }
            w.endObject()
            line = String(decoding: w.bytes, as: UTF8.self) + "\n"
        case .text:
            line = Self.textLine(
                timestamp: Self.timestamp(), level: event.level, message: event.message.description,
                metadata: merged.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value.description) })
        }
        Self.lock.withLock { _ in
            var bytes = Array(line.utf8)
            _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
        }
    }

    /// One line of the text format. Messages and values carry client text (event ids, Meta's messages):
    /// line breaks and other control characters are escaped, so no one can write a line of their own.
    static func textLine(
        timestamp: String, level: Logger.Level, message: String, metadata: [(key: String, value: String)]
    ) -> String {
        var line = timestamp + " " + level.rawValue.uppercased() + " " + textSafe(message)
        for (key, value) in metadata { line += " " + textSafe(key) + "=" + textSafe(value) }
        return line + "\n"
    }

    /// `s` with C0 and C1 controls, DEL, U+2028 / U+2029 and `\` written as escapes (`\n`, `\u{85}`, `\\`).
    static func textSafe(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0x5C || $0 >= 0xC2 }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x5C: out += "\\\\"
            case 0x00..<0x20, 0x7F...0x9F, 0x2028, 0x2029:
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = ts.tv_sec
        var tmv = tm()
        gmtime_r(&t, &tmv)
        func pad(_ v: Int32, _ n: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return
            "\(tmv.tm_year + 1900)-\(pad(tmv.tm_mon + 1))-\(pad(tmv.tm_mday))T\(pad(tmv.tm_hour)):\(pad(tmv.tm_min)):\(pad(tmv.tm_sec)).\(pad(Int32(ts.tv_nsec / 1_000_000), 3))Z"
    }
}
