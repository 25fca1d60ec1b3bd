// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Logging
import RelayApp
import RelayCore

/// The `pixelrelay` executable: parses flags and hands over to `RelayApp`.
@main
struct PixelRelayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pixelrelay",
        abstract: "First-party tracking gateway for Meta's Conversions API.",
        version: RelayVersion.current,
        subcommands: [Serve.self, CheckConfig.self, Queue.self, Healthcheck.self],
        defaultSubcommand: Serve.self)
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway in the foreground.")

    @Option(help: "Config file (default ./config/pixelrelay.json, else /etc/pixelrelay/pixelrelay.json).")
    var config: String?
    @Option(help: "Address to bind.") var host: String?
    @Option(help: "Port to bind.") var port: Int?
    @Option(name: .customLong("data-dir"), help: "Queue and dead-letter directory.") var dataDir: String?
    @Flag(name: .customLong("dry-run"), help: "Record the requests that would be sent instead of sending them.")
    var dryRun = false

    func run() throws {
        let overrides = ConfigOverrides(
            configPath: config, host: host, port: port, dataDir: dataDir, dryRun: dryRun ? true : nil)
        let code = Runner.serve(overrides: overrides)
        if code != 0 { throw ExitCode(code) }
    }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate the configuration and print every problem with its JSON path.")
    @Option(help: "Config file.") var config: String?

    func run() throws {
        let code = Runner.checkConfig(overrides: ConfigOverrides(configPath: config))
        if code != 0 { throw ExitCode(code) }
    }
}

/// Where the `queue` commands find the data directory.
struct QueueLocation: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Queue directory (default: PIXELRELAY_DATA_DIR, else the config's).")
    var dataDir: String?
    @Option(help: "Config file whose storage.data_dir to use (default: the same search as serve).")
    var config: String?
}

struct Queue: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect the durable queue and dead letters.",
        subcommands: [Stats.self, DeadLetters.self, Replay.self])

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue depth, bytes, oldest event age and dead letters per pixel.")
        @OptionGroup var location: QueueLocation
        func run() throws {
            let code = Runner.queueStats(dataDir: location.dataDir, configPath: location.config)
            if code != 0 { throw ExitCode(code) }
        }
    }

    struct DeadLetters: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dead-letters", abstract: "List dead-lettered events (reason, pixel, event name, id, time).")
        @OptionGroup var location: QueueLocation
        func run() throws {
            let code = Runner.deadLetters(dataDir: location.dataDir, configPath: location.config)
            if code != 0 { throw ExitCode(code) }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move dead letters still inside Meta's 7-day window back into the queue.")
        @OptionGroup var location: QueueLocation
        @Option(name: .customLong("pixel")) var pixel: String?
        func run() throws {
            let code = Runner.replay(dataDir: location.dataDir, configPath: location.config, pixel: pixel)
            if code != 0 { throw ExitCode(code) }
        }
    }
}

struct Healthcheck: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "GET /healthz; exit 0 on 200 (for Docker HEALTHCHECK).")
    @Option(help: "URL to probe (default http://127.0.0.1:$PIXELRELAY_PORT/healthz, port 8080 when unset).")
    var url: String?
    func run() throws {
        if !Runner.healthcheck(url: url ?? Runner.defaultHealthURL()) { throw ExitCode(1) }
    }
}
