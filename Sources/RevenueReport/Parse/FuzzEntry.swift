import Foundation

/// What the libFuzzer targets in Fuzz/ run: one page through Parse and the record typing, as
/// the pipeline runs them. Thrown errors are the expected way to refuse; a crash is a bug.
public enum FuzzEntry {
    public static func run(_ data: UnsafeRawPointer, _ size: Int, format: WireFormat) {
        let page = RawPage(origin: "fuzz.\(format.rawValue)", format: format, bytes: Data(bytes: data, count: size))
        guard let parsed = try? PageParser.parse(page) else { return }
        let typer = RecordTyper(zone: .utc)
        for record in parsed.records { _ = typer.type(record) }
    }
}
