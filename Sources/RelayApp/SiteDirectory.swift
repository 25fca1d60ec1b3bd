// SPDX-License-Identifier: Apache-2.0
import RelayCore

/// Finds the site a request belongs to (interface.md §4): by `Origin` when the browser sent one, else by
/// ingest key, else by the host of `event_source_url` / `Referer`.
struct SiteDirectory: Sendable {
    /// The configured sites, by reference: a match hands one over without copying (and retaining) each
    /// of a `SiteConfig`'s many fields, once per beacon.
    let entries: [Site]

    /// One site, shared.
    final class Site: Sendable {
        let config: SiteConfig
        /// The ids of `config.pixels`, made once: most events go to all of them.
        let pixelIDs: [String]
        init(_ config: SiteConfig) {
            self.config = config
            pixelIDs = config.pixels.map(\.pixelID)
        }
    }

    enum Match {
        case site(Site, trusted: Bool)
        case forbidden(String)
    }

    init(sites: [SiteConfig]) {
        entries = sites.map(Site.init)
    }

    func resolve(origin: String?, bearer: String?, pageURL: String?, requestHost: String?) -> Match {
        if let bearer, !bearer.isEmpty {
            let bytes = Array(bearer.utf8)
            if let site = entries.first(where: { $0.config.isIngestKey(bytes) }) { return .site(site, trusted: true) }
            return .forbidden("the Authorization bearer key is not an ingest key of any site")
        }
        if let origin {
            if let site = entries.first(where: { $0.config.allowsOrigin(origin) }) {
                return .site(site, trusted: false)
            }
            return .forbidden(
                "origin \(origin.utf8Prefix(200)) is not allowed; add it to a site's allowed_origins (or domains)")
        }
        if let host = pageURL.flatMap(URLParts.host(of:)) {
            // Image and server requests carry no Origin: the page's host must be one of the site's
            // domains, or the host of one of its allowed origins.
            if let site = entries.first(where: { e in
                e.config.servesHost(host) || e.config.allowedOrigins.contains { URLParts.host(of: $0) == host }
            }) {
                return .site(site, trusted: false)
            }
            if let site = entries.first(where: { $0.config.allowAnyOrigin }) { return .site(site, trusted: false) }
            return .forbidden("no site lists \(host.utf8Prefix(200)) in its domains")
        }
        if let host = requestHost,
            let site = entries.first(where: { e in
                e.config.servesHost(host) || e.config.domains.contains(where: { host.hasSuffix("." + $0) })
            })
        {
            return .site(site, trusted: false)
        }
        if let site = entries.first(where: { $0.config.allowAnyOrigin }) ?? (entries.count == 1 ? entries.first : nil) {
            return .site(site, trusted: false)
        }
        return .forbidden("cannot tell which site this event is for: send Origin, event_source_url or Referer")
    }

    /// The site whose no-code rules `/sdk.js` carries: by the tracking host (a subdomain of the site's
    /// domain), then the page in `Referer`, then the only site.
    /// `byReferer` is true when the `Referer` decided, or could have decided with another value: then the
    /// script differs by page and a shared cache must key it on `Referer` too.
    func siteForScript(host: String?, referer: String?, explicit: String?) -> (site: SiteConfig?, byReferer: Bool) {
        if let explicit, let e = entries.first(where: { $0.config.name == explicit }) { return (e.config, false) }
        if let host,
            let e = entries.first(where: { e in
                e.config.domains.contains(where: { host == $0 || host.hasSuffix("." + $0) })
            })
        {
            return (e.config, false)
        }
        let byReferer = entries.count > 1
        if let h = referer.flatMap(URLParts.host(of:)), let e = entries.first(where: { $0.config.servesHost(h) }) {
            return (e.config, byReferer)
        }
        let fallback = entries.count == 1 ? entries.first : entries.first(where: { $0.config.allowAnyOrigin })
        return (fallback?.config, byReferer)
    }
}
