import Foundation
import Mustache

/// The HTML summary, rendered from a Mustache template (`templates/report.html.mustache`,
/// compiled in as `DefaultTemplate`, or `--template FILE`). Mustache's `{{…}}` escapes every
/// value, so no data string reaches the page unescaped.
public struct HTMLWriter: ReportWriter {
    /// Above this, the full table is cut short with a note: the CSV holds every row. It keeps
    /// the report of 100,000 uploads well under 5 MB, small enough to email.
    public static let tableRowLimit = ReportExcerpt.Limits.report.tableRows
    public static let attentionLimit = ReportExcerpt.Limits.report.attention
    /// Uploads needing attention shown as full cards; the rest (up to `attentionLimit`) one line each.
    public static let attentionCardLimit = 25
    /// Rejection causes listed; the rest are summed in one line.
    public static let causeLimit = 10
    public static let logLinesPerUpload = 10

    private let template: MustacheTemplate
    private let library: MustacheLibrary?
    public var kind: OutputKind { .html }

    /// The bundled template, or the one in `templateFile`; partials may sit beside it
    /// (`{{> name}}` reads `name.mustache` from the template's folder).
    public init(templateFile: URL? = nil) throws {
        let text: String
        if let templateFile {
            do {
                text = try String(contentsOf: templateFile, encoding: .utf8)
            } catch {
                throw ReportError.usage("--template \(templateFile.path): cannot read: \(FileProblem.describe(path: templateFile.path))")
            }
        } else {
            text = DefaultTemplate.reportHTML
        }
        do {
            template = try MustacheTemplate(string: text)
            library = try templateFile.map { try Self.partials(beside: $0) }
        } catch {
            throw ReportError.usage("template \(templateFile?.path ?? "(bundled)"): \(error)")
        }
    }

    /// Every `*.mustache` file in the template's folder, registered by name for `{{> name}}`.
    private static func partials(beside templateFile: URL) throws -> MustacheLibrary {
        var library = MustacheLibrary()
        let folder = templateFile.deletingLastPathComponent()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            try library.register(text, named: String(name.dropLast(".mustache".count)))
        }
        return library
    }

    public func write(_ document: ReportDocument, to sink: OutputSink) throws {
        sink.buffer.append(contentsOf: template.render(Self.context(for: document), library: library).utf8)
    }

    /// The values the template sees; every number is already formatted.
    static func context(for document: ReportDocument) -> [String: Any] {
        let summary = document.summary
        let previous = document.previous
        let kpis: [[String: Any]] = [
            kpi("Uploads", summary.uploads, previous?.uploads, moreIsBad: false),
            kpi("Records", summary.totalRecords, previous?.totalRecords, moreIsBad: false),
            kpi("Successful", summary.successfulRecords, previous?.successfulRecords, moreIsBad: false),
            kpi("Unsuccessful", summary.unsuccessfulRecords, previous?.unsuccessfulRecords, moreIsBad: true),
            rateKPI(summary.successRateText, previous: previous?.successRateText),
        ]
        let statuses: [[String: Any]] = summary.statuses.map { status in
            ["status": status.status, "uploads": grouped(status.uploads),
             "share": percent(formatFourDecimals((status.uploads * 20_000 + summary.uploads) / (2 * max(summary.uploads, 1))))]
        }
        let excerpt = document.excerpt
        let rows = excerpt.tableRows
        let zone = document.displayZone
        var context: [String: Any] = [
            "range": document.rangeDescription,
            "source": document.sourceDescription,
            "zone": zone.identifier,
            "version": document.toolVersion,
            "kpis": kpis,
            "isEmpty": excerpt.uploadCount == 0,
            "statuses": statuses,
            "timeline": Timeline(days: summary.days, from: document.filter.from, to: document.filter.to).context,
            "attentionCount": grouped(excerpt.attentionCount),
            "attention": excerpt.attention.prefix(attentionCardLimit).map { attentionItem($0, zone: zone) },
            "hasAttentionRows": excerpt.attention.count > attentionCardLimit,
            "attentionRows": excerpt.attention.dropFirst(attentionCardLimit).prefix(attentionLimit - attentionCardLimit).map { attentionItem($0, zone: zone, logs: false) },
            "attentionRowCount": grouped(min(excerpt.attention.count, attentionLimit) - attentionCardLimit),
            "rowFiles": document.rowFilesDescription,
            "manifestOrCounts": document.manifestName ?? "the report's figures",
            "rows": rows.map { row($0, zone: zone) },
            "rowsTruncated": excerpt.uploadCount > rows.count,
            "rowsShown": grouped(rows.count),
            "rowsTotal": grouped(excerpt.uploadCount),
            "hasRejections": !document.rejections.isEmpty,
            "rejectionCount": document.rejections.count,
            "rejections": document.rejections.map(\.description),
            "counts": [
                "pages": document.counts.pages, "read": document.counts.read, "inRange": document.counts.inRange,
                "duplicates": document.counts.duplicates, "rejected": document.counts.rejected,
            ] as [String: Any],
        ]
        let shownAttention = min(excerpt.attention.count, attentionLimit)
        if excerpt.attentionCount > shownAttention { context["attentionMore"] = grouped(excerpt.attentionCount - shownAttention) }
        let (causes, rest) = document.causes.listed(limit: causeLimit)
        if !causes.isEmpty {
            context["hasCauses"] = true
            context["causeRows"] = grouped(document.causes.rows)
            context["causes"] = causes.map { cause -> [String: Any] in
                ["cause": cause.cause, "rows": grouped(cause.rows), "uploads": grouped(cause.uploads),
                 "examples": cause.examples.map { "#\($0)" }.joined(separator: ", ")]
            }
            if !rest.isEmpty {
                context["causesMore"] = "\(grouped(rest.count)) more cause(s), \(grouped(rest.reduce(0) { $0 + $1.rows })) row(s)"
            }
        }
        if summary.pendingRecords != 0 {
            // Records = successful + unsuccessful + the rest: say what the rest is.
            context["pendingNote"] = "Of \(grouped(summary.totalRecords)) records, \(grouped(summary.successfulRecords)) are successful, \(grouped(summary.unsuccessfulRecords)) unsuccessful and \(grouped(summary.pendingRecords)) not yet either: their \(grouped(summary.uploadsWithPendingRecords)) upload(s) are still being processed."
        }
        if let since = document.sinceLastRun { context["sinceLastRun"] = sinceLastRunContext(since, zone: zone) }
        if let rangeName = document.rangeName { context["rangeName"] = rangeName }
        if let generatedAt = document.generatedAt { context["generated"] = zone.displayTime(Int64(generatedAt.timeIntervalSince1970)) }
        if let manifestName = document.manifestName { context["manifestName"] = manifestName }
        if previous != nil, let period = document.filter.previousPeriod, let from = period.from, let to = period.to {
            context["previousLabel"] = "the previous \(to.daysSinceEpoch - from.daysSinceEpoch + 1) days, \(from) to \(to)"
        }
        return context
    }

    /// "Since the last run" (`--history`): the counts, and the first changes, finished and new uploads.
    private static func sinceLastRunContext(_ since: SinceLastRun, zone: SourceZone) -> [String: Any] {
        func change(_ change: UploadChange) -> [String: Any] {
            ["id": String(change.upload.id), "filename": change.upload.sourceFilename ?? "", "date": zone.displayTime(change.upload.dateUpload.instant),
             "revisited": change.revisited, "before": change.before?.summaryText ?? "not known", "after": UploadValues(change.upload).summaryText]
        }
        func more(_ total: Int, _ shown: Int) -> String? { total > shown ? grouped(total - shown) : nil }
        // Changes listed include those asked for again, which `changed` (uploads of the range) does not count.
        let changesTotal = since.changed + since.changes.filter(\.revisited).count
        var context: [String: Any] = [
            "intro": SinceLastRunText.intro(since),
            "new": grouped(since.new), "changed": grouped(since.changed), "finished": grouped(since.finished), "revisited": grouped(since.revisited),
            "hasChanges": !since.changes.isEmpty, "changes": since.changes.map(change),
            "hasFinished": !since.finishedUploads.isEmpty, "finishedUploads": since.finishedUploads.map(change),
            "hasNew": !since.newUploads.isEmpty,
            "newUploads": since.newUploads.map { ["id": String($0.id), "filename": $0.sourceFilename ?? "", "date": zone.displayTime($0.dateUpload.instant),
                                                  "status": $0.status ?? "no status"] as [String: Any] },
        ]
        context["changesMore"] = more(changesTotal, since.changes.count)
        context["finishedMore"] = more(since.finished, since.finishedUploads.count)
        context["newMore"] = more(since.new, since.newUploads.count)
        return context
    }

    /// A KPI card: the value and, when the previous period is known, its change in percent.
    private static func kpi(_ label: String, _ value: Int, _ previous: Int?, moreIsBad: Bool) -> [String: Any] {
        var item: [String: Any] = ["label": label, "value": grouped(value)]
        guard let previous else { return item }
        if previous == 0 {
            item["change"] = value == 0 ? "no change" : "up from 0"
            item["changeColor"] = "#52606d"
            return item
        }
        let tenths = Int((Double(value - previous) / Double(previous) * 1000).rounded())
        let sign = tenths > 0 ? "▲ +" : (tenths < 0 ? "▼ -" : "= ")
        item["change"] = "\(sign)\(abs(tenths) / 10).\(abs(tenths) % 10)%"
        item["changeColor"] = tenths == 0 ? "#52606d" : ((tenths > 0) == moreIsBad ? "#b42318" : "#1f7a4d")
        return item
    }

    /// The success rate card; its change is in percentage points.
    private static func rateKPI(_ rate: String?, previous: String?) -> [String: Any] {
        var item: [String: Any] = ["label": "Success rate", "value": rate.map(percent) ?? "n/a"]
        guard let rate, let previous, let now = Int(rate.replacingOccurrences(of: ".", with: "")),
              let before = Int(previous.replacingOccurrences(of: ".", with: ""))
        else { return item }
        let delta = now - before  // hundredths of a percentage point
        let sign = delta > 0 ? "▲ +" : (delta < 0 ? "▼ -" : "= ")
        item["change"] = "\(sign)\(abs(delta) / 100).\(pad(abs(delta) % 100, 2)) pp"
        item["changeColor"] = delta == 0 ? "#52606d" : (delta > 0 ? "#1f7a4d" : "#b42318")
        return item
    }

    private static func row(_ upload: RevenueUpload, zone: SourceZone) -> [String: Any] {
        [
            "id": String(upload.id),
            "date": zone.displayTime(upload.dateUpload.instant),
            "status": upload.status ?? "",
            "filename": upload.sourceFilename ?? "",
            // One cell stacks the three figures (a 320 px phone has no room for three columns):
            // an unknown one reads as such rather than as an empty line.
            "total": upload.totalRecords.map(grouped) ?? "? rows",
            "successful": upload.successfulRecords.map(grouped) ?? "",
            "unsuccessful": upload.unsuccessfulRecords.map(grouped) ?? "?",
            "rate": upload.successRateText.map(percent) ?? "no rate",
        ]
    }

    private static func attentionItem(_ upload: RevenueUpload, zone: SourceZone, logs: Bool = true) -> [String: Any] {
        var item = row(upload, zone: zone)
        item["total"] = upload.totalRecords.map(grouped) ?? "?"
        item["successful"] = upload.successfulRecords.map(grouped) ?? "?"
        item["unsuccessful"] = upload.unsuccessfulRecords.map(grouped) ?? "?"
        guard logs else { return item }
        item["logs"] = upload.logs.prefix(logLinesPerUpload).map(LogEntryReading.line)
        if upload.logCount > logLinesPerUpload { item["moreLogs"] = grouped(upload.logCount - logLinesPerUpload) }
        return item
    }

    /// `1234567` -> `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// `0.9731` -> `97.31%`.
    static func percent(_ fourDecimals: String) -> String {
        // Digits read by hand: Foundation's replacingOccurrences was 4% of a small run.
        var basisPoints = 0, digits = 0
        for byte in fourDecimals.utf8 where byte != UInt8(ascii: ".") {
            guard (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(byte), digits < 18 else { return fourDecimals }
            basisPoints = basisPoints * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        guard digits > 0 else { return fourDecimals }
        return String(basisPoints / 100) + "." + pad(basisPoints % 100, 2) + "%"
    }
}
