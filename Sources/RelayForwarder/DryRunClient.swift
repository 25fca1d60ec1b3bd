// SPDX-License-Identifier: Apache-2.0
import RelayCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The dry-run end of the pipeline: instead of POSTing to Meta it appends the exact request body
/// (whose token the worker already redacted) as one line to `{data_dir}/dry-run/requests.jsonl` and
/// answers like Meta would (`events_received` = the batch size).
///
/// A body that still carries a real `access_token` is rewritten with `<redacted>` before it is
/// written: the token must never reach the disk, whoever builds the request.
public final class DryRunClient: UpstreamClient, @unchecked Sendable {
    /// The open file; nil after `shutdown`.
    private let file: Mutex<Int32?>
    /// Path of the JSON-lines file.
    public let path: String
    /// Called with each recorded body (for `/status`).
    private let onRecord: (@Sendable ([UInt8]) -> Void)?
    /// Bodies are at most a few MiB (the worker's byte budget plus the envelope).
    private static let limits = JSONLimits(maxBytes: 64 << 20)

    /// Opens (creating, mode 0600) the requests file under `dataDir/dry-run/` (mode 0700).
    /// - Parameters:
    ///   - dataDir: the data directory.
    ///   - onRecord: called with each body written.
    /// - Throws: `UpstreamError.connect` when the file cannot be opened.
    public init(dataDir: String, onRecord: (@Sendable ([UInt8]) -> Void)? = nil) throws {
        let dir = dataDir + "/dry-run"
        mkdir(dir, 0o700)
        path = dir + "/requests.jsonl"
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        if fd < 0 { throw UpstreamError.connect("cannot open \(path): \(String(cString: strerror(errno)))") }
        // `open`'s mode only applies to a new file; an older one may have been created looser.
        fchmod(fd, 0o600)
        file = Mutex(fd)
        self.onRecord = onRecord
    }

    deinit {
        shutdown()
    }

    /// Appends the (redacted) body as one line and answers success with the batch size.
    public func send(
        _ request: UpstreamRequest, completion: @escaping @Sendable (Result<UpstreamResponse, UpstreamError>) -> Void
    ) {
        let (body, count) = Self.redacted(request.body)
        var line = body
        line.append(0x0A)
        // Under the lock: lines never interleave, and a concurrent shutdown cannot close the fd under us.
        let failure: UpstreamError? = file.withLock { fd in
            guard let fd else { return .cancelled }
            return Self.writeAll(fd, line)
        }
        if let failure {
            completion(.failure(failure))
            return
        }
        onRecord?(body)
        let answer = Array("{\"events_received\":\(count),\"messages\":[],\"fbtrace_id\":\"dry-run\"}".utf8)
        completion(.success(UpstreamResponse(status: 200, body: answer, headers: [])))
    }

    /// Closes the file; later sends complete with `.cancelled`. Idempotent.
    public func shutdown() {
        file.withLock { fd in
            if let open = fd { close(open) }
            fd = nil
        }
    }

    /// The body with any real `access_token` replaced, and the number of events in `data`.
    static func redacted(_ body: [UInt8]) -> (body: [UInt8], events: Int) {
        guard let parsed = try? JSONParser.parse(body, limits: limits), case .object(var object) = parsed else {
            // Not ours (the worker always sends an object): never write what might hold a token.
            return (Array("{\"unparseable_body_bytes\":\(body.count)}".utf8), 0)
        }
        let events = object["data"]?.arrayValue?.count ?? 0
        guard let token = object["access_token"], token != .string(Secret.redacted) else { return (body, events) }
        for i in object.members.indices where object.members[i].key == "access_token" {
            object.members[i].value = .string(Secret.redacted)
        }
        return (JSONValue.object(object).jsonBytes, events)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> UpstreamError? {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return .transport(code: -1, message: "dry-run write failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        return nil
    }
}
