import Foundation

/// What the libFuzzer targets in Fuzz/ run: one page through Parse, typing and rendering, as the
/// pipeline runs them. Thrown errors are the expected way to refuse; a crash is a bug.
public enum FuzzEntry {
    public static func run(_ data: UnsafeRawPointer, _ size: Int, format: WireFormat) {
        let page = RawPage(origin: "fuzz.\(format.rawValue)", format: format, bytes: Data(bytes: data, count: size))
        // The pipeline's own path: the JSON record scanner or the general parser, then typing and rows.
        _ = try? PageTyping(filter: RecordFilter(), zone: .utc, formats: [CSVWriter(), NDJSONWriter()]).type(page)
        // The two readers of a format must agree on every page its record scanner takes.
        let taken = switch format {
        case .json: JSONRecordScanner.records(in: page.bytes)
        case .xml: XMLRecordScanner.records(in: page.bytes)
        }
        guard let scanned = taken else { return }
        guard let parsed = try? PageParser.parse(page) else { fatalError("the record scanner took a page the parser refuses") }
        let typer = RecordTyper(zone: .utc)
        let general = parsed.records.map { describe(typer.type($0)) }
        let fast = scanned.enumerated().map { describe(typer.type($1, page: page.origin, position: $0 + 1)) }
        guard general == fast else { fatalError("the record scanner and the parser disagree") }
    }

    private static func describe(_ outcome: RecordTyper.Outcome) -> String {
        switch outcome {
        case .typed(let upload): "\(upload)"
        case .rejected(let rejection, let date): "\(rejection) \(String(describing: date))"
        }
    }
}
