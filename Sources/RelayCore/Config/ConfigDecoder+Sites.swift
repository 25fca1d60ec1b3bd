// SPDX-License-Identifier: Apache-2.0

extension ConfigDecoder {
    /// Decodes `"sites"`; elements that are not objects are reported and skipped.
    mutating func decodeSites(_ value: JSONValue, at base: String) -> [SiteConfig] {
        guard let items = array(value, at: base) else { return [] }
        var sites: [SiteConfig] = []
        for (i, item) in items.enumerated() {
            let path = ConfigPath.index(base, i)
            if let site = decodeSite(item, at: path) {
                sites.append(site)
                sitePaths.append(path)
            }
        }
        return sites
    }

    private mutating func decodeSite(_ value: JSONValue, at base: String) -> SiteConfig? {
        guard let object = object(value, at: base, keys: ConfigKeys.site) else { return nil }
        var site = SiteConfig(name: "")
        for m in object.members where m.value != .null {
            let p = ConfigPath.member(base, m.key)
            let v = m.value
            switch m.key {
            case "name": site.name = checked(v, at: p, ConfigRules.siteName) ?? ""
            case "domains": site.domains = list(v, at: p, ConfigRules.domain) ?? []
            case "allowed_origins":
                guard let items = array(v, at: p) else { break }
                for (i, item) in items.enumerated() {
                    if item == .string("*") {
                        site.allowAnyOrigin = true
                    } else if let o = checked(item, at: ConfigPath.index(p, i), ConfigRules.origin) {
                        site.allowedOrigins.append(o)
                    }
                }
            case "cookie_domain":
                if v != .string("") { site.cookieDomain = checked(v, at: p, ConfigRules.cookieDomain) }
            case "default_country":
                if v != .string("") { site.defaultCountry = checked(v, at: p, ConfigRules.country) }
            case "pixels":
                guard let items = array(v, at: p) else { break }
                for (i, item) in items.enumerated() {
                    if let pixel = decodePixel(item, at: ConfigPath.index(p, i)) { site.pixels.append(pixel) }
                }
            case "events":
                guard let o = self.object(v, at: p, keys: ConfigKeys.events) else { break }
                if let x = o["allow"], x != .null {
                    site.events.allow = list(x, at: p + ".allow", ConfigRules.eventName) ?? []
                }
                if let x = o["deny"], x != .null {
                    site.events.deny = list(x, at: p + ".deny", ConfigRules.eventName) ?? []
                }
            case "rules":
                guard let items = array(v, at: p) else { break }
                for (i, item) in items.enumerated() {
                    if let rule = decodeRule(item, at: ConfigPath.index(p, i)) { site.rules.append(rule) }
                }
            case "ingest_keys": site.ingestKeys = list(v, at: p, secret: true, ConfigRules.secret) ?? []
            default: break
            }
        }
        if object["name"] == nil || object["name"] == .null {
            report(ConfigPath.member(base, "name"), "is required: give every site a unique name such as \"shop\"")
        }
        return site
    }

    private mutating func decodePixel(_ value: JSONValue, at base: String) -> PixelConfig? {
        guard let object = object(value, at: base, keys: ConfigKeys.pixel) else { return nil }
        var pixel = PixelConfig(pixelID: "")
        for m in object.members where m.value != .null {
            let p = ConfigPath.member(base, m.key)
            switch m.key {
            case "pixel_id":
                // Accept a bare JSON integer too: ids are often pasted without quotes.
                let v: JSONValue = if case .number(let n) = m.value { .string(n) } else { m.value }
                pixel.pixelID = checked(v, at: p, ConfigRules.pixelID) ?? ""
            case "access_token":
                // An unresolved ${...} still counts as "has a token", so the cross-checks add no second issue.
                pixel.accessToken =
                    failedPaths.contains(p) ? Secret("") : checked(m.value, at: p, secret: true, ConfigRules.secret)
            case "test_event_code":
                if m.value != .string("") { pixel.testEventCode = checked(m.value, at: p, ConfigRules.testEventCode) }
            default: break
            }
        }
        if object["pixel_id"] == nil || object["pixel_id"] == .null {
            report(ConfigPath.member(base, "pixel_id"), "is required: the pixel (dataset) id from Meta Events Manager")
        }
        return pixel
    }

    private mutating func decodeRule(_ value: JSONValue, at base: String) -> SiteConfig.Rule? {
        guard let object = object(value, at: base, keys: ConfigKeys.rule) else { return nil }
        var event: String? = nil
        var triggers: [SiteConfig.Rule.Trigger] = []
        var customData: JSONValue? = nil
        var valid = true
        for m in object.members where m.value != .null {
            let p = ConfigPath.member(base, m.key)
            switch m.key {
            case "event":
                event = checked(m.value, at: p, ConfigRules.eventName)
                valid = valid && event != nil
            case "selector", "url_contains":
                let text = checked(m.value, at: p) { s in
                    s.isEmpty ? .failure(.init("must not be empty")) : .success(s)
                }
                if let text { triggers.append(m.key == "selector" ? .selector(text) : .urlContains(text)) }
                valid = valid && text != nil
            case "custom_data":
                if case .object = m.value {
                    customData = m.value
                } else {
                    report(p, "must be an object of custom_data fields, like {\"value\": 10, \"currency\": \"USD\"}")
                    valid = false
                }
            default: break
            }
        }
        if object["event"] == nil || object["event"] == .null {
            report(ConfigPath.member(base, "event"), "is required: the event name to track, like \"Lead\"")
            valid = false
        }
        let given = ConfigKeys.rule.filter {
            ($0 == "selector" || $0 == "url_contains") && object[$0] != nil && object[$0] != .null
        }
        if given.count != 1 {
            report(
                base,
                "needs exactly one of \"selector\" (a CSS selector for clicks) or \"url_contains\" (a URL substring)")
            valid = false
        }
        guard valid, let event, let trigger = triggers.first else { return nil }
        return SiteConfig.Rule(trigger: trigger, event: event, customData: customData)
    }
}
