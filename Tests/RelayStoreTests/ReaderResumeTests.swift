// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import RelayStore

/// Re-reading before a commit resumes after the previous batch instead of decoding it again; what
/// comes out must be exactly what a fresh scan returns (the FIFO prefix that fits the limits).
@Suite struct ReaderResumeTests {
    static let pixel = "777"

    @Test(
        "a batch re-read while it fills equals a fresh read, across segment rolls and limits",
        arguments: [
            (maxEvents: 1000, maxBytes: 1 << 20), (maxEvents: 7, maxBytes: 1 << 20), (maxEvents: 1000, maxBytes: 500),
        ])
    func growingBatch(maxEvents: Int, maxBytes: Int) throws {
        try withTemporaryDirectory { dir in
            let queue = try DurableQueue(directory: dir, options: testOptions(segmentBytes: 600))
            var next = 0
            for round in 0..<6 {
                for _ in 0...round {
                    _ = queue.appendSync([makeEvent(next, pixel: Self.pixel)])
                    next += 1
                }
                let batch = try #require(
                    try queue.readBatch(pixelID: Self.pixel, maxEvents: maxEvents, maxBytes: maxBytes))
                // The FIFO prefix within the limits (at least one event), as a fresh scan takes it.
                var fit: [QueuedEvent] = []
                for event in (0..<next).map({ makeEvent($0, pixel: Self.pixel) }) where fit.count < maxEvents {
                    if !fit.isEmpty && fit.reduce(0, { $0 + $1.payload.count }) + event.payload.count > maxBytes {
                        break
                    }
                    fit.append(event)
                }
                #expect(batch.events == fit, "round \(round)")
                #expect(batch.positions.count == batch.events.count)
                #expect(batch.payloadBytes == fit.reduce(0) { $0 + $1.payload.count })
            }
            // Committing part of it moves the cursor: the next read starts after the committed events.
            let batch = try #require(try queue.readBatch(pixelID: Self.pixel, maxEvents: maxEvents, maxBytes: maxBytes))
            try queue.commit(batch, count: 1)
            let rest = try #require(try queue.readBatch(pixelID: Self.pixel, maxEvents: maxEvents, maxBytes: maxBytes))
            #expect(rest.events.first?.eventID == "e-1")
            #expect(rest.start == batch.positions[1])
            #expect(try queue.drain(Self.pixel) == (1..<next).map { "e-\($0)" })
            queue.close()
        }
    }
}
