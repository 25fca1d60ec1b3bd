// SPDX-License-Identifier: Apache-2.0

/// Syntax checks shared by the file, environment and flag readers.
///
/// Each returns the normalised value or a message saying what is expected; messages never quote
/// the value (the caller adds it when it is safe to show).
enum ConfigRules {
    typealias Check<T> = Result<T, Message>

    /// A problem description (an `Error` only so it can sit in a `Result`).
    struct Message: Error, Equatable {
        let text: String
        init(_ text: String) { self.text = text }
    }

    /// Built-in endpoints that `events_path` must not shadow.
    static let reservedPaths = ["/tr", "/sdk.js", "/healthz", "/readyz", "/metrics", "/status", "/demo"]

    /// A bind address: an IP literal or a host name.
    static func host(_ s: String) -> Check<String> {
        if IPAddress(s) != nil || HostNameSyntax.isValid(s) { return .success(s) }
        return .failure(Message("must be an IP address (e.g. 0.0.0.0, ::, 127.0.0.1) or a host name such as localhost"))
    }

    /// A non-empty filesystem path.
    static func directory(_ s: String) -> Check<String> {
        s.isEmpty || s.utf8.contains(0) ? .failure(Message("must be a non-empty directory path")) : .success(s)
    }

    /// `http(s)://host[:port][/prefix]`, no query or fragment; a trailing slash is dropped.
    static func baseURL(_ s: String) -> Check<String> {
        var text = Substring(s)
        while text.hasSuffix("/") { text = text.dropLast() }
        let lower = text.lowercased()
        let fail = Message(
            "must be an http:// or https:// URL without query or fragment, e.g. https://graph.facebook.com")
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return .failure(fail) }
        guard !text.contains(where: { $0 == "?" || $0 == "#" || $0 == " " }) else { return .failure(fail) }
        let afterScheme = text[text.index(text.firstIndex(of: ":")!, offsetBy: 3)...]
        let authority = afterScheme.prefix { $0 != "/" }
        let scheme = lower.hasPrefix("https://") ? "https://" : "http://"
        guard WebOrigin(scheme + authority) != nil else { return .failure(fail) }
        return .success(scheme + afterScheme)  // the scheme lowercased: `HTTP://` must choose plain HTTP too
    }

    /// `vNN.N`, e.g. `v26.0`.
    static func graphVersion(_ s: String) -> Check<String> {
        let parts = s.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        let ok =
            s.hasPrefix("v") && parts.count == 2
            && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        return ok ? .success(s) : .failure(Message("must be a Graph API version like \"v26.0\""))
    }

    /// A CIDR block or a bare address; host bits after the prefix are an error (a likely typo).
    static func cidr(_ s: String) -> Check<CIDR> {
        let trimmed = trim(s)
        guard let block = CIDR(trimmed) else {
            return .failure(
                Message("must be an address block like \"10.0.0.0/8\", \"2001:db8::/32\" or a single address"))
        }
        let written = IPAddress(trimmed.split(separator: "/", maxSplits: 1)[0])
        if written != block.address {
            return .failure(Message("has bits set after the /\(block.prefixLength) prefix; did you mean \"\(block)\"?"))
        }
        return .success(block)
    }

    /// An allowed origin, normalised; `*` is handled by the caller.
    static func origin(_ s: String) -> Check<String> {
        if let o = WebOrigin(s) { return .success(o.description) }
        let lower = s.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://"),
            let slash = lower.dropFirst(8).firstIndex(of: "/")
        {
            if let o = WebOrigin(lower[..<slash]) {
                return .failure(Message("an origin has no path; write \"\(o)\""))
            }
        }
        return .failure(
            Message("must be an origin scheme://host[:port] (http or https, no path), e.g. https://shop.example.com"))
    }

    /// A lowercase host name.
    static func domain(_ s: String) -> Check<String> {
        let lower = s.lowercased()
        if HostNameSyntax.isValid(lower) { return .success(lower) }
        if lower.contains("://") || lower.contains("/") {
            return .failure(Message("must be a bare host name like shop.example.com, without scheme or path"))
        }
        return .failure(Message("must be a host name like shop.example.com (ASCII; write IDNs in punycode, xn--…)"))
    }

    /// A cookie domain: a host name (not an IP literal) with a leading dot dropped.
    static func cookieDomain(_ s: String) -> Check<String> {
        var lower = Substring(s.lowercased())
        if lower.hasPrefix(".") { lower = lower.dropFirst() }
        guard HostNameSyntax.isValid(lower), IPAddress(lower) == nil else {
            return .failure(Message("must be a registrable domain like example.com (no scheme, port or IP address)"))
        }
        guard lower.contains(".") || lower == "localhost" else {
            return .failure(
                Message(
                    "must have at least two labels, like example.com; browsers reject cookies for a bare top-level domain"
                ))
        }
        return .success(String(lower))
    }

    /// An ISO 3166-1 alpha-2 code, lowercased (the table is `CountryCodes`, owned by normalisation).
    static func country(_ s: String) -> Check<String> {
        let lower = s.lowercased()
        // Two letters only: the table also maps alpha-3 codes and names, which this key does not take.
        if lower.utf8.count == 2, let code = CountryCodes.alpha2(for: lower) { return .success(code) }
        return .failure(Message("must be an ISO 3166-1 alpha-2 country code like \"us\" or \"de\""))
    }

    /// Digits only, at most 20.
    static func pixelID(_ s: String) -> Check<String> {
        guard !s.isEmpty, s.utf8.count <= 20, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return .failure(Message("must be the pixel (dataset) id: digits only, as shown in Meta Events Manager"))
        }
        return .success(s)
    }

    /// A token or key: non-empty, no whitespace or control characters (it travels in headers and JSON).
    static func secret(_ s: String) -> Check<Secret> {
        guard !s.isEmpty else { return .failure(Message("is empty; set the secret or remove the key")) }
        guard s.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            return .failure(Message("contains whitespace or control characters; copy the secret again without them"))
        }
        return .success(Secret(s))
    }

    /// A test event code: non-empty, no whitespace.
    static func testEventCode(_ s: String) -> Check<String> {
        s.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) && s.utf8.count <= 64
            ? .success(s)
            : .failure(Message("must be the code from Events Manager's Test events tab, like \"TEST12345\""))
    }

    /// An absolute path for the beacon endpoint that does not hide a built-in one.
    static func eventsPath(_ s: String) -> Check<String> {
        guard s.hasPrefix("/"), s.count > 1, !s.contains(where: { "?# ".contains($0) }) else {
            return .failure(Message("must be an absolute path like \"/events\" (no query or fragment)"))
        }
        if reservedPaths.contains(where: { s == $0 || s.hasPrefix($0 + "/") }) {
            return .failure(
                Message(
                    "clashes with a built-in endpoint (\(reservedPaths.joined(separator: ", "))); pick another path"))
        }
        return .success(s)
    }

    /// A site name usable in logs and metric labels.
    static func siteName(_ s: String) -> Check<String> {
        let ok =
            (1...64).contains(s.utf8.count)
            && s.utf8.allSatisfy { c in
                (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
                    || c == 0x2D || c == 0x2E
            }
        return ok ? .success(s) : .failure(Message("must be 1–64 letters, digits, '.', '_' or '-', like \"shop\""))
    }

    /// A non-empty event name.
    static func eventName(_ s: String) -> Check<String> {
        s.isEmpty || s.utf8.count > 100
            ? .failure(Message("must be an event name of 1–100 characters, like \"Purchase\"")) : .success(s)
    }

    /// One of the values of a `String` raw-value enum.
    static func oneOf<E: RawRepresentable & CaseIterable>(_ s: String, _: E.Type) -> Check<E>
    where E.RawValue == String {
        if let v = E(rawValue: s.lowercased()) { return .success(v) }
        return .failure(Message("must be one of " + E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")))
    }

    /// A decimal integer in `range` (for environment values and numeric strings).
    static func integer(_ s: String, in range: ClosedRange<Int>) -> Check<Int> {
        let digits = s.hasPrefix("-") ? s.dropFirst() : Substring(s)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let v = Int(s) else {
            return .failure(Message("must be an integer from \(range.lowerBound) to \(range.upperBound)"))
        }
        return range.contains(v)
            ? .success(v) : .failure(Message("must be from \(range.lowerBound) to \(range.upperBound)"))
    }

    /// `s` without leading and trailing spaces and tabs (for comma-separated environment lists).
    static func trim(_ s: some StringProtocol) -> String {
        String(s.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
