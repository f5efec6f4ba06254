import Foundation

/// The files a run can write: `--emit` names them, `STEM.<extension>` is each one's file.
/// What each one is lives in `OutputFormat.registry`; this enum only names them.
public enum OutputKind: String, Sendable, CaseIterable {
    case csv
    case ndjson
    case html
    case eml
    case xlsx

    /// This output's entry in the registry.
    public var format: OutputFormat { OutputFormat.registry[self]! }
    public var fileExtension: String { format.fileExtension }
}

extension OutputFormat {
    /// A row output: one row per upload, every upload of the range.
    public var holdsEveryUpload: Bool {
        switch maker {
        case .rows, .rowsThenFile: return true
        case .document, .message: return false
        }
    }
}

/// One output, declared once: its file extension, MIME type, whether the email can attach it,
/// and how its writer is made. The plan, the email, the checks of `--emit` and `--mail-attach`,
/// and `--help` all come from these entries; adding an output is a file in `Emit/` and an entry.
public struct OutputFormat: Sendable {
    /// How an output is written.
    public enum Maker: Sendable {
        /// Rows rendered while pages are typed, in report order (CSV, NDJSON).
        case rows(@Sendable (ReportConfiguration) -> any RowFormat)
        /// Written once from the whole report document (HTML).
        case document(@Sendable (ReportConfiguration) throws -> any ReportWriter)
        /// Rows rendered while pages are typed, in report order, into a scratch file; the output
        /// is then made from them and the document (XLSX).
        case rowsThenFile(rows: @Sendable (ReportConfiguration) -> any RowFormat, finish: @Sendable (ReportConfiguration) -> any RowsFinisher)
        /// The email, made from the other outputs (`Pipeline.renderEmail`).
        case message
    }

    public let kind: OutputKind
    public let fileExtension: String
    /// The Content-Type of the output as an email attachment or part.
    public let mimeType: String
    /// `--mail-attach` may name it.
    public let attachable: Bool
    public let maker: Maker

    public static let registry: [OutputKind: OutputFormat] = {
        let formats = [
            OutputFormat(kind: .csv, fileExtension: "csv", mimeType: "text/csv; charset=utf-8", attachable: true,
                         maker: .rows { CSVWriter(neutraliseFormulas: !$0.csvRaw) }),
            OutputFormat(kind: .ndjson, fileExtension: "ndjson", mimeType: "application/x-ndjson; charset=utf-8", attachable: true,
                         maker: .rows { _ in NDJSONWriter() }),
            OutputFormat(kind: .html, fileExtension: "html", mimeType: "text/html; charset=utf-8", attachable: false,
                         maker: .document { try HTMLWriter(templateFile: $0.templateFile) }),
            OutputFormat(kind: .eml, fileExtension: "eml", mimeType: "message/rfc822", attachable: false, maker: .message),
            OutputFormat(kind: .xlsx, fileExtension: "xlsx", mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", attachable: true,
                         maker: .rowsThenFile(rows: { _ in XLSXCells() }, finish: { XLSXWriter(displayZone: $0.displayZone) })),
        ]
        return Dictionary(uniqueKeysWithValues: formats.map { ($0.kind, $0) })
    }()
}
