import Foundation

/// JSON text of float rows, each value the shortest decimal that reads back as the same Float (NaN/∞ as null).
package enum JSONNumbers {
    package static func number(_ value: Float) -> String { value.isFinite ? "\(value)" : "null" }
    package static func row(_ values: [Float]) -> String { "[" + values.map(number).joined(separator: ",") + "]" }
    package static func rows(_ rows: [[Float]]) -> String { "[" + rows.map(row).joined(separator: ",") + "]" }

    package static func string(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}
