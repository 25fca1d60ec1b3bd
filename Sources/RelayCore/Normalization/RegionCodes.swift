// SPDX-License-Identifier: Apache-2.0

/// US states, DC and territories (USPS codes) and Canadian provinces and territories (Canada Post
/// codes), keyed by name as the `st` rule leaves it: lowercase letters and digits, no spaces or
/// punctuation.
enum RegionCodes {
    /// The USPS code for a US state, DC or territory name, or nil.
    static func usState(_ name: String) -> String? {
        usStates[name]
    }

    /// The code for a Canadian province or territory name (English or French), or nil.
    static func canadianProvince(_ name: String) -> String? {
        canadianProvinces[name]
    }

    private static let usStates: [String: String] = [
        "alabama": "al", "alaska": "ak", "arizona": "az", "arkansas": "ar", "california": "ca",
        "colorado": "co", "connecticut": "ct", "delaware": "de", "florida": "fl", "georgia": "ga",
        "hawaii": "hi", "idaho": "id", "illinois": "il", "indiana": "in", "iowa": "ia",
        "kansas": "ks", "kentucky": "ky", "louisiana": "la", "maine": "me", "maryland": "md",
        "massachusetts": "ma", "michigan": "mi", "minnesota": "mn", "mississippi": "ms", "missouri": "mo",
        "montana": "mt", "nebraska": "ne", "nevada": "nv", "newhampshire": "nh", "newjersey": "nj",
        "newmexico": "nm", "newyork": "ny", "northcarolina": "nc", "northdakota": "nd", "ohio": "oh",
        "oklahoma": "ok", "oregon": "or", "pennsylvania": "pa", "rhodeisland": "ri", "southcarolina": "sc",
        "southdakota": "sd", "tennessee": "tn", "texas": "tx", "utah": "ut", "vermont": "vt",
        "virginia": "va", "washington": "wa", "westvirginia": "wv", "wisconsin": "wi", "wyoming": "wy",
        // District of Columbia.
        "districtofcolumbia": "dc", "washingtondc": "dc",
        // Territories.
        "americansamoa": "as", "guam": "gu", "northernmarianaislands": "mp", "puertorico": "pr",
        "usvirginislands": "vi", "virginislands": "vi", "unitedstatesvirginislands": "vi",
        "unitedstatesminoroutlyingislands": "um", "usminoroutlyingislands": "um",
    ]

    private static let canadianProvinces: [String: String] = [
        "alberta": "ab", "britishcolumbia": "bc", "colombiebritannique": "bc", "manitoba": "mb",
        "newbrunswick": "nb", "nouveaubrunswick": "nb", "newfoundlandandlabrador": "nl", "newfoundland": "nl",
        "terreneuveetlabrador": "nl", "novascotia": "ns", "nouvelleécosse": "ns", "ontario": "on",
        "princeedwardisland": "pe", "îleduprinceédouard": "pe", "quebec": "qc", "québec": "qc",
        "saskatchewan": "sk", "northwestterritories": "nt", "territoiresdunordouest": "nt", "nunavut": "nu",
        "yukon": "yt", "yukonterritory": "yt",
    ]
}
