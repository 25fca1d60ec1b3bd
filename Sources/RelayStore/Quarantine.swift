// SPDX-License-Identifier: Apache-2.0

/// Copies damaged bytes out of a segment before they are skipped or truncated, for forensics.
///
/// A file is named after the pixel, segment and offset of the damage, so finding the same damage
/// again (at the next start, or by the reader) neither duplicates it nor counts it twice.
enum Quarantine {
    /// Why bytes were set aside; the file name starts with it.
    enum Reason: String {
        /// A damaged record followed by valid ones: skipped, counted as quarantined.
        case corrupt
        /// Unreadable bytes at the end of a segment (a crash mid-append): truncated.
        case tail
    }

    /// At most this much of one damaged range is copied.
    static let maxCopiedBytes: Int64 = 4 << 20

    static func fileName(_ reason: Reason, _ pixelID: String, _ segment: UInt64, _ offset: Int64) -> String {
        "\(reason.rawValue)-\(pixelID)-\(QueueLayout.zeroPadded(segment))-\(offset).bin"
    }

    /// Copies `range` of a segment to a new quarantine file. Returns true when a file was created
    /// (false when it already existed, a tail is all zeros, or writing failed: quarantine is best effort).
    @discardableResult
    static func save(
        fs: any FileSystem, layout: QueueLayout, reason: Reason, pixelID: String, segment: UInt64,
        range: Range<Int64>, nowMs: Int64
    ) -> Bool {
        let path = layout.quarantineDirectory + "/" + fileName(reason, pixelID, segment, range.lowerBound)
        // Claim the name first, so damage met again costs no copy.
        guard let out = try? fs.open(path, [.write, .create, .exclusive], permissions: QueueLayout.filePermissions)
        else {
            return false
        }
        defer { fs.close(out) }
        let bytes: [UInt8]? = {
            guard let source = try? fs.open(layout.segmentPath(pixelID, segment), .read, permissions: 0) else {
                return nil
            }
            defer { fs.close(source) }
            return try? FileIO.readAll(
                fs, source, count: Int(min(Int64(range.count), maxCopiedBytes)), at: range.lowerBound)
        }()
        // A zeroed tail is just preallocated space from a crash; zeroed damage mid-segment is still kept.
        guard let bytes, reason == .corrupt || !bytes.allSatisfy({ $0 == 0 }) else {
            try? fs.unlink(path)
            return false
        }
        let header =
            "pixelrelay-quarantine v1 reason=\(reason.rawValue) pixel=\(pixelID) segment=\(segment) "
            + "offset=\(range.lowerBound) length=\(range.count) copied=\(bytes.count) at_ms=\(nowMs)\n"
        do {
            try FileIO.writeAll(fs, out, Array(header.utf8) + bytes, at: 0)
            return true
        } catch {
            try? fs.unlink(path)
            return false
        }
    }

    /// How many corrupt ranges have been set aside (torn tails are not corruption and not counted).
    static func count(fs: any FileSystem, layout: QueueLayout) -> Int {
        let names = (try? fs.contentsOfDirectory(layout.quarantineDirectory)) ?? []
        return names.count { $0.hasPrefix(Reason.corrupt.rawValue + "-") && $0.hasSuffix(".bin") }
    }
}
