import Foundation

/// `STEM.manifest.json`: the evidence of a run, written last: tool version, effective settings
/// without secrets, the range, the source, every page with its sha256, the counts, every output
/// with its size and sha256, the `--fail-on` matches, start and end time.
struct Manifest {
    var toolVersion: String
    var settings: JSONValue
    var filter: RecordFilter
    var rangeName: String?
    var sourceZone: SourceZone
    var source: JSONValue
    var pages: [PageRecord]
    var counts: RecordCounts
    var rejections: [RecordRejection]
    var outputs: [OutputCommitter.StagedFile]
    var failMatches: [FailMatch]
    var history: SinceLastRun?
    var startedAt: Date
    var finishedAt: Date

    func render() -> [UInt8] {
        func number(_ value: Int) -> JSONValue { .number(String(value)) }
        let range: JSONValue = .object([
            JSONMember("from", filter.from.map { .string($0.description) } ?? .null),
            JSONMember("to", filter.to.map { .string($0.description) } ?? .null),
            JSONMember("name", rangeName.map(JSONValue.string) ?? .null),
            JSONMember("timezone", .string((filter.zone ?? sourceZone).identifier)),
            JSONMember("id", filter.id.map { .number(String($0)) } ?? .null),
        ])
        let value: JSONValue = .object([
            JSONMember("tool", .string("cg-revenue")),
            JSONMember("version", .string(toolVersion)),
            JSONMember("started_at", .string(Timestamp.rfc3339(startedAt))),
            JSONMember("finished_at", .string(Timestamp.rfc3339(finishedAt))),
            JSONMember("settings", settings),
            JSONMember("range", range),
            JSONMember("source", source),
            JSONMember("pages", .array(pages.map { page in
                .object([JSONMember("origin", .string(page.origin)), JSONMember("bytes", number(page.bytes)), JSONMember("sha256", .string(page.sha256))])
            })),
            JSONMember("counts", .object([
                JSONMember("pages", number(counts.pages)), JSONMember("read", number(counts.read)),
                JSONMember("in_range", number(counts.inRange)), JSONMember("out_of_range", number(counts.outOfRange)),
                JSONMember("rejected", number(counts.rejected)), JSONMember("duplicates", number(counts.duplicates)),
            ])),
            JSONMember("rejections", .array(rejections.map { .string($0.description) })),
            JSONMember("outputs", .array(outputs.map { output in
                .object([JSONMember("name", .string(output.name)), JSONMember("bytes", number(output.size)),
                         JSONMember("sha256", .string(output.sha256))])
            })),
            JSONMember("fail_on_matches", .array(failMatches.map { match in
                var members = [JSONMember("id", .number(String(match.id))), JSONMember("rules", .array(match.rules.map { .string($0.rawValue) }))]
                if let date = match.revisitedDate { members.append(JSONMember("revisited_date_upload", .string(date))) }
                return .object(members)
            })),
        ] + (history.map { history in
            [JSONMember("history", .object([
                JSONMember("file", .string(history.location)), JSONMember("run", .number(String(history.run))),
                JSONMember("previous_run", history.previousRun.map { .number(String($0)) } ?? .null),
                JSONMember("new", number(history.new)), JSONMember("changed", number(history.changed)),
                JSONMember("revisited", number(history.revisited)),
            ]))]
        } ?? []))
        return Array(value.prettyText.utf8)
    }
}
