// SPDX-License-Identifier: Apache-2.0

extension EventProcessor {
    /// Writes the `user_data` object: hashed identifiers, then the never-hashed keys and the enrichment.
    func writeUserData(
        _ members: UserDataMembers, sourceURL: String?, context: inout IngestContext, writer: inout JSONWriter,
        keys: inout MatchKeys, dropped: inout [NormalizationFailure], warnings: inout [String]
    ) -> EventRejection? {
        writer.beginObject()
        // Country first: it steers the phone, state and zip rules.
        var country = context.defaultCountry
        if let raw = members[.country], let first = Self.strings(raw)?.first, let code = Normalizer.countryCode(first) {
            country = code
        }
        for (index, field) in PIIField.allCases.enumerated() {
            guard let raw = members.pii[index], raw != .null else { continue }
            if case .string(let value) = raw {
                // One value, the usual case: no arrays.
                switch hasher.normalize(field, value: value, country: country) {
                case .success(let normalized):
                    writer.key(field.rawValue)
                    writer.beginArray()
                    hasher.writeHash(normalized, to: &writer)
                    writer.endArray()
                    keys.insert(MatchKeys.forField(field))
                case .failure(let failure):
                    dropped.append(failure)
                }
                continue
            }
            guard let values = Self.strings(raw) else {
                return EventRejection("user_data.\(field.rawValue) must be a string or an array of strings")
            }
            let result = hasher.hash(field, values: values, country: country)
            dropped.append(contentsOf: result.dropped)
            guard !result.hashes.isEmpty else { continue }
            writer.key(field.rawValue)
            writer.beginArray()
            for h in result.hashes { writer.string(h) }
            writer.endArray()
            keys.insert(MatchKeys.forField(field))
        }

        // Client address and user agent: from the connection, unless a trusted source supplies them.
        var ip = context.clientIP
        var ua = context.userAgent
        if context.trustedSource {
            if case .string(let s)? = members.clientIP, !s.isEmpty {
                // Meta wants one address; a copied X-Forwarded-For list or "unknown" would fail the batch.
                if let address = IPAddress(s.trimmingSpaces()) {
                    ip = address.unmapped.description
                } else {
                    ip = nil
                    warnings.append("user_data.client_ip_address is not one IPv4 or IPv6 address; left out")
                }
            }
            if case .string(let s)? = members.clientUserAgent, !s.isEmpty { ua = s }
        }
        if let ip, !ip.isEmpty {
            writer.key("client_ip_address")
            writer.string(ip)
            keys.insert(.ip)
        }
        if let ua, !ua.isEmpty {
            writer.key("client_user_agent")
            writer.string(ua)
            keys.insert(.ua)
        }

        // _fbc / _fbp: body, else cookie, else minted; a new fbclid mints a new _fbc.
        let fbc = decideFbc(body: members.fbc, sourceURL: sourceURL, context: &context)
        if let fbc {
            writer.key("fbc")
            writer.string(fbc)
            keys.insert(.fbc)
        }
        if let fbp = decideFbp(body: members.fbp, context: &context) {
            writer.key("fbp")
            writer.string(fbp)
            keys.insert(.fbp)
        }

        for member in members.others {
            if member.known {
                switch member.value {
                case .string(let s):
                    writer.key(member.key)
                    writer.string(s.trimmingSpaces())
                case .number:
                    writer.key(member.key)
                    writer.value(member.value)
                default:
                    warnings.append("user_data.\(member.key) must be a string or number; ignored")
                }
            } else {
                warnings.append(
                    "user_data.\(member.key) is not a Conversions API key\(Self.suggestion(member.key)); ignored")
            }
        }
        writer.endObject()
        return nil
    }

    /// Server-to-server sources have no browser: nothing is minted for them.
    func decideFbp(body bodyValue: JSONValue?, context: inout IngestContext) -> String? {
        let body = bodyString(bodyValue)
        if let decided = context.fbpDecision { return body ?? decided }
        let cookie = context.cookieFbp.flatMap { FacebookCookies.isWellFormed($0) ? $0 : nil }
        if context.trustedSource, body == nil, cookie == nil { return nil }
        let value = body ?? cookie ?? FacebookCookies.mintFbp(index: context.cookieIndex, nowMs: context.nowMs)
        if cookie == nil, FacebookCookies.isWellFormed(value) { context.setFbp = value }
        context.fbpDecision = value
        return value
    }

    /// With a `fbclid` on the page: the body's value when it holds that click and the cookie does too (or the
    /// source is a server, which keeps what it sends); else the cookie when it holds the click (keeping its
    /// creation time); else a value minted here. A browser's body value for a click its cookie lacks is the
    /// snippet's provisional `fb.1.<now>.<fbclid>`: minting replaces it with the cookie's subdomain index and
    /// the gateway's clock. The cookie is set only when its click id changes, so it never flips between
    /// equivalent values.
    func decideFbc(body bodyValue: JSONValue?, sourceURL: String?, context: inout IngestContext) -> String? {
        let body = bodyString(bodyValue)
        if let decided = context.fbcDecision { return body ?? decided }
        let cookie = context.cookieFbc.flatMap { FacebookCookies.isWellFormed($0) ? $0 : nil }
        // A fbclid that could not be a cookie's click id (a link may carry anything) counts as none.
        let fbclid =
            sourceURL.flatMap { QueryString.value(named: "fbclid", inURL: $0) }.flatMap {
                FacebookCookies.isValidClickID($0) ? $0 : nil
            }
            ?? context.referer.flatMap { QueryString.value(named: "fbclid", inURL: $0) }.flatMap {
                FacebookCookies.isValidClickID($0) ? $0 : nil
            }
        let cookieClick = cookie.flatMap(FacebookCookies.clickID(ofFbc:))
        var value = body ?? cookie
        if let fbclid {
            // The body wins (interface.md §4): it is the page's own `_fbc`, byte for byte, when it holds
            // this click; else the Cookie header's; else a new click mints a new value.
            if let body, FacebookCookies.clickID(ofFbc: body) == fbclid {
                value = body
            } else if cookieClick == fbclid {
                value = cookie
            } else {
                value = FacebookCookies.mintFbc(index: context.cookieIndex, nowMs: context.nowMs, fbclid: fbclid)
            }
        }
        // (A well-formed value always has a click id: without a cookie there is none to compare.)
        if let value, FacebookCookies.isWellFormed(value),
            cookieClick.map({ $0 != FacebookCookies.clickID(ofFbc: value) }) ?? true
        {
            context.setFbc = value
        }
        context.fbcDecision = .some(value)
        return value
    }

    private func bodyString(_ v: JSONValue?) -> String? {
        guard case .string(let s)? = v else { return nil }
        let t = s.trimmingSpaces()
        return t.isEmpty ? nil : t
    }

    /// A string or an array of strings (numbers are taken as their lexeme, e.g. a zip code sent as a number).
    static func strings(_ v: JSONValue) -> [String]? {
        switch v {
        case .string(let s): return [s]
        case .number(let n): return [n]
        case .array(let items):
            var out: [String] = []
            out.reserveCapacity(items.count)
            for item in items {
                switch item {
                case .string(let s): out.append(s)
                case .number(let n): out.append(n)
                case .null: continue
                default: return nil
                }
            }
            return out
        default: return nil
        }
    }

    static let commonMistakes: [String: String] = [
        "email": "em", "phone": "ph", "first_name": "fn", "last_name": "ln", "firstname": "fn", "lastname": "ln",
        "city": "ct", "state": "st", "zip": "zp", "zipcode": "zp", "postal_code": "zp", "gender": "ge",
        "date_of_birth": "db", "dob": "db", "birthday": "db", "ip": "client_ip_address",
        "user_agent": "client_user_agent",
    ]

    static func suggestion(_ key: String) -> String {
        commonMistakes[key.lowercased()].map { " (did you mean \($0)?)" } ?? ""
    }
}
