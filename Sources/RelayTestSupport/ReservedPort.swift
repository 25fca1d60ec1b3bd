// SPDX-License-Identifier: Apache-2.0
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP port on 127.0.0.1 that is bound but not listening: connecting to it is refused, and no other
/// socket (another test's server or client) can take it until ``release()``. Binding a port, closing it
/// and using its number later would leave a gap in which a parallel test could get it.
public final class ReservedPort: Sendable {
    /// The port number.
    public let port: Int
    private let fd: Mutex<Int32>

    /// Reserves a free port chosen by the kernel.
    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ReservedPortError.failed(errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                bind(fd, p, length) == 0 && getsockname(fd, p, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(fd)
            throw ReservedPortError.failed(code)
        }
        self.fd = Mutex(fd)
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Frees the port (just before a server is started on it). Idempotent.
    public func release() {
        fd.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }

    deinit {
        release()
    }
}

/// Why a port could not be reserved.
public enum ReservedPortError: Error {
    case failed(Int32)
}
