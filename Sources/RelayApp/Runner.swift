// SPDX-License-Identifier: Apache-2.0
import Logging
public import RelayCore
import RelayStore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// The version string (`pixelrelay --version`, `partner_agent`).
public enum RelayVersion {
    public static let current = "0.1.0"
}

/// The executable's commands, kept out of `main` so they are testable and the executable stays thin.
public enum Runner {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
            if out.count > 16 << 20 { break }
        }
        return out
    }

    static func loadConfig(_ overrides: ConfigOverrides) -> Result<RelayConfig, ConfigLoadError> {
        ConfigLoader.load(overrides: overrides, environment: environment, readFile: readFile)
    }

    static func printErr(_ s: String) {
        var bytes = Array((s + "\n").utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// `pixelrelay serve`: runs until SIGTERM/SIGINT, then shuts down gracefully (exit 0 within 10 s).
    public static func serve(overrides: ConfigOverrides) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        // Block the stop signals in every thread (threads inherit the mask) and wait for them here.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGHUP)
        sigaddset(&set, SIGUSR1)
        pthread_sigmask(SIG_BLOCK, &set, nil)

        let config: RelayConfig
        switch loadConfig(overrides) {
        case .success(let c): config = c
        case .failure(let error):
            printErr("pixelrelay: the configuration has problems:")
            for issue in error.issues { printErr("  \(issue)") }
            printErr("Fix them (pixelrelay check-config lists them too) and start again.")
            return 78
        }
        let level = Logger.Level(rawValue: config.logging.level.rawValue) ?? .info
        let format: StderrLogHandler.Format = config.logging.format == .text ? .text : .json
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level, format: format) }
        let logger = Logger(label: "pixelrelay")
        if config.isDryRun {
            logger.notice(
                "dry-run: requests are recorded in \(config.storage.dataDir)/dry-run/requests.jsonl, not sent to Meta")
        }
        let gateway: Gateway
        do {
            gateway = try Gateway(config: config, version: RelayVersion.current, logger: logger)
            try gateway.start()
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            return 1
        }
        while true {
            var sig: Int32 = 0
            sigwait(&set, &sig)
            if sig == SIGHUP {
                // Reload: new tokens / test event codes apply at once and resume paused pixels; other
                // settings (listeners, sites, limits) need a restart.
                switch loadConfig(overrides) {
                case .success(let fresh):
                    gateway.reloadPixels(from: fresh)
                    logger.notice("SIGHUP: pixel tokens and test event codes reloaded; paused pixels resume")
                case .failure(let error):
                    logger.error(
                        "SIGHUP: the new configuration has problems; keeping the old one",
                        metadata: ["problems": "\(error.issues.count)"])
                    for issue in error.issues { logger.error("config problem", metadata: ["issue": "\(issue)"]) }
                }
                continue
            }
            if sig == SIGUSR1 {
                // `queue replay` for a running server (which holds the data directory's lock), on a thread
                // of its own: a long replay must not hold up a SIGTERM.
                gateway.replayDeadLettersInBackground()
                continue
            }
            logger.notice("signal received; shutting down", metadata: ["signal": "\(sig)"])
            break
        }
        gateway.shutdown(graceMs: 5_000)
        return 0
    }

    /// `pixelrelay check-config`.
    public static func checkConfig(overrides: ConfigOverrides) -> Int32 {
        switch loadConfig(overrides) {
        case .success(let config):
            print(
                "configuration OK: \(config.sites.count) site(s), \(config.sites.reduce(0) { $0 + $1.pixels.count }) pixel(s)\(config.isDryRun ? ", dry-run" : "")"
            )
            return 0
        case .failure(let error):
            for issue in error.issues { print(issue.description) }
            print("\(error.issues.count) problem(s) found")
            return 1
        }
    }

    /// `--data-dir`, else `PIXELRELAY_DATA_DIR`, else the configuration's. nil (after saying why) when
    /// the configuration does not load: guessing a directory would report on, or replay into, the wrong one.
    static func dataDir(_ flag: String?, configPath: String?) -> String? {
        if let flag { return flag }
        if let env = environment["PIXELRELAY_DATA_DIR"], !env.isEmpty { return env }  // empty counts as unset
        switch loadConfig(ConfigOverrides(configPath: configPath)) {
        case .success(let c): return c.storage.dataDir
        case .failure(let error):
            printErr("pixelrelay: cannot find the data directory: the configuration has problems:")
            for issue in error.issues { printErr("  \(issue)") }
            printErr("pass --data-dir DIR (or set PIXELRELAY_DATA_DIR) to use the queue without the configuration")
            return nil
        }
    }

    /// `pixelrelay queue stats`.
    public static func queueStats(dataDir flag: String?, configPath: String? = nil) -> Int32 {
        guard let dir = dataDir(flag, configPath: configPath) else { return 2 }
        do {
            let stats = try DurableQueue.stats(directory: dir)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            print(
                "queue \(dir): \(stats.totalDepth) event(s), \(stats.totalBytes) byte(s), \(stats.quarantined) quarantined record(s)"
            )
            for p in stats.pixels {
                let age = p.oldestEnqueuedAtMs.map { "\((now - $0) / 1000)s" } ?? "-"
                print(
                    "  pixel \(p.pixelID): \(p.depth) queued, \(p.bytes) bytes, oldest \(age), \(p.deadLetters) dead letter(s)"
                )
            }
            return 0
        } catch {
            printErr("pixelrelay: cannot read the queue in \(dir): \(error)")
            return 1
        }
    }

    /// `pixelrelay queue dead-letters`.
    public static func deadLetters(dataDir flag: String?, configPath: String? = nil) -> Int32 {
        guard let dir = dataDir(flag, configPath: configPath) else { return 2 }
        do {
            // One at a time: a store of any size is listed in the memory of one line.
            let count = try DurableQueue.forEachDeadLetter(directory: dir) { d in
                print(
                    "\(d.deadAtMs)\t\(d.event.pixelID)\t\(d.event.eventName)\t\(d.event.eventID)\t\(d.event.eventTime)\t\(d.reason)\(d.metaMessage.map { " — \($0)" } ?? "")\(d.fbtraceID.map { " (fbtrace_id \($0))" } ?? "")"
                )
            }
            print("\(count) dead letter(s)")
            return 0
        } catch {
            printErr("pixelrelay: cannot read dead letters in \(dir): \(error)")
            return 1
        }
    }

    /// `pixelrelay queue replay`.
    public static func replay(dataDir flag: String?, configPath: String? = nil, pixel: String?) -> Int32 {
        guard let dir = dataDir(flag, configPath: configPath) else { return 2 }
        do {
            let queue = try DurableQueue(directory: dir, options: DurableQueue.Options())
            defer { queue.close() }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let result = try queue.replayDeadLetters(
                pixelID: pixel, nowMs: now, maxAgeSeconds: EventProcessor.maxAgeSeconds)
            print(
                "replayed \(result.replayed) event(s); \(result.kept) kept in \(dir)"
                    + (result.stopped.map {
                        " (the queue refused more: \($0); the rest stays dead-lettered: run it again once it drains)"
                    } ?? " (too old to deliver: more than 7 days less an hour)"))
            return 0
        } catch {
            printErr("pixelrelay: replay failed: \(error)")
            return 1
        }
    }

    /// `http://127.0.0.1:<PIXELRELAY_PORT or 8080>/healthz`: what the Docker HEALTHCHECK probes.
    public static func defaultHealthURL() -> String {
        let port = environment["PIXELRELAY_PORT"].flatMap { Int($0) } ?? 8080
        return "http://127.0.0.1:\(port)/healthz"
    }

    /// `pixelrelay healthcheck`: a tiny HTTP/1.1 GET over a raw socket (no curl in the image needed).
    public static func healthcheck(url: String) -> Bool {
        HealthProbe.get(url: url, timeoutMs: 3000) == 200
    }
}
