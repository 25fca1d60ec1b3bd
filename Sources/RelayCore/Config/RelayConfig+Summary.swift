// SPDX-License-Identifier: Apache-2.0

extension RelayConfig {
    /// The effective configuration as JSON, in the config file's shape, with every secret shown as
    /// `"<redacted>"` (absent secrets are `null`); for the startup log, `check-config` and `/status`.
    ///
    /// Adds `"dry_run_effective"` (the inferred dry-run state) and `"source"` (the file loaded, or null).
    public func redactedSummary() -> JSONValue {
        func obj(_ members: [(String, JSONValue)]) -> JSONValue {
            .object(JSONObject(members.map { (key: $0.0, value: $0.1) }))
        }
        func num(_ n: Int) -> JSONValue { .number(String(n)) }
        func str(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        func strs(_ a: [String]) -> JSONValue { .array(a.map(JSONValue.string)) }
        func secret(_ s: Secret?) -> JSONValue { s == nil ? .null : .string(Secret.redacted) }

        let sitesJSON: [JSONValue] = sites.map { site in
            var origins = site.allowedOrigins
            if site.allowAnyOrigin { origins.insert("*", at: 0) }
            return obj([
                ("name", .string(site.name)),
                ("domains", strs(site.domains)),
                ("allowed_origins", strs(origins)),
                ("cookie_domain", str(site.cookieDomain)),
                ("default_country", str(site.defaultCountry)),
                (
                    "pixels",
                    .array(
                        site.pixels.map { p in
                            obj([
                                ("pixel_id", .string(p.pixelID)), ("access_token", secret(p.accessToken)),
                                ("test_event_code", str(p.testEventCode)),
                            ])
                        })
                ),
                ("events", obj([("allow", strs(site.events.allow)), ("deny", strs(site.events.deny))])),
                (
                    "rules",
                    .array(
                        site.rules.map { r in
                            var members: [(String, JSONValue)] = []
                            switch r.trigger {
                            case .selector(let s): members.append(("selector", .string(s)))
                            case .urlContains(let s): members.append(("url_contains", .string(s)))
                            }
                            members.append(("event", .string(r.event)))
                            if let c = r.customData { members.append(("custom_data", c)) }
                            return obj(members)
                        })
                ),
                ("ingest_keys", .array(site.ingestKeys.map { _ in .string(Secret.redacted) })),
            ])
        }

        return obj([
            (
                "server",
                obj([
                    ("host", .string(server.host)), ("port", num(server.port)),
                    ("trusted_proxies", strs(server.trustedProxies.map(\.description))),
                    ("client_ip_header", .string(server.clientIPHeader.rawValue)),
                    ("max_body_bytes", num(server.maxBodyBytes)), ("events_path", .string(server.eventsPath)),
                    ("max_connections", num(server.maxConnections)),
                    ("header_timeout_ms", num(server.headerTimeoutMs)), ("idle_timeout_ms", num(server.idleTimeoutMs)),
                    ("min_body_bytes_per_second", num(server.minBodyBytesPerSecond)),
                    (
                        "rate_limit",
                        obj([("per_second", num(server.rateLimit.perSecond)), ("burst", num(server.rateLimit.burst))])
                    ),
                ])
            ),
            (
                "storage",
                obj([("data_dir", .string(storage.dataDir)), ("max_queue_bytes", num(storage.maxQueueBytes))])
            ),
            (
                "graph_api",
                obj([
                    ("base_url", .string(graphAPI.baseURL)), ("version", .string(graphAPI.version)),
                    ("timeout_ms", num(graphAPI.timeoutMs)), ("max_batch_events", num(graphAPI.maxBatchEvents)),
                    ("linger_ms", num(graphAPI.lingerMs)),
                ])
            ),
            ("admin", obj([("token", secret(admin.token))])),
            (
                "logging",
                obj([("level", .string(logging.level.rawValue)), ("format", .string(logging.format.rawValue))])
            ),
            ("sites", .array(sitesJSON)),
            ("dry_run", .bool(dryRun)),
            ("dry_run_effective", .bool(isDryRun)),
            ("demo", .bool(demo)),
            ("bots", obj([("drop", .bool(bots.drop)), ("extra_patterns", strs(bots.extraPatterns))])),
            ("source", str(sourcePath)),
        ])
    }
}
