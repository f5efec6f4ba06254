/// The widths of a sheet's columns: each at least its minimum and as wide as the longest text
/// written in it (headers included), up to its cap, past which the column's text wraps. A column
/// without a cap keeps its minimum for values (numbers, dates, the logs' JSON) and grows only for
/// its header.
final class ColumnFit {
    private(set) var widths: [Double]
    let caps: [Double?]

    init(minimum: [Double], caps: [Double?]) {
        widths = minimum
        self.caps = caps
    }

    func wraps(_ column: Int) -> Bool { column < caps.count && caps[column] != nil }

    func offer(_ column: Int, _ text: String, bold: Bool) {
        guard column < widths.count else { return }
        let cap = column < caps.count ? caps[column] : nil
        guard cap != nil || bold else { return }
        let limit = cap ?? 255
        // Excel's width is in characters of the default font; bold text is about a tenth wider,
        // and a margin keeps the last character off the cell's edge.
        let needed = min(limit, Double(Self.longestLine(text, upTo: Int(limit))) * (bold ? 1.1 : 1) + 2)
        if needed > widths[column] { widths[column] = needed }
    }

    /// The characters (Unicode scalars) of the longest line, counting no further than `limit`.
    static func longestLine(_ text: String, upTo limit: Int) -> Int {
        var longest = 0, current = 0
        for scalar in text.unicodeScalars {
            if scalar == "\n" { current = 0; continue }
            current += 1
            if current > longest {
                longest = current
                if longest > limit { break }
            }
        }
        return longest
    }
}
