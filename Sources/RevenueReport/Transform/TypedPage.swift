import Foundation

/// A page after Parse and typing: every record typed or rejected, placed against the range, and
/// the in-range ones already encoded for the sorter with their rows rendered.
///
/// Made by `PageTyping` on any thread, several pages at once; the `UploadCollector` then takes
/// the pages one at a time, in order, for what must see them in order (repeats, counts).
public struct TypedPage: PageContent {
    public var raw: RawPage
    public var sha256: String
    public var isNoDataAnswer: Bool
    var outcomes: [Outcome]
    /// The in-range uploads' sorter records, back to back; `Placement.inRange` points into it.
    var encoded: [UInt8]
    /// The causes of the logs of in-range uploads that have any, by position in `outcomes`:
    /// read here, on any core, so that collecting them is only counting.
    var causes: [Int: [RejectionCauses.Counted]] = [:]

    public var recordCount: Int { outcomes.count }

    enum Placement {
        /// In the range: its record is `encoded[bytes]`.
        case inRange(bytes: Range<Int>)
        /// In the period before the range (the report compares against it).
        case previous
        case outside
    }

    enum Outcome {
        case typed(RevenueUpload, Placement)
        /// `outsideRange`: dated, and not in the range: not this report's concern, readable or not.
        case rejected(RecordRejection, outsideRange: Bool)
    }
}

/// Parse and type, for one page at a time; holds only settings, so it runs on any thread.
public struct PageTyping: Sendable {
    let typer: RecordTyper
    let range: RangePlacement
    let formats: [any RowFormat]

    /// `formats`: the row outputs rendered ahead (their rows come back from the sorter in the
    /// same order).
    public init(filter: RecordFilter, zone: SourceZone, formats: [any RowFormat]) {
        self.typer = RecordTyper(zone: zone)
        self.range = RangePlacement(filter, sourceZone: zone)
        self.formats = formats
    }

    public func type(_ raw: RawPage) throws -> TypedPage {
        let sha256 = sha256Hex(raw.bytes)
        var outcomes: [TypedPage.Outcome] = []
        var encoded: [UInt8] = []
        var causes: [Int: [RejectionCauses.Counted]] = [:]
        // The rows come to about twice the page's bytes per row format, a little more with
        // short records: one allocation of that, rather than a doubling series of copies.
        encoded.reserveCapacity(raw.bytes.count * (2 * formats.count + 1) / 2 + 4_096)
        // `logs`: the record's logs as read, for their causes (the upload holds them as text only).
        func place(_ outcome: RecordTyper.Outcome, logs: @autoclosure () -> JSONValue?) {
            switch outcome {
            case .typed(let upload):
                switch range.place(upload.dateUpload, id: upload.id) {
                case .inRange:
                    let start = encoded.count
                    SortRecord.append(upload, formats: formats, to: &encoded)
                    if upload.logCount > 0 {
                        causes[outcomes.count] = RecordTyper.logEntries(logs()).map { RejectionCauses.Counted(LogEntryReading.cause(of: $0)) }
                    }
                    outcomes.append(.typed(upload, .inRange(bytes: start ..< encoded.count)))
                case .previous:
                    outcomes.append(.typed(upload, .previous))
                case .outside:
                    outcomes.append(.typed(upload, .outside))
                }
            case .rejected(let rejection, let dateUpload):
                outcomes.append(.rejected(rejection, outsideRange: range.isOutside(dateUpload)))
            }
        }
        // The common page is read without a tree of values; every other page the general way.
        if let scanned = PageParser.scannedRecords(raw) {
            outcomes.reserveCapacity(scanned.records.count)
            scanned.withText(of: raw) { text in
                // By index: each record's fields are read where they are in the array, not copied out.
                for index in scanned.records.indices {
                    place(typer.type(scanned.records[index], text: text, page: raw.origin, position: index + 1),
                          logs: scanned.records[index].logs?.jsonValue(in: text))
                }
            }
            return TypedPage(raw: raw, sha256: sha256, isNoDataAnswer: false, outcomes: outcomes, encoded: encoded, causes: causes)
        }
        let parsed = try PageParser.parse(raw)
        outcomes.reserveCapacity(parsed.records.count)
        for record in parsed.records {
            place(typer.type(record), logs: record.fields["logs"])
        }
        return TypedPage(raw: raw, sha256: sha256, isNoDataAnswer: parsed.isNoDataAnswer, outcomes: outcomes, encoded: encoded, causes: causes)
    }
}
