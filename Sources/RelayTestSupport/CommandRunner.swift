// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Runs `pixelrelay` subcommands (check-config, queue …, healthcheck) and captures their output.
public enum CommandRunner {
    /// Runs the built binary with `arguments` and extra `environment`; returns its exit status and
    /// combined stdout + stderr.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (
        status: Int32, output: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: GatewayProcess.binaryPath())
        process.arguments = arguments
        var env = ["PATH": "/usr/bin:/bin", "HOME": "/tmp"]
        env.merge(environment) { _, new in new }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
