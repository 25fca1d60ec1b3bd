// SPDX-License-Identifier: Apache-2.0

/// New durable events of one pixel, announced after a group commit (see
/// ``DurableQueue/setAvailabilityHandler(_:)``).
public struct QueueArrival: Sendable, Equatable {
    /// The pixel whose queue grew.
    public var pixelID: String
    /// How many events the group added.
    public var events: Int
    /// Their size on disk (records with framing), an upper bound of their payload bytes.
    public var bytes: Int

    public init(pixelID: String, events: Int, bytes: Int) {
        self.pixelID = pixelID
        self.events = events
        self.bytes = bytes
    }
}
