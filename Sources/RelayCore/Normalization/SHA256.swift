// SPDX-License-Identifier: Apache-2.0

import CCrypto

/// SHA-256 as lowercase hex, through OpenSSL's EVP API with one reused `EVP_MD_CTX` and a
/// pre-fetched `EVP_MD`: allocating a context and resolving the algorithm per call costs about four
/// times the hashing of a short value.
///
/// Not thread-safe: give each thread (or each single-threaded owner) its own instance.
public final class SHA256Digest {
    private let context: OpaquePointer
    private let algorithm: OpaquePointer
    /// Whether `algorithm` came from `EVP_MD_fetch` (and must be freed) rather than `EVP_sha256`.
    private let ownsAlgorithm: Bool

    /// Creates a digest with its own OpenSSL context.
    public init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed (out of memory)") }
        self.context = context
        if let fetched = EVP_MD_fetch(nil, "SHA256", nil) {
            algorithm = fetched
            ownsAlgorithm = true
        } else {
            guard let builtin = EVP_sha256() else { fatalError("OpenSSL has no SHA-256") }
            algorithm = builtin
            ownsAlgorithm = false
        }
    }

    deinit {
        EVP_MD_CTX_free(context)
        if ownsAlgorithm { EVP_MD_free(algorithm) }
    }

    /// The lowercase hex SHA-256 of `bytes`.
    ///
    /// - Parameter bytes: The message.
    /// - Returns: 64 characters of `0-9a-f`.
    public func hex(_ bytes: some Collection<UInt8>) -> String {
        if let hex = bytes.withContiguousStorageIfAvailable({ digestHex(UnsafeRawBufferPointer($0)) }) {
            return hex
        }
        return Array(bytes).withUnsafeBytes { digestHex($0) }
    }

    /// The lowercase hex SHA-256 of the UTF-8 bytes of `string`.
    ///
    /// - Parameter string: The message.
    /// - Returns: 64 characters of `0-9a-f`.
    public func hex(_ string: String) -> String {
        var string = string
        return string.withUTF8 { digestHex(UnsafeRawBufferPointer($0)) }
    }

    /// Writes the lowercase hex SHA-256 of the UTF-8 bytes of `string` as a JSON string value, with no
    /// `String` in between (one allocation less per hashed field).
    ///
    /// - Parameters:
    ///   - string: The message.
    ///   - writer: Where the quoted hex goes (as one value: commas are the writer's).
    public func writeHex(of string: String, to writer: inout JSONWriter) {
        var string = string
        string.withUTF8 { message in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 66) { out in
                out[0] = UInt8(ascii: "\"")
                out[65] = UInt8(ascii: "\"")
                digest(UnsafeRawBufferPointer(message), hexInto: UnsafeMutableBufferPointer(rebasing: out[1..<65]))
                writer.raw(UnsafeBufferPointer(out))
            }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Hashes `message` and writes the 64 hex digits into `out`.
    private func digest(_ message: UnsafeRawBufferPointer, hexInto out: UnsafeMutableBufferPointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(EVP_MAX_MD_SIZE)) { digest in
            var length: UInt32 = 0
            let ok =
                EVP_DigestInit_ex(context, algorithm, nil) == 1
                && EVP_DigestUpdate(context, message.baseAddress, message.count) == 1
                && EVP_DigestFinal_ex(context, digest.baseAddress, &length) == 1
            precondition(ok && length == 32, "OpenSSL SHA-256 failed")
            Self.hexDigits.withUnsafeBufferPointer { digits in
                for index in 0..<32 {
                    let byte = digest[index]
                    out[2 * index] = digits[Int(byte >> 4)]
                    out[2 * index + 1] = digits[Int(byte & 0x0F)]
                }
            }
        }
    }

    private func digestHex(_ message: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: 64) { out in
            digest(message, hexInto: out)
            return 64
        }
    }
}
