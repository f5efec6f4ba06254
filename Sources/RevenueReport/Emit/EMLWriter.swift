import Foundation
import Mustache

/// `STEM.eml`: an RFC 5322 message ready for `sendmail -t < STEM.eml`: multipart/mixed holding
/// a multipart/alternative body (plain text summary and the HTML report) and the attachments
/// (`--mail-attach`, the CSV by default), base64 in 76-character lines, CRLF line ends.
///
/// Deterministic: Date is `--now` when given, and Message-ID and the MIME boundaries are derived
/// from the content and that time, so the same input gives the same bytes.
struct EMLWriter {
    /// `html` and `attachments` are this run's other outputs, reused as the body and attachments.
    func render(_ document: ReportDocument, html: [UInt8], attachments: [(name: String, type: String, bytes: [UInt8])], date: Date) throws -> [UInt8] {
        let mail = document.mail
        let text = Array(plainText(document).utf8)
        var digestInput = html + text
        for attachment in attachments { digestInput += attachment.bytes }
        digestInput += Array(Timestamp.rfc3339(date).utf8)
        let digest = sha256Hex(digestInput)
        let from = mail.from ?? MailSettings.defaultFromAddress
        let domain = from.address.split(separator: "@").last.map(String.init) ?? "localhost"
        let mixed = "=_mixed_" + digest.prefix(24)
        let alternative = "=_alt_" + digest.dropFirst(24).prefix(24)

        var out = ""
        func header(_ name: String, _ value: String) { out += "\(name): \(value)\r\n" }
        header("From", from.headerText)
        header("To", mail.to.map(\.headerText).joined(separator: ",\r\n "))
        header("Subject", Self.encodedHeader(try subject(document)))
        header("Date", Self.rfc5322Date(date))
        header("Message-ID", "<\(digest.prefix(32))@\(domain.isEmpty ? "localhost" : domain)>")
        header("MIME-Version", "1.0")
        header("Content-Type", "multipart/mixed; boundary=\"\(mixed)\"")
        out += "\r\n"
        out += "This is a MIME message: the report is in its HTML part and attachments.\r\n"
        out += "\r\n--\(mixed)\r\n"
        out += "Content-Type: multipart/alternative; boundary=\"\(alternative)\"\r\n\r\n"
        out += part(boundary: alternative, type: "text/plain; charset=utf-8", disposition: nil, bytes: text)
        out += part(boundary: alternative, type: "text/html; charset=utf-8", disposition: nil, bytes: html)
        out += "--\(alternative)--\r\n"
        for attachment in attachments {
            out += part(boundary: mixed, type: "\(attachment.type); name=\"\(attachment.name)\"",
                        disposition: "attachment; filename=\"\(attachment.name)\"", bytes: attachment.bytes)
        }
        out += "--\(mixed)--\r\n"
        return Array(out.utf8)
    }

    private func part(boundary: String, type: String, disposition: String?, bytes: [UInt8]) -> String {
        var out = "--\(boundary)\r\nContent-Type: \(type)\r\nContent-Transfer-Encoding: base64\r\n"
        if let disposition { out += "Content-Disposition: \(disposition)\r\n" }
        out += "\r\n" + Self.base64Lines(bytes) + "\r\n"
        return out
    }

    /// The subject template (`--mail-subject`) rendered with the range and the counts.
    func subject(_ document: ReportDocument) throws -> String {
        let template = try MustacheTemplate(string: document.mail.subject ?? MailSettings.defaultSubject)
        let values: [String: Any] = [
            "range": document.rangeDescription, "rangeName": document.rangeName ?? document.rangeDescription,
            "from": document.filter.from?.description ?? "", "to": document.filter.to?.description ?? "",
            "uploads": HTMLWriter.grouped(document.excerpt.uploadCount),
            "attention": HTMLWriter.grouped(document.excerpt.attentionCount),
            "stem": document.stem,
        ]
        // Mustache escapes for HTML; a header wants the text itself, so render unescaped.
        return template.render(values).replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    /// The plain text alternative: what a text-only mail reader shows.
    func plainText(_ document: ReportDocument) -> String {
        let attention = document.excerpt.attention
        let attentionCount = document.excerpt.attentionCount
        let summary = document.summary
        var lines = [
            "Revenue uploads, \(document.rangeDescription)",
            "Source: \(document.sourceDescription)",
            "",
            "Uploads: \(HTMLWriter.grouped(summary.uploads))",
            "Records: \(HTMLWriter.grouped(summary.totalRecords)) (successful \(HTMLWriter.grouped(summary.successfulRecords)), unsuccessful \(HTMLWriter.grouped(summary.unsuccessfulRecords))\(summary.pendingRecords == 0 ? "" : ", still processing \(HTMLWriter.grouped(summary.pendingRecords))"))",
            "Success rate: \(summary.successRateText.map(HTMLWriter.percent) ?? "n/a")",
            "",
            "Status:",
        ]
        lines += summary.statuses.map { "  \($0.status): \(HTMLWriter.grouped($0.uploads))" }
        if let since = document.sinceLastRun { lines += ["", "Since the last run:"] + SinceLastRunText.lines(since, zone: document.displayZone) }
        let (causes, rest) = document.causes.listed(limit: HTMLWriter.causeLimit)
        if !causes.isEmpty {
            lines += ["", "Why rows were rejected (\(HTMLWriter.grouped(document.causes.rows)) rows, most first):"]
            for cause in causes {
                lines.append("  \(HTMLWriter.grouped(cause.rows)) rows in \(HTMLWriter.grouped(cause.uploads)) upload(s): \(cause.cause) (e.g. \(cause.examples.map { "#\($0)" }.joined(separator: ", ")))"
                    .replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " "))
            }
            if !rest.isEmpty { lines.append("  … and \(rest.count) more cause(s)") }
        }
        lines += ["", "Needs attention: \(HTMLWriter.grouped(attentionCount))"]
        for upload in attention.prefix(50) {
            lines.append("  #\(upload.id) \(upload.status ?? "no status"), \(document.displayZone.displayTime(upload.dateUpload.instant)), \(upload.sourceFilename ?? "")".replacingOccurrences(of: "\n", with: " "))
        }
        if attentionCount > 50 { lines.append("  … and \(attentionCount - 50) more in the attached file") }
        if !document.rejections.isEmpty { lines += ["", "Records that could not be read: \(document.rejections.count)"] }
        lines += ["", "cg-revenue \(document.toolVersion)"]
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Data(bytes).base64EncodedString()
        var lines: [Substring] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(encoded[index..<end])
            index = end
        }
        return lines.joined(separator: "\r\n")
    }

    /// ASCII as it is; otherwise RFC 2047 encoded words (UTF-8, base64), folded, never splitting a character.
    static func encodedHeader(_ text: String) -> String {
        guard !text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) else { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// `Tue, 01 Dec 2026 03:31:00 +0000`
    static func rfc5322Date(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = Int((seconds - floorMod(seconds, 86_400)) / 86_400)
        let day = CivilDate(daysSinceEpoch: days)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((days % 7) + 7) % 7]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][day.month - 1]
        let secondOfDay = Int(floorMod(seconds, 86_400))
        return "\(weekday), \(pad(day.day, 2)) \(month) \(day.year) \(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)) +0000"
    }
}
