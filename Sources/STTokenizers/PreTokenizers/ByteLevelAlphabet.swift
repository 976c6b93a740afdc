/// GPT-2's reversible map from bytes to printable characters: printable Latin-1 bytes stand for themselves, the
/// others (space, control bytes, …) map to U+0100 onwards (space → `Ġ`, newline → `Ċ`).
enum ByteLevelAlphabet {
    static let characterForByte: [Unicode.Scalar] = {
        var printable = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        var mapped = printable
        var next = 0
        for byte in 0..<256 where !printable.contains(byte) {
            printable.append(byte)
            mapped.append(256 + next)
            next += 1
        }
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        for (byte, code) in zip(printable, mapped) { table[byte] = Unicode.Scalar(UInt32(code)) ?? " " }
        return table
    }()

    static let byteForCharacter: [Unicode.Scalar: UInt8] = {
        var table: [Unicode.Scalar: UInt8] = [:]
        for (byte, character) in characterForByte.enumerated() { table[character] = UInt8(byte) }
        return table
    }()
}
