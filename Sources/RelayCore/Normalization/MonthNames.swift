// SPDX-License-Identifier: Apache-2.0

/// Month names the `db` rule recognises: English, Spanish, French and German, in full or as the
/// first three letters, lowercase with accents as written in the language.
enum MonthNames {
    /// Full names per language, January first.
    static let languages: [[String]] = [
        [
            "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
            "november", "december",
        ],
        [
            "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
            "noviembre", "diciembre",
        ],
        [
            "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
            "novembre", "décembre",
        ],
        [
            "januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober",
            "november", "dezember",
        ],
    ]

    /// Every recognised word → month (1–12). A three-letter form shared by two months of one language
    /// (French `jui`: juin and juillet) is left out because it names neither.
    static let table: [String: Int] = {
        var table: [String: Int] = [:]
        for names in languages {
            var short: [String: Int] = [:]
            var ambiguous: Set<String> = []
            for (index, name) in names.enumerated() {
                table[name] = index + 1
                let prefix = String(name.unicodeScalars.prefix(3))
                if let other = short[prefix], other != index + 1 { ambiguous.insert(prefix) }
                short[prefix] = index + 1
            }
            for (prefix, month) in short where !ambiguous.contains(prefix) && table[prefix] == nil {
                table[prefix] = month
            }
        }
        return table
    }()

    /// The month (1–12) named by `word` (already lowercase NFC), or nil.
    static func month(_ word: String) -> Int? {
        table[word]
    }
}
