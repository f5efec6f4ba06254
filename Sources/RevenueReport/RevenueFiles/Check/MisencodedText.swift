/// Text that went through a spreadsheet's import the wrong way: UTF-8 bytes decoded once as
/// Windows-1252 and saved again as UTF-8 (LibreOffice's default CSV import turns `Société` into
/// `SociÃ©tÃ©`). CustomerGauge would take such a name as a new account; `check` says what it most
/// likely was (the `encoding` warning).
enum MisencodedText {
    /// What the text most likely was, or nil when it is not such text: every character maps back
    /// to one Windows-1252 byte, and those bytes are UTF-8 with at least one character beyond ASCII.
    static func likelyOriginal(of text: String) -> String? {
        // Most cells are ASCII: nothing to undo.
        guard text.utf8.contains(where: { $0 >= 0x80 }) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            guard let byte = windows1252Byte(scalar) else { return nil }
            bytes.append(byte)
        }
        guard bytes.contains(where: { $0 >= 0x80 }), let original = String(validating: bytes, as: UTF8.self) else { return nil }
        return original
    }

    /// The Windows-1252 byte of a character: Latin-1's own for U+00A0 to U+00FF (and the C1
    /// controls, which decoders give for the five bytes 1252 leaves undefined), and the 27
    /// characters 1252 puts at 0x80 to 0x9F.
    static func windows1252Byte(_ scalar: Unicode.Scalar) -> UInt8? {
        let value = scalar.value
        if value < 0x100 { return UInt8(value) }
        return highPunctuation[value]
    }

    private static let highPunctuation: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87,
        0x02C6: 0x88, 0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E,
        0x2018: 0x91, 0x2019: 0x92, 0x201C: 0x93, 0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97,
        0x02DC: 0x98, 0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B, 0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
    ]
}
