// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayStore

@Suite struct CRC32CTests {
    @Test(
        "CRC-32C matches the published check values",
        arguments: [
            (Array("123456789".utf8), UInt32(0xE306_9283)),
            ([UInt8](repeating: 0, count: 32), UInt32(0x8A91_36AA)),
            ([UInt8](repeating: 0xFF, count: 32), UInt32(0x62A8_AB43)),
            (Array(0..<32), UInt32(0x46DD_794E)),
            ([], UInt32(0)),
        ])
    func checkValues(bytes: [UInt8], expected: UInt32) {
        #expect(CRC32C.checksum(bytes) == expected)
    }

    @Test("computing in pieces equals computing at once, for every split of an odd-length buffer")
    func incremental() {
        let bytes = (0..<37).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        let whole = CRC32C.checksum(bytes)
        for split in 0...bytes.count {
            let crc = bytes[..<split].withUnsafeBytes { a in
                bytes[split...].withUnsafeBytes { b in CRC32C.update(CRC32C.update(0, a), b) }
            }
            #expect(crc == whole, "split at \(split)")
        }
    }
}

@Suite struct RecordFormatTests {
    @Test("a framed record decodes to the same event and its checksum verifies")
    func roundTrip() throws {
        let event = QueuedEvent(
            pixelID: "p", eventID: "id-é", eventName: "Lead", eventTime: -5, enqueuedAtMs: Int64.max,
            payload: Array("{\"a\":1}".utf8))
        var buffer: [UInt8] = []
        try RecordFormat.encode(event, maxRecordBytes: 1 << 20, into: &buffer)
        #expect(buffer.count == RecordFormat.recordSize(event))
        let decoded = buffer.withUnsafeBytes { raw -> QueuedEvent? in
            #expect(RecordFormat.hasMagic(raw.baseAddress!))
            #expect(raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self) == RecordFormat.checksum(raw.baseAddress!))
            return RecordFormat.decodePayload(UnsafeRawBufferPointer(rebasing: raw[12...]), pixelID: "p")
        }
        #expect(decoded == event)
    }

    @Test("over-long fields and oversize records are refused")
    func refusals() {
        var buffer: [UInt8] = []
        var long = makeEvent(1)
        long.eventID = String(repeating: "x", count: 70_000)
        #expect(throws: RecordFormat.EncodeError.self) {
            try RecordFormat.encode(long, maxRecordBytes: 1 << 20, into: &buffer)
        }
        #expect(throws: RecordFormat.EncodeError.self) {
            try RecordFormat.encode(makeEvent(1, padding: 100), maxRecordBytes: 50, into: &buffer)
        }
        #expect(buffer.isEmpty)
    }

    @Test("cursor files and segment names parse back, and damaged ones are refused")
    func layoutNames() {
        let p = QueuePosition(segment: 42, offset: 123_456)
        #expect(QueueLayout.parseCursor(QueueLayout.encodeCursor(p)) == p)
        #expect(QueueLayout.segmentName(42) == "0000000000000042.seg")
        #expect(QueueLayout.parseSegmentName("0000000000000042.seg") == 42)
        for bad in ["", "42.seg", "00000000000000x2.seg", "0000000000000042.sex", "cursor"] {
            #expect(QueueLayout.parseSegmentName(bad) == nil, "\(bad)")
        }
        for bad in ["", "\n", "1\n", "a 1\n", "1 -1\n", "1 2", "1 2 3\n"] {
            #expect(QueueLayout.parseCursor(Array(bad.utf8)) == nil, "\(bad)")
        }
    }
}
