// SPDX-License-Identifier: Apache-2.0

/// One configuration problem: where it is and what to do about it.
///
/// Messages never contain secret values (tokens, keys) nor values that came from `${VAR}`
/// substitution; they name the key, the limit and the fix.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    /// Where: a JSON path into the config file (`$.sites[0].pixels[1].pixel_id`), an environment
    /// variable (`env PIXELRELAY_PORT`), a flag (`flag --port`) or the file itself (`file ./x.json`).
    public let path: String
    /// What is wrong and how to fix it.
    public let message: String

    /// An issue.
    ///
    /// - Parameters:
    ///   - path: where the problem is.
    ///   - message: what is wrong and what to do.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`.
    public var description: String { path + ": " + message }
}

/// The configuration could not be loaded; `issues` lists every problem found (not just the first).
public struct ConfigLoadError: Error, Sendable, CustomStringConvertible {
    /// All problems, in the order they were found (file, then environment, then flags, then cross-checks).
    public let issues: [ConfigIssue]

    /// An error with these issues.
    public init(issues: [ConfigIssue]) {
        self.issues = issues
    }

    /// One line per issue, after a count.
    public var description: String {
        let head = issues.count == 1 ? "1 configuration problem:" : "\(issues.count) configuration problems:"
        return ([head] + issues.map { "  " + $0.description }).joined(separator: "\n")
    }
}
