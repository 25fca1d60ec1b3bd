// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import RelayApp

@Suite("Embedded browser assets")
struct EmbeddedAssetsTests {
    static let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/RelayApp/Assets").standardized

    func asset(_ name: String) throws -> String {
        try String(contentsOf: Self.assets.appendingPathComponent(name), encoding: .utf8)
    }

    @Test(
        "the compiled-in sdk.js and demo page match the files in Sources/RelayApp/Assets (run scripts/embed-assets.py)")
    func generatedFileIsCurrent() throws {
        #expect(EmbeddedAssets.sdkJS == (try asset("sdk.js")).trimmingCharacters(in: .newlines))
        #expect(EmbeddedAssets.demoHTML == (try asset("demo.html")).trimmingCharacters(in: .newlines))
    }

    @Test("sdk.js stays within its 6 KB budget")
    func sdkSize() {
        #expect(EmbeddedAssets.sdkJS.utf8.count <= 6144, "sdk.js is \(EmbeddedAssets.sdkJS.utf8.count) bytes")
    }

    @Test("the demo page installs the snippet, has the rule-bound button and links to /status")
    func demoPage() {
        let html = EmbeddedAssets.demoHTML
        #expect(html.contains("pixelrelay.q"))
        #expect(html.contains("id=\"attend\""))
        #expect(html.contains("Asistir presencial"))
        #expect(html.contains("/status"))
    }
}
