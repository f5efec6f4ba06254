import Foundation
import Mustache

/// The HTML summary, rendered from a Mustache template (`templates/report.html.mustache`,
/// compiled in as `DefaultTemplate`, or `--template FILE`). Mustache's `{{…}}` escapes every
/// value, so no data string reaches the page unescaped.
public struct HTMLWriter: ReportWriter {
    /// Above this, the full table is cut short with a note: the CSV holds every row.
    public static let tableRowLimit = 5_000
    public static let attentionLimit = 500

    private let template: MustacheTemplate
    public var kind: OutputKind { .html }

    /// The bundled template, or the one in `templateFile`.
    public init(templateFile: URL? = nil) throws {
        let text: String
        if let templateFile {
            do {
                text = try String(contentsOf: templateFile, encoding: .utf8)
            } catch {
                throw ReportError.usage("--template \(templateFile.path): cannot read: \(error.localizedDescription)")
            }
        } else {
            text = DefaultTemplate.reportHTML
        }
        do {
            template = try MustacheTemplate(string: text)
        } catch {
            throw ReportError.usage("template \(templateFile?.path ?? "(bundled)"): \(error)")
        }
    }

    public func render(_ document: ReportDocument) throws -> [UInt8] {
        Array(template.render(Self.context(for: document)).utf8)
    }

    /// The values the template sees; every number is already formatted.
    static func context(for document: ReportDocument) -> [String: Any] {
        let summary = document.summary
        let kpis: [[String: Any]] = [
            ["label": "Uploads", "value": grouped(summary.uploads)],
            ["label": "Records", "value": grouped(summary.totalRecords)],
            ["label": "Successful", "value": grouped(summary.successfulRecords)],
            ["label": "Unsuccessful", "value": grouped(summary.unsuccessfulRecords)],
            ["label": "Success rate", "value": summary.successRateText.map(percent) ?? "n/a"],
        ]
        let statuses: [[String: Any]] = summary.statuses.map { status in
            ["status": status.status, "uploads": grouped(status.uploads),
             "share": percent(formatFourDecimals((status.uploads * 20_000 + summary.uploads) / (2 * max(summary.uploads, 1))))]
        }
        let attention = document.uploads.filter(\.needsAttention)
        let rows = document.uploads.prefix(tableRowLimit)
        return [
            "range": document.rangeDescription,
            "source": document.sourceDescription,
            "zone": document.sourceZone.identifier,
            "version": document.toolVersion,
            "kpis": kpis,
            "isEmpty": document.uploads.isEmpty,
            "statuses": statuses,
            "attentionCount": grouped(attention.count),
            "attention": attention.prefix(attentionLimit).map(attentionItem),
            "attentionTruncated": attention.count > attentionLimit,
            "attentionShown": grouped(attentionLimit),
            "rows": rows.map(row),
            "rowsTruncated": document.uploads.count > tableRowLimit,
            "rowsShown": grouped(rows.count),
            "rowsTotal": grouped(document.uploads.count),
            "hasRejections": !document.rejections.isEmpty,
            "rejectionCount": document.rejections.count,
            "rejections": document.rejections.map(\.description),
            "counts": [
                "pages": document.counts.pages, "read": document.counts.read, "inRange": document.counts.inRange,
                "duplicates": document.counts.duplicates, "rejected": document.counts.rejected,
            ] as [String: Any],
        ]
    }

    private static func row(_ upload: RevenueUpload) -> [String: Any] {
        [
            "id": String(upload.id),
            "date": upload.dateUpload.rfc3339,
            "status": upload.status ?? "",
            "filename": upload.sourceFilename ?? "",
            "total": upload.totalRecords.map(grouped) ?? "",
            "successful": upload.successfulRecords.map(grouped) ?? "",
            "unsuccessful": upload.unsuccessfulRecords.map(grouped) ?? "",
            "rate": upload.successRateText.map(percent) ?? "",
        ]
    }

    private static func attentionItem(_ upload: RevenueUpload) -> [String: Any] {
        var item = row(upload)
        item["total"] = upload.totalRecords.map(grouped) ?? "?"
        item["successful"] = upload.successfulRecords.map(grouped) ?? "?"
        item["unsuccessful"] = upload.unsuccessfulRecords.map(grouped) ?? "?"
        item["logs"] = upload.logs.map(logText)
        return item
    }

    /// A log entry as a line: text as it is, anything else as compact JSON.
    static func logText(_ entry: JSONValue) -> String {
        if case .string(let text) = entry { return text }
        return entry.compactText
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
        guard let basisPoints = Int(fourDecimals.replacingOccurrences(of: ".", with: "")) else { return fourDecimals }
        return String(basisPoints / 100) + "." + pad(basisPoints % 100, 2) + "%"
    }
}
