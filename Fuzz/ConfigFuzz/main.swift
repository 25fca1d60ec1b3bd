// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for the configuration loader: any bytes as the config file, with a secret in the
// environment. Compiled together with the RelayCore sources as one module; run it with
// `scripts/fuzz.sh config [seconds]`.
//
// Checks, for every input: no crash or hang; the result is a config or a non-empty list of issues,
// each naming where and what; and the secret that `${SHOP_TOKEN}` / `${ADMIN_TOKEN}` substitute never
// appears in an issue (what `serve` prints on a bad config) or in the redacted summary (what it logs
// at start-up), wherever the file puts the reference: in a token field, or in any other field whose
// value is wrong. Site names, domains and pixel ids are the exception: they name things in messages,
// logs, metrics and /status by design, so a reference there shows its value (none is a secret).

let secrets = ["EAAcanaryS3CRETtoken0123456789", "canaryADMINs3cret"]
let environment = [
    "SHOP_TOKEN": secrets[0], "ADMIN_TOKEN": secrets[1], "PORT": "8081", "EMPTY": "",
    // An environment override that must be checked like the file's value.
    "PIXELRELAY_LOG_LEVEL": "info",
]

/// Stops with a message (kept in -O builds) so libFuzzer saves the input as a crash reproducer.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let file = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    var overrides = ConfigOverrides()
    overrides.configPath = "/fuzz/pixelrelay.json"
    let result = ConfigLoader.load(overrides: overrides, environment: environment) { path in
        path == "/fuzz/pixelrelay.json" ? file : nil
    }
    let shown = secretsShownByDesign(file)
    switch result {
    case .success(let config):
        let summary = config.redactedSummary().jsonBytes
        for secret in secrets where !shown.contains(secret) {
            check(summary.firstRange(of: Array(secret.utf8)) == nil, "the start-up summary shows a secret")
        }
    case .failure(let error):
        check(!error.issues.isEmpty, "a failed load without an issue")
        for issue in error.issues {
            check(!issue.path.isEmpty && !issue.message.isEmpty, "an issue without a path or message: \(issue)")
        }
        // On bytes: String.contains compares Characters, and a combining mark after a secret hides it.
        let text = error.description
        for secret in secrets where !shown.contains(secret) {
            check(Array(text.utf8).firstRange(of: Array(secret.utf8)) == nil, "a problem shows a secret:\n\(text)")
        }
    }
    return 0
}

/// Members that name things (and are shown as such): a `${...}` reference in one shows its value.
let namingKeys: Set<String> = ["name", "domains", "pixel_id"]

/// The secrets whose reference the file puts in a naming member (each is judged on its own).
func secretsShownByDesign(_ file: [UInt8]) -> Set<String> {
    guard let document = try? JSONParser.parse(file) else { return [] }
    let references = [("${SHOP_TOKEN}", secrets[0]), ("${ADMIN_TOKEN}", secrets[1])]
    var shown: Set<String> = []
    func walk(_ value: JSONValue, key: String?) {
        switch value {
        case .string(let s):
            guard key.map(namingKeys.contains) == true else { return }
            // On bytes: a reference followed by a combining mark is still a reference.
            let bytes = Array(s.utf8)
            for (reference, secret) in references where bytes.firstRange(of: Array(reference.utf8)) != nil {
                shown.insert(secret)
            }
        case .array(let items): for item in items { walk(item, key: key) }
        case .object(let object): for member in object.members { walk(member.value, key: member.key) }
        default: break
        }
    }
    walk(document, key: nil)
    return shown
}
