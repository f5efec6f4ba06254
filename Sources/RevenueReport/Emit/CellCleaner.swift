import Foundation

/// Text a cell can hold: no control characters but tab and newline (XML cannot carry them, and
/// Excel calls such a file damaged), at most 32,767 characters. Each upload that needed it is
/// named in a warning (the first 20, then a count).
struct CellCleaner {
    private var warned = 0
    private var said: [String] = []

    /// Most text: short enough by its bytes alone, and no byte a cell cannot hold (checked on
    /// the UTF-8 bytes, without building a new string).
    static func fits(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count <= XLSXWriter.maxCellCharacters else { return false }
            var previous: (UInt8, UInt8) = (0, 0)
            for byte in bytes {
                if byte < 0x20, byte != 0x09, byte != 0x0A { return false }
                if byte == 0x7F { return false }
                // U+FFFE and U+FFFF: EF BF BE, EF BF BF.
                if previous == (0xEF, 0xBF), byte == 0xBE || byte == 0xBF { return false }
                previous = (previous.1, byte)
            }
            return true
        }
    }

    /// What the log should say: a line per upload cleaned (the first 20), then how many more.
    var warnings: [String] { said + (warned > 20 ? ["XLSX: \(warned - 20) more cells cleaned the same way"] : []) }

    mutating func clean(_ text: String?, field: String, id: Int64?) -> String? {
        guard let text else { return nil }
        if Self.fits(text) { return text }
        var scalars = String.UnicodeScalarView()
        var removed = false, truncated = false
        var count = 0
        for scalar in text.unicodeScalars {
            let bad = (scalar.value < 0x20 && scalar != "\t" && scalar != "\n") || scalar.value == 0x7F || scalar.value == 0xFFFE || scalar.value == 0xFFFF
            if bad { removed = true; continue }
            guard count < XLSXWriter.maxCellCharacters else { truncated = true; break }
            scalars.append(scalar)
            count += 1
        }
        guard removed || truncated else { return text }
        warned += 1
        if warned <= 20 {
            let who = id.map { "upload \($0)" } ?? "the summary"
            let what = [removed ? "control characters removed" : nil, truncated ? "cut to \(XLSXWriter.maxCellCharacters) characters" : nil]
                .compactMap { $0 }.joined(separator: ", ")
            said.append("XLSX: \(who): \(field): \(what) (a cell cannot hold them; the CSV and NDJSON keep the text as received)")
        }
        return String(scalars)
    }
}
