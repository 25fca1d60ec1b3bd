// SPDX-License-Identifier: Apache-2.0
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the real `pixelrelay` binary for end-to-end tests: port 0, a private data dir, env vars; reads
/// the bound port from its log; can SIGTERM or `kill -9` it.
public final class GatewayProcess {
    public let pid: pid_t
    public let port: Int
    public let logPath: String

    /// The built binary (`.build/debug/pixelrelay` next to the package root).
    public static func binaryPath(file: String = #filePath) -> String {
        var root = file
        while let slash = root.lastIndex(of: "/") {
            root = String(root[..<slash])
            if access(root + "/Package.swift", F_OK) == 0 { break }
        }
        for candidate in [
            ".build/debug/pixelrelay", ".build/x86_64-unknown-linux-gnu/debug/pixelrelay", ".build/release/pixelrelay",
        ] {
            if access(root + "/" + candidate, X_OK) == 0 { return root + "/" + candidate }
        }
        return root + "/.build/debug/pixelrelay"
    }

    /// Starts `pixelrelay serve --port 0 --host 127.0.0.1 --data-dir DIR ARGS` with `environment` added.
    public init(dataDir: String, arguments: [String] = [], environment: [String: String] = [:], timeoutMs: Int = 15000)
        throws
    {
        logPath = dataDir + ".log"
        let argv =
            [Self.binaryPath(), "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir] + arguments
        // The caller's variables override these defaults (getenv would see only the first duplicate).
        var merged = [
            "PATH": "/usr/bin:/bin", "PIXELRELAY_LOG_FORMAT": "json", "PIXELRELAY_LOG_LEVEL": "info", "HOME": "/tmp",
        ]
        merged.merge(environment) { _, new in new }
        let env = merged.map { "\($0.key)=\($0.value)" }
        // A restart on the same data dir appends to the same log: look for the port only in this run's part.
        let logStart = Self.read(logPath).utf8.count
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        Self.closeInheritedDescriptors(&actions)
        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup($0) } + [nil]
        let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
        cArgs.forEach { free($0) }
        cEnv.forEach { free($0) }
        posix_spawn_file_actions_destroy(&actions)
        guard rc == 0 else { throw GatewayProcessError.spawn(rc) }
        self.pid = pid
        var found = 0
        let deadline = Self.nowMs() + timeoutMs
        while Self.nowMs() < deadline {
            if let p = Self.findPort(in: String(decoding: Self.read(logPath).utf8.dropFirst(logStart), as: UTF8.self)) {
                found = p
                break
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { throw GatewayProcessError.exited(Self.read(logPath)) }
            usleep(20_000)
        }
        guard found > 0 else {
            kill(pid, SIGKILL)
            throw GatewayProcessError.noPort(Self.read(logPath))
        }
        port = found
    }

    /// Sends `signal` and waits for exit; returns the exit status (or 128+signal) and the elapsed ms.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeoutMs: Int = 15000) -> (status: Int32, ms: Int) {
        let start = Self.nowMs()
        kill(pid, signal)
        if let code = waitForExit(timeoutMs: timeoutMs) { return (code, Self.nowMs() - start) }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return (-1, Self.nowMs() - start)
    }

    /// Waits up to `timeoutMs` for the process to exit on its own; its exit status (or 128+signal), or
    /// nil if it is still running.
    public func waitForExit(timeoutMs: Int) -> Int32? {
        let start = Self.nowMs()
        var status: Int32 = 0
        repeat {
            if waitpid(pid, &status, WNOHANG) == pid {
                return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            }
            usleep(5_000)
        } while Self.nowMs() - start < timeoutMs
        return nil
    }

    public var log: String { Self.read(logPath) }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// Closes every descriptor above stderr in the child (glibc ≥ 2.34, looked up because Swift's Glibc
    /// does not export it): a pipe another test reads to EOF must not stay open in a long-lived gateway.
    static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
    }

    static func findPort(in log: String) -> Int? {
        guard let r = log.range(of: "\"http.port\":\"") else { return nil }
        let digits = log[r.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    static func read(_ path: String) -> String {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func nowMs() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
    }

    /// A fresh temporary directory.
    public static func temporaryDirectory(_ prefix: String = "pixelrelay-test") -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let path = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return String(cString: path!)
    }
}

public enum GatewayProcessError: Error {
    case spawn(Int32)
    case exited(String)
    case noPort(String)
}
