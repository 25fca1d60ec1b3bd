// SPDX-License-Identifier: Apache-2.0
internal import RelayCore

/// Lenient readers for Graph JSON fields: Meta documents numbers, but proxies and older API
/// versions sometimes send numeric strings, so both are accepted; anything else is nil.
enum GraphJSON {
    static func int(_ value: JSONValue?) -> Int? {
        switch value {
        case .number(let lexeme)?:
            if let n = Int(lexeme) { return n }
            if let d = Double(lexeme), d.isFinite, d == d.rounded(), abs(d) < 9e15 { return Int(d) }
            return nil
        case .string(let text)?:
            return Int(text)
        default:
            return nil
        }
    }

    static func double(_ value: JSONValue?) -> Double? {
        switch value {
        case .number(let lexeme)?: return Double(lexeme)
        case .string(let text)?: return Double(text)
        default: return nil
        }
    }

    static func string(_ value: JSONValue?) -> String? {
        value?.stringValue
    }

    static func bool(_ value: JSONValue?) -> Bool? {
        switch value {
        case .bool(let b)?: return b
        case .string("true")?: return true
        case .string("false")?: return false
        default: return nil
        }
    }
}
