import Foundation

/// Turns a raw page (JSON or XML) into its records, accepting every list shape of the README's "What the API may send".
///
/// Both formats are first mapped to `JSONValue`; finding the records in that value is then one
/// piece of code for both, which is what makes their outputs byte-identical.
public enum PageParser {
    /// The API's code for "No data found with passed parameters": an empty page, not a failure.
    public static let noDataCode = "400184"

    /// Names that mark an object as a record rather than a wrapper around records.
    static let recordFieldNames: Set<String> = [
        "id", "status", "source_filename", "date_upload", "total_records", "successful_records", "unsuccessful_records", "logs",
    ]

    public static func parse(_ page: RawPage) throws -> ParsedPage {
        switch page.format {
        case .json:
            let value: JSONValue
            do {
                value = try JSONParser.parse(page.bytes)
            } catch {
                throw ReportError.malformedPage(page: page.origin, reason: error.description + contentHint(page.bytes))
            }
            return try interpret(value, rootName: nil, origin: page.origin)
        case .xml:
            let document: XMLParser.Document
            do {
                document = try XMLParser.parse(page.bytes)
            } catch {
                throw ReportError.malformedPage(page: page.origin, reason: error.description + contentHint(page.bytes))
            }
            return try interpret(document.root, rootName: document.rootName, origin: page.origin)
        }
    }

    /// The common page's records, read without a tree of values (`JSONRecordScanner`,
    /// `XMLRecordScanner`); nil when the format's scanner declines the page, which then goes
    /// through `parse`.
    static func scannedRecords(_ page: RawPage) -> ScannedRecords? {
        switch page.format {
        case .json: JSONRecordScanner.records(in: page.bytes)
        case .xml: XMLRecordScanner.records(in: page.bytes)
        }
    }

    /// Finds the error envelope or the records in a page's value. `rootName` is the XML root
    /// element's name (JSON has none).
    static func interpret(_ value: JSONValue, rootName: String?, origin: String) throws -> ParsedPage {
        if let rootName, rootName.lowercased() == "error" {
            return try envelope(value, origin: origin)
        }
        if case .object = value, let error = value["Error"] ?? value["error"] {
            return try envelope(error, origin: origin)
        }
        let values = try recordValues(in: value, origin: origin)
        var records: [SourceRecord] = []
        records.reserveCapacity(values.count)
        for (offset, fields) in values.enumerated() {
            records.append(SourceRecord(page: origin, position: offset + 1, fields: fields))
        }
        return ParsedPage(origin: origin, records: records)
    }

    private static func envelope(_ error: JSONValue, origin: String) throws -> ParsedPage {
        let code = scalarText(error["Code"] ?? error["code"]) ?? "unknown"
        let message = scalarText(error["Message"] ?? error["message"]) ?? "no message"
        if code == noDataCode {
            return ParsedPage(origin: origin, records: [], isNoDataAnswer: true)
        }
        throw ReportError.apiError(page: origin, message: message, code: code)
    }

    private static func scalarText(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s): return s.trimmingCharacters(in: .whitespacesAndNewlines)
        case .number(let n): return n
        default: return nil
        }
    }

    /// A single record, a list of records, `Data`/`data` holding either, or (XML) a root whose
    /// children are the records.
    private static func recordValues(in value: JSONValue, origin: String) throws -> [JSONValue] {
        switch value {
        case .array(let items):
            return items
        case .object(let members):
            if let data = value["Data"] ?? value["data"] {
                return try recordValues(in: data, origin: origin)
            }
            if members.contains(where: { recordFieldNames.contains($0.key) }) {
                return [value]
            }
            // A wrapper: every member is a record or a list of records (XML's repeated elements).
            var records: [JSONValue] = []
            for member in members {
                switch member.value {
                case .object: records.append(member.value)
                case .array(let items): records.append(contentsOf: items)
                default:
                    throw ReportError.malformedPage(page: origin, reason: "unrecognised page shape: \"\(member.key)\" is neither a record nor a list of records")
                }
            }
            return records
        case .null:
            return []
        case .string(let text) where text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty:
            return []  // an empty XML root, <Data/>
        default:
            throw ReportError.malformedPage(page: origin, reason: "unrecognised page shape: expected records, found \(value.compactText.prefix(60))")
        }
    }

    /// When a page is not what its name says (an HTML error page from a proxy, say), show its start.
    private static func contentHint(_ bytes: Data) -> String {
        let start = String(decoding: bytes.prefix(80), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "\r", with: " ")
        return start.isEmpty ? "" : " (the page starts with: \(start))"
    }
}
