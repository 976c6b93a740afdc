import Foundation

/// Character classes with the exact definitions the Hugging Face `tokenizers` library uses.
extension Unicode.Scalar {
    /// `\t`, `\n`, `\r`, and every scalar with the Unicode `White_Space` property (Rust's `char::is_whitespace`,
    /// regex `\s`).
    var isTokenizerWhitespace: Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20: return true
        case 0x21..<0x80: return false
        default: return properties.isWhitespace
        }
    }

    /// General category "Other" as the reference library's tables define it: Cc, Cf, Co and Cs, except `\t`, `\n`,
    /// `\r` (counted as whitespace). Not Cn: those tables come from `UnicodeData.txt`, which lists no unassigned
    /// code point, so noncharacters such as U+FDD0 are kept (and become `[UNK]`).
    var isTokenizerControl: Bool {
        switch value {
        case 0x09, 0x0A, 0x0D: return false
        default:
            switch properties.generalCategory {
            case .control, .format, .privateUse, .surrogate: return true
            default: return false
            }
        }
    }

    /// ASCII punctuation (which includes symbols such as `$`, `+`, `^`) or any Unicode punctuation category.
    var isTokenizerPunctuation: Bool {
        if isASCII { return isASCIIPunctuation }
        return isUnicodePunctuation
    }

    var isASCIIPunctuation: Bool {
        switch value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
        default: return false
        }
    }

    /// General categories Pc, Pd, Ps, Pe, Pi, Pf, Po (regex `\p{P}`).
    var isUnicodePunctuation: Bool {
        switch properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// General category L* (regex `\p{L}`).
    var isLetter: Bool {
        if isASCII { return (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// General category N* (regex `\p{N}`).
    var isNumber: Bool {
        if isASCII { return (0x30...0x39).contains(value) }
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// Regex `\w` with Unicode classes: alphabetic, marks, decimal digits, connector punctuation, join controls.
    var isWordCharacter: Bool {
        if isASCII {
            return (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) || value == 0x5F
        }
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    /// A CJK ideograph, by the block ranges BERT's basic tokenizer uses (not Hangul, Hiragana or Katakana).
    var isCJKIdeograph: Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// Non-spacing mark (Mn), the marks that accent stripping removes after NFD.
    var isNonspacingMark: Bool { properties.generalCategory == .nonspacingMark }

    /// The canonical decomposition (NFD) of this scalar alone; `nil` when it is its own decomposition.
    var canonicalDecomposition: [Unicode.Scalar]? {
        if value < 0xC0 { return nil }
        let decomposed = Array(String(Character(self)).decomposedStringWithCanonicalMapping.unicodeScalars)
        return decomposed == [self] ? nil : decomposed
    }

    /// Full lowercase mapping (e.g. `İ` → `i̇`), as Rust's `char::to_lowercase`; `nil` when unchanged.
    var lowercaseMapping: [Unicode.Scalar]? {
        if isASCII {
            return (0x41...0x5A).contains(value) ? [Unicode.Scalar(UInt8(value + 32))] : nil
        }
        let mapped = Array(properties.lowercaseMapping.unicodeScalars)
        return mapped == [self] ? nil : mapped
    }
}
