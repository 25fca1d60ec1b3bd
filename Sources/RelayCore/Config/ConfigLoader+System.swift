// SPDX-License-Identifier: Apache-2.0

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension ConfigLoader {
    /// Loads the configuration from the real process environment and file system.
    ///
    /// - Parameter overrides: values from command-line flags.
    /// - Returns: the validated config, or every issue found.
    public static func load(overrides: ConfigOverrides) -> Result<RelayConfig, ConfigLoadError> {
        load(overrides: overrides, environment: ProcessInfo.processInfo.environment, readFile: readSystemFile)
    }

    /// A regular file's bytes, or nil when it is missing, unreadable or not a regular file.
    ///
    /// - Parameter path: a file system path.
    public static func readSystemFile(_ path: String) -> [UInt8]? {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory,
            let data = FileManager.default.contents(atPath: path)
        else { return nil }
        return [UInt8](data)
    }
}
