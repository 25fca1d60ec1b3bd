// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization

@testable import RelayStore

/// A ``FileSystem`` over the real one that injects faults and keeps a trace of writes and syncs,
/// each stamped with a global sequence number.
final class FaultyFileSystem: FileSystem {
    enum Op: Equatable {
        case write(path: String, offset: Int64, bytes: [UInt8])
        case fdatasync(path: String)
    }

    struct Fault {
        /// Only files whose path contains this.
        var pathContains: String
        var code: Int32
        /// For writes: let this many bytes through first (a short write), then fail.
        var afterBytes: Int = 0
        /// For writes: only writes made of zero bytes (preallocated room), not records.
        var onlyZeroWrites = false
        /// For writes: how many writes fail before the fault clears itself.
        var times = Int.max
    }

    private struct State {
        var paths: [Int32: String] = [:]
        var trace: [(sequence: Int, op: Op)] = []
        var sequence = 0
        var writeFault: Fault?
        var syncFault: Fault?
        var syncDelayMicros: UInt32 = 0
        var skipSyncs = false
    }

    private let real = PosixFileSystem()
    private let state = Mutex(State())

    var writeFault: Fault? {
        get { state.withLock { $0.writeFault } }
        set { state.withLock { $0.writeFault = newValue } }
    }
    var syncFault: Fault? {
        get { state.withLock { $0.syncFault } }
        set { state.withLock { $0.syncFault = newValue } }
    }
    /// Make every sync a no-op (for tests about recovery logic, not durability, on a slow disk).
    var skipSyncs: Bool {
        get { state.withLock { $0.skipSyncs } }
        set { state.withLock { $0.skipSyncs = newValue } }
    }
    var syncDelayMicros: UInt32 {
        get { state.withLock { $0.syncDelayMicros } }
        set { state.withLock { $0.syncDelayMicros = newValue } }
    }
    /// Successful fdatasync calls on segment files.
    var segmentSyncs: Int {
        state.withLock { s in s.trace.count { if case .fdatasync(let p) = $0.op { p.hasSuffix(".seg") } else { false } }
        }
    }
    var trace: [(sequence: Int, op: Op)] { state.withLock { $0.trace } }
    /// The next sequence number (read it in a completion to order it against the trace).
    func currentSequence() -> Int {
        state.withLock { s in
            s.sequence += 1; return s.sequence
        }
    }

    func open(_ path: String, _ flags: OpenFlags, permissions: UInt32) throws(FileSystemError) -> Int32 {
        let fd = try real.open(path, flags, permissions: permissions)
        state.withLock { $0.paths[fd] = path }
        return fd
    }

    func close(_ fd: Int32) {
        state.withLock { _ = $0.paths.removeValue(forKey: fd) }
        real.close(fd)
    }

    func pwrite(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int64) throws(FileSystemError) -> Int {
        let (path, fault) = state.withLock { s in (s.paths[fd] ?? "?", s.writeFault) }
        var buffer = buffer
        if let fault, path.contains(fault.pathContains), !fault.onlyZeroWrites || buffer.allSatisfy({ $0 == 0 }) {
            state.withLock { s in
                s.writeFault?.times -= 1
                if s.writeFault?.times == 0 { s.writeFault = nil }
            }
            if fault.afterBytes <= 0 { throw FileSystemError(operation: "pwrite", code: fault.code) }
            buffer = UnsafeRawBufferPointer(rebasing: buffer.prefix(fault.afterBytes))
            state.withLock { $0.writeFault?.afterBytes = 0 }
        }
        let n = try real.pwrite(fd, buffer, at: offset)
        let bytes = [UInt8](buffer.prefix(n))
        state.withLock { s in
            s.sequence += 1
            s.trace.append((s.sequence, .write(path: path, offset: offset, bytes: bytes)))
        }
        return n
    }

    func pread(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(FileSystemError) -> Int {
        try real.pread(fd, buffer, at: offset)
    }

    func fdatasync(_ fd: Int32) throws(FileSystemError) {
        let (path, fault, delay, skip) = state.withLock { s in
            (s.paths[fd] ?? "?", s.syncFault, s.syncDelayMicros, s.skipSyncs)
        }
        if delay > 0 { usleep(delay) }
        if let fault, path.contains(fault.pathContains) {
            throw FileSystemError(operation: "fdatasync", code: fault.code)
        }
        if !skip { try real.fdatasync(fd) }
        state.withLock { s in
            s.sequence += 1
            s.trace.append((s.sequence, .fdatasync(path: path)))
        }
    }

    func fsync(_ fd: Int32) throws(FileSystemError) {
        if !skipSyncs { try real.fsync(fd) }
    }
    func ftruncate(_ fd: Int32, to length: Int64) throws(FileSystemError) { try real.ftruncate(fd, to: length) }
    func size(_ fd: Int32) throws(FileSystemError) -> Int64 { try real.size(fd) }
    func rename(_ from: String, to: String) throws(FileSystemError) { try real.rename(from, to: to) }
    func unlink(_ path: String) throws(FileSystemError) { try real.unlink(path) }
    func makeDirectory(_ path: String, permissions: UInt32) throws(FileSystemError) {
        try real.makeDirectory(path, permissions: permissions)
    }
    func setPermissions(_ path: String, _ permissions: UInt32) throws(FileSystemError) {
        try real.setPermissions(path, permissions)
    }
    func contentsOfDirectory(_ path: String) throws(FileSystemError) -> [String] { try real.contentsOfDirectory(path) }
    func syncDirectory(_ path: String) throws(FileSystemError) {
        if !skipSyncs { try real.syncDirectory(path) }
    }
    func availableBytes(_ path: String) throws(FileSystemError) -> Int64 { try real.availableBytes(path) }
}
