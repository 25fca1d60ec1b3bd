import RelayCore
// SPDX-License-Identifier: Apache-2.0
import Testing

/// In-process fuzzing with seeded mutations: the parser must never trap or hang, must report
/// offsets inside the input, and whatever it accepts must survive write → parse unchanged.
/// (The libFuzzer harness in `Fuzz/JSONFuzz` does the same, coverage-guided, under ASan.)
@Suite struct JSONFuzzTests {
    static let iterations = 200_000

    @Test("200,000 mutated documents never crash the parser, and everything accepted round-trips")
    func mutationFuzz() throws {
        var generator = JSONDocumentGenerator(seed: 0xF022)
        generator.maxDepth = 2
        var seeds = JSONSeedDocuments.all.map { Array($0.utf8) }
        for _ in 0..<40 { seeds.append(generator.document()) }
        var mutator = JSONMutator(seed: 0xBADC0DE)
        let tight = JSONLimits(maxDepth: 3, maxBytes: 256, maxStringBytes: 12, maxMembers: 4)
        var accepted = 0
        var rejectedByLimit = 0
        var problems: [String] = []
        var current = seeds[0]
        for iteration in 0..<Self.iterations {
            // Mostly stack mutations on the previous input (reaching deeper damage), restarting
            // from a fresh seed regularly so inputs stay small.
            let base = iteration % 3 == 0 ? seeds[iteration / 3 % seeds.count] : current
            current = mutator.mutate(base, donor: seeds[iteration % seeds.count])
            if current.count > 1_024 { current = seeds[iteration % seeds.count] }
            let limits = iteration % 4 == 0 ? tight : JSONLimits()
            let value: JSONValue
            do {
                value = try JSONParser.parse(current, limits: limits)
            } catch {
                if error.offset < 0 || error.offset > max(current.count, limits.maxBytes) {
                    problems.append("offset \(error.offset) outside the input: \(error)")
                }
                let message = error.message
                if message.contains("deeper than") || message.contains("longer than") || message.contains("more than") {
                    rejectedByLimit += 1
                }
                continue
            }
            accepted += 1
            let written = value.jsonBytes
            let reparsed = try? JSONParser.parse(written)
            if reparsed != value || reparsed?.jsonBytes != written {
                problems.append("round trip changed \(String(decoding: current, as: UTF8.self).debugDescription)")
            }
        }
        // Report a few examples, not thousands.
        #expect(problems.isEmpty, "\(problems.count) problems, first: \(problems.prefix(5))")
        // The run is only meaningful if both outcomes, and the limit paths, were reached often.
        #expect(accepted > Self.iterations / 50)
        #expect(rejectedByLimit > 1_000)
        print("JSON fuzz: \(Self.iterations) inputs, \(accepted) accepted, \(rejectedByLimit) rejected by a limit")
    }
}
