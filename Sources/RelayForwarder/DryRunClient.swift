// SPDX-License-Identifier: Apache-2.0
import RelayCore

#if canImport(Glibc)
    import Glibc
#endif

/// The dry-run end of the pipeline: instead of POSTing to Meta it appends the exact request body
/// (whose token the worker already redacted) as one line to `{data_dir}/dry-run/requests.jsonl` and
/// answers like Meta would (`events_received` = the batch size).
public final class DryRunClient: UpstreamClient, @unchecked Sendable {
    private let fd: Int32
    /// Path of the JSON-lines file.
    public let path: String
    /// Called with each recorded body (for `/status`).
    private let onRecord: (@Sendable ([UInt8]) -> Void)?

    /// Opens (creating 0600) the requests file under `dataDir/dry-run/`.
    public init(dataDir: String, onRecord: (@Sendable ([UInt8]) -> Void)? = nil) throws {
        let dir = dataDir + "/dry-run"
        mkdir(dir, 0o700)
        path = dir + "/requests.jsonl"
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        if fd < 0 { throw UpstreamError.connect("cannot open \(path): \(String(cString: strerror(errno)))") }
        self.onRecord = onRecord
    }

    public func send(
        _ request: UpstreamRequest, completion: @escaping @Sendable (Result<UpstreamResponse, UpstreamError>) -> Void
    ) {
        var line = request.body
        line.append(0x0A)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else {
            completion(.failure(.transport(code: -1, message: "dry-run write failed: \(String(cString: strerror(errno)))")))
            return
        }
        onRecord?(request.body)
        let count = Self.countEvents(request.body)
        let body = Array("{\"events_received\":\(count),\"messages\":[],\"fbtrace_id\":\"dry-run\"}".utf8)
        completion(.success(UpstreamResponse(status: 200, body: body, headers: [])))
    }

    public func shutdown() {
        close(fd)
    }

    /// Counts the elements of the body's `data` array without a full parse (the worker wrote it).
    static func countEvents(_ body: [UInt8]) -> Int {
        guard let parsed = try? JSONParser.parse(body), case .array(let data)? = parsed["data"] else { return 0 }
        return data.count
    }
}
