// SPDX-License-Identifier: Apache-2.0

/// Checks that need the merged configuration: uniqueness across sites, cookie domains against site
/// domains, and that tokens are either everywhere or nowhere.
///
/// The same pixel id in two sites is allowed (each site's events fan out to it); the same pixel twice
/// in one site is not (every event would be sent twice).
struct ConfigValidator {
    /// Where each site came from: `$.sites[i]`, or the `env ...` variable that created it.
    let sitePaths: [String]
    private(set) var issues: [ConfigIssue] = []

    init(sitePaths: [String]) {
        self.sitePaths = sitePaths
    }

    /// The path of `suffix` inside site `i` (env-created sites have no JSON path, so the variable is named).
    private func path(_ i: Int, _ suffix: String) -> String {
        let base = i < sitePaths.count ? sitePaths[i] : "env PIXELRELAY_PIXEL_ID"
        return base.hasPrefix("$") ? base + suffix : base
    }

    private mutating func report(_ path: String, _ message: String) {
        issues.append(ConfigIssue(path: path, message: message))
    }

    mutating func validate(_ config: RelayConfig) {
        var names: [String: Int] = [:]
        var domains: [String: Int] = [:]
        for (i, site) in config.sites.enumerated() {
            if !site.name.isEmpty {
                if let first = names[site.name] {
                    report(
                        path(i, ".name"),
                        "duplicate site name \"\(site.name)\" (also \(path(first, ""))); names must be unique")
                } else {
                    names[site.name] = i
                }
            }
            for (j, domain) in site.domains.enumerated() {
                if let first = domains[domain], first != i {
                    report(
                        path(i, ".domains[\(j)]"),
                        "\"\(domain)\" is already a domain of site \"\(config.sites[first].name)\"; a domain belongs to one site"
                    )
                } else {
                    domains[domain] = i
                }
            }
            var seen: Set<String> = []
            for (j, pixel) in site.pixels.enumerated() where !pixel.pixelID.isEmpty {
                if !seen.insert(pixel.pixelID).inserted {
                    report(
                        path(i, ".pixels[\(j)].pixel_id"),
                        "pixel \(pixel.pixelID) is listed twice in this site; remove one")
                }
            }
            if let cookie = site.cookieDomain, !site.domains.isEmpty,
                !site.domains.contains(where: { $0 == cookie || $0.hasSuffix("." + cookie) })
            {
                report(
                    path(i, ".cookie_domain"),
                    "\"\(cookie)\" is neither one of the site's domains nor a parent of one, so its pages could not"
                        + " read the cookies; use a parent domain such as \"\(Self.parent(of: site.domains[0]))\"")
            }
            for name in site.events.allow where site.events.deny.contains(name) {
                report(path(i, ".events"), "\"\(name)\" is in both allow and deny; keep it in one list")
            }
        }
        validateTokens(config)
    }

    /// Outside explicit dry-run, a pixel without a token would silently never be delivered.
    private mutating func validateTokens(_ config: RelayConfig) {
        guard !config.dryRun, !config.isDryRun else { return }
        for (i, site) in config.sites.enumerated() {
            for (j, pixel) in site.pixels.enumerated() where pixel.accessToken == nil {
                report(
                    path(i, ".pixels[\(j)].access_token"),
                    "pixel \(pixel.pixelID) has no access token while other pixels have one; add its token"
                        + " (e.g. \"${NAME}\"), or run everything in dry-run with --dry-run")
            }
        }
    }

    /// `shop.example.com` → `example.com`; a two-label name is its own parent.
    private static func parent(of domain: String) -> String {
        let labels = domain.split(separator: ".")
        return labels.count > 2 ? labels.suffix(2).joined(separator: ".") : domain
    }
}
