// SPDX-License-Identifier: Apache-2.0

/// Paths and names under the data directory.
///
/// ```
/// dataDir/LOCK                              flock held by the running server
/// dataDir/queue/<pixel>/<16 digits>.seg     append-only segments
/// dataDir/queue/<pixel>/cursor              "<segment> <offset>\n" of the first undelivered record
/// dataDir/dead/<pixel>.jsonl                dead letters, one JSON object per line
/// dataDir/quarantine/*.bin                  corrupt bytes, each with a one-line text header
/// ```
struct QueueLayout: Sendable {
    /// Directories are private to the service user (S5).
    static let directoryPermissions: UInt32 = 0o700
    /// Files are private to the service user (S5).
    static let filePermissions: UInt32 = 0o600

    let root: String

    init(root: String) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r
    }

    var lockPath: String { root + "/LOCK" }
    /// Zeros set aside so delivery can go on when the disk is full (``SpaceReserve``).
    var reservePath: String { root + "/reserve" }
    var queueDirectory: String { root + "/queue" }
    var deadDirectory: String { root + "/dead" }
    var quarantineDirectory: String { root + "/quarantine" }

    func pixelDirectory(_ pixelID: String) -> String { queueDirectory + "/" + pixelID }
    func segmentPath(_ pixelID: String, _ segment: UInt64) -> String {
        pixelDirectory(pixelID) + "/" + Self.segmentName(segment)
    }
    func cursorPath(_ pixelID: String) -> String { pixelDirectory(pixelID) + "/cursor" }
    func cursorTempPath(_ pixelID: String) -> String { pixelDirectory(pixelID) + "/cursor.tmp" }
    func deadLetterPath(_ pixelID: String) -> String { deadDirectory + "/" + pixelID + ".jsonl" }
    func deadLetterTempPath(_ pixelID: String) -> String { deadDirectory + "/" + pixelID + ".jsonl.tmp" }

    /// True for `[A-Za-z0-9_-]{1,64}`: safe as a file name and in a URL path.
    static func isValidPixelID(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard !utf8.isEmpty, utf8.count <= 64 else { return false }
        for b in utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return true
    }

    /// `0000000000000042.seg`.
    static func segmentName(_ segment: UInt64) -> String {
        zeroPadded(segment) + ".seg"
    }

    /// The segment number of a file name, or nil when it is not a segment.
    static func parseSegmentName(_ name: String) -> UInt64? {
        guard name.utf8.count == 20, name.hasSuffix(".seg") else { return nil }
        return parseDigits(Substring(name).utf8.prefix(16))
    }

    /// The cursor file's content.
    static func encodeCursor(_ position: QueuePosition) -> [UInt8] {
        Array((zeroPadded(position.segment) + " " + String(position.offset) + "\n").utf8)
    }

    /// Parses a cursor file; nil when it is damaged (the caller then starts from the oldest segment).
    static func parseCursor(_ bytes: [UInt8]) -> QueuePosition? {
        guard bytes.last == UInt8(ascii: "\n"),
            let space = bytes.firstIndex(of: UInt8(ascii: " ")),
            let segment = parseDigits(bytes[..<space]),
            let offset = parseDigits(bytes[(space + 1)..<(bytes.count - 1)]),
            offset <= UInt64(Int64.max)
        else { return nil }
        return QueuePosition(segment: segment, offset: Int64(offset))
    }

    static func zeroPadded(_ n: UInt64) -> String {
        let digits = String(n)
        return digits.count >= 16 ? digits : String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func parseDigits(_ bytes: some Collection<UInt8>) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 19 else { return nil }
        var value: UInt64 = 0
        for b in bytes {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(b - UInt8(ascii: "0"))
        }
        return value
    }
}
