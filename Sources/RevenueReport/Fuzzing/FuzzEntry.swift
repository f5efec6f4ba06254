import Foundation

/// What the libFuzzer targets in Fuzz/ run: one page through Parse, typing and rendering, as the
/// pipeline runs them. Thrown errors are the expected way to refuse; a crash is a bug.
public enum FuzzEntry {
    public static func run(_ data: UnsafeRawPointer, _ size: Int, format: WireFormat) {
        let page = RawPage(origin: "fuzz.\(format.rawValue)", format: format, bytes: Data(bytes: data, count: size))
        // The pipeline's own path: the format's record scanner or the general parser, then typing and rows.
        _ = try? PageTyping(filter: RecordFilter(), zone: .utc, formats: [CSVWriter(), NDJSONWriter()]).type(page)
        // The two readers of a format must agree on every page its record scanner takes.
        guard let scanned = scannedOutcomes(page) else { return }
        guard let general = generalOutcomes(page) else { fatalError("the record scanner took a page the parser refuses") }
        guard general == scanned else { fatalError("the record scanner and the parser disagree") }
    }

    /// Each record's outcome, typed from the format's record scanner; nil when it declines the page.
    /// (Also what the scanners' parity tests compare.)
    static func scannedOutcomes(_ page: RawPage) -> [String]? {
        let typer = RecordTyper(zone: .utc)
        guard let scanned = PageParser.scannedRecords(page) else { return nil }
        return scanned.withText(of: page) { text in
            scanned.records.enumerated().map { describe(typer.type($1, text: text, page: page.origin, position: $0 + 1)) }
        }
    }

    /// The same through `PageParser` and the typer; nil when the general parser refuses the page.
    static func generalOutcomes(_ page: RawPage) -> [String]? {
        let typer = RecordTyper(zone: .utc)
        guard let parsed = try? PageParser.parse(page) else { return nil }
        return parsed.records.map { describe(typer.type($0)) }
    }

    private static func describe(_ outcome: RecordTyper.Outcome) -> String {
        switch outcome {
        case .typed(let upload): "typed \(upload)"
        case .rejected(let rejection, let date): "rejected \(rejection) \(String(describing: date))"
        }
    }
}
