// SPDX-License-Identifier: Apache-2.0

/// Reads variables from an injected environment, with the Docker/Kubernetes `NAME_FILE` convention:
/// when `NAME` is unset or empty and `NAME_FILE` names a file, the file's content (trailing CR/LF
/// trimmed) is the value. Setting both to non-empty values is an error.
struct EnvironmentLookup {
    /// The outcome of resolving one name.
    enum Resolution: Equatable {
        /// The value, and whether it was read from a `_FILE`.
        case value(String, fromFile: Bool)
        /// Set to the empty string (and no `_FILE`).
        case empty
        /// Neither `NAME` nor `NAME_FILE` is set.
        case missing
        /// Unusable; the message says why (never the value).
        case problem(path: String, message: String)
    }

    let environment: [String: String]
    let readFile: (String) -> [UInt8]?

    /// Resolves `name`, falling back to `name_FILE`.
    func resolve(_ name: String) -> Resolution {
        let fileVar = name + "_FILE"
        let direct = environment[name]
        let path = environment[fileVar].flatMap { $0.isEmpty ? nil : $0 }
        if let direct, !direct.isEmpty {
            if path != nil {
                return .problem(
                    path: "env " + name,
                    message: "both \(name) and \(fileVar) are set; keep exactly one of them")
            }
            return .value(direct, fromFile: false)
        }
        guard let path else { return direct == nil ? .missing : .empty }
        guard let bytes = readFile(path) else {
            return .problem(
                path: "env " + fileVar,
                message: "cannot read the file \"\(path)\"; check that it exists and is readable by this process")
        }
        var end = bytes.count
        // Editors and `echo` add a final newline that is not part of the secret.
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        guard let text = String(validating: bytes[0..<end], as: UTF8.self) else {
            return .problem(path: "env " + fileVar, message: "the file \"\(path)\" is not valid UTF-8 text")
        }
        guard !text.isEmpty else {
            return .problem(path: "env " + fileVar, message: "the file \"\(path)\" is empty; put the value in it")
        }
        return .value(text, fromFile: true)
    }

    /// The non-empty value of a plain variable (no `_FILE`); empty counts as unset.
    func plain(_ name: String) -> String? {
        guard let v = environment[name], !v.isEmpty else { return nil }
        return v
    }
}
