// SPDX-License-Identifier: Apache-2.0

/// The on-disk record framing.
///
/// ```
/// magic (4) | payload length (u32 LE) | CRC-32C of length+payload (u32 LE) | payload
/// payload = version (1) | event_time (i64 LE) | enqueued_at_ms (i64 LE)
///         | event_id length (u16 LE) | event_id | event_name length (u16 LE) | event_name | CAPI JSON
/// ```
/// The magic's first and last bytes (0xFF, 0xC1) never occur in UTF-8, so a resync scan after
/// corruption does not lock onto JSON text; the CRC covers the length so a flipped length is caught.
enum RecordFormat {
    static let magic: (UInt8, UInt8, UInt8, UInt8) = (0xFF, 0x50, 0x52, 0xC1)
    /// Bytes before the payload.
    static let headerSize = 12
    /// A hard ceiling on a stored payload, independent of options, so any length above it is corrupt.
    static let maxPayloadBytes = 16 << 20
    static let version: UInt8 = 1
    /// Bytes of the payload before the variable-length strings.
    private static let fixedPayloadBytes = 1 + 8 + 8 + 2 + 2

    /// Why an event cannot be framed.
    enum EncodeError: Error {
        case fieldTooLong(String)
        case recordTooLarge(Int)
    }

    /// The framed size of `event`.
    static func recordSize(_ event: QueuedEvent) -> Int {
        headerSize + fixedPayloadBytes + event.eventID.utf8.count + event.eventName.utf8.count + event.payload.count
    }

    /// Appends the framed record for `event` to `buffer`.
    static func encode(_ event: QueuedEvent, maxRecordBytes: Int, into buffer: inout [UInt8]) throws(EncodeError) {
        let idCount = event.eventID.utf8.count
        let nameCount = event.eventName.utf8.count
        guard idCount <= Int(UInt16.max) else { throw .fieldTooLong("event_id") }
        guard nameCount <= Int(UInt16.max) else { throw .fieldTooLong("event_name") }
        let payloadCount = fixedPayloadBytes + idCount + nameCount + event.payload.count
        guard payloadCount <= min(maxRecordBytes, maxPayloadBytes) else { throw .recordTooLarge(payloadCount) }

        let start = buffer.count
        buffer.reserveCapacity(start + headerSize + payloadCount)
        buffer.append(magic.0)
        buffer.append(magic.1)
        buffer.append(magic.2)
        buffer.append(magic.3)
        appendLE(UInt32(payloadCount), to: &buffer)
        appendLE(UInt32(0), to: &buffer)  // CRC, filled in below
        buffer.append(version)
        appendLE(UInt64(bitPattern: event.eventTime), to: &buffer)
        appendLE(UInt64(bitPattern: event.enqueuedAtMs), to: &buffer)
        appendLE(UInt16(idCount), to: &buffer)
        buffer.append(contentsOf: event.eventID.utf8)
        appendLE(UInt16(nameCount), to: &buffer)
        buffer.append(contentsOf: event.eventName.utf8)
        buffer.append(contentsOf: event.payload)

        buffer.withUnsafeMutableBytes { raw in
            let crc = checksum(raw.baseAddress! + start)
            raw.storeBytes(of: crc.littleEndian, toByteOffset: start + 8, as: UInt32.self)
        }
    }

    /// The CRC a record starting at `record` should carry (covers the length field and the payload).
    /// The caller guarantees the whole record is addressable.
    static func checksum(_ record: UnsafeRawPointer) -> UInt32 {
        let length = Int(UInt32(littleEndian: (record + 4).loadUnaligned(as: UInt32.self)))
        let crc = CRC32C.update(0, UnsafeRawBufferPointer(start: record + 4, count: 4))
        return CRC32C.update(crc, UnsafeRawBufferPointer(start: record + headerSize, count: length))
    }

    /// True when the four bytes at `p` are the record magic.
    static func hasMagic(_ p: UnsafeRawPointer) -> Bool {
        p.load(as: UInt8.self) == magic.0 && p.load(fromByteOffset: 1, as: UInt8.self) == magic.1
            && p.load(fromByteOffset: 2, as: UInt8.self) == magic.2
            && p.load(fromByteOffset: 3, as: UInt8.self) == magic.3
    }

    /// Decodes a payload whose CRC already verified; nil when its structure is invalid.
    static func decodePayload(_ payload: UnsafeRawBufferPointer, pixelID: String) -> QueuedEvent? {
        guard payload.count >= fixedPayloadBytes, payload[0] == version else { return nil }
        let eventTime = Int64(bitPattern: readLE(payload, 1, UInt64.self))
        let enqueuedAtMs = Int64(bitPattern: readLE(payload, 9, UInt64.self))
        var at = 17
        let idCount = Int(readLE(payload, at, UInt16.self))
        at += 2
        guard at + idCount + 2 <= payload.count else { return nil }
        let eventID = String(decoding: UnsafeRawBufferPointer(rebasing: payload[at..<at + idCount]), as: UTF8.self)
        at += idCount
        let nameCount = Int(readLE(payload, at, UInt16.self))
        at += 2
        guard at + nameCount <= payload.count else { return nil }
        let eventName = String(decoding: UnsafeRawBufferPointer(rebasing: payload[at..<at + nameCount]), as: UTF8.self)
        at += nameCount
        return QueuedEvent(
            pixelID: pixelID, eventID: eventID, eventName: eventName, eventTime: eventTime,
            enqueuedAtMs: enqueuedAtMs, payload: [UInt8](UnsafeRawBufferPointer(rebasing: payload[at...])))
    }

    /// Reads only the timestamps of a well-formed payload (for counting and stats), without copying the strings.
    static func decodeTimes(_ payload: UnsafeRawBufferPointer) -> (eventTime: Int64, enqueuedAtMs: Int64)? {
        guard payload.count >= fixedPayloadBytes, payload[0] == version else { return nil }
        let idCount = Int(readLE(payload, 17, UInt16.self))
        guard 19 + idCount + 2 <= payload.count else { return nil }
        let nameCount = Int(readLE(payload, 19 + idCount, UInt16.self))
        guard 21 + idCount + nameCount <= payload.count else { return nil }
        return (Int64(bitPattern: readLE(payload, 1, UInt64.self)), Int64(bitPattern: readLE(payload, 9, UInt64.self)))
    }

    static func appendLE<T: FixedWidthInteger>(_ value: T, to buffer: inout [UInt8]) {
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { buffer.append(contentsOf: $0) }
    }

    static func readLE<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _: T.Type) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
