import Foundation

/// One thing `check` says of a file: a problem CustomerGauge would reject the row (or the file)
/// for, or a warning that stops nothing.
public struct Finding: Sendable, Equatable {
    /// `file-type`, `amount`, `account-case`, …
    public var rule: String
    /// The spreadsheet row; nil for the whole file.
    public var row: Int?
    /// `account name`, `revenue amount`, …; nil for the whole row or file.
    public var column: String?
    /// The cell as read (`""` when empty); nil for the whole file or a cell the row does not have.
    public var value: String?
    public var message: String

    public init(rule: String, row: Int?, column: String?, value: String?, message: String) {
        self.rule = rule
        self.row = row
        self.column = column
        self.value = value
        self.message = message
    }

    var json: JSONValue {
        .object([
            JSONMember("rule", .string(rule)),
            JSONMember("row", row.map { .number(String($0)) } ?? .null),
            JSONMember("column", column.map(JSONValue.string) ?? .null),
            JSONMember("value", value.map(JSONValue.string) ?? .null),
            JSONMember("message", .string(message)),
        ])
    }

    /// `FILE:ROW: COLUMN: MESSAGE (value "V")`, as a compiler writes it.
    public func line(file: String, warning: Bool) -> String {
        var text = file
        if let row { text += ":\(row)" }
        text += ": "
        if warning { text += "warning: " }
        if let column { text += "\(column): " }
        text += message
        if let value { text += " (value \"\(value)\")" }
        return text
    }
}

/// What `check` found in one file.
public struct FileCheck: Sendable {
    public var file: String
    public var format: RevenueFileFormat?
    public var records = 0
    public var header = false
    /// The header ends in a `problem` column (a file written by `upload --rejected-out`): dropped.
    public var problemColumn = false
    /// The header names the fields in another layout than CustomerGauge reads (another order, or
    /// columns that are none of the six): the file goes as a CSV made in its order.
    public var reordered = false
    public var problems: [Finding] = []
    public var warnings: [Finding] = []
    /// The parts written by `--split`, in order.
    public var parts: [String] = []

    var json: JSONValue {
        .object([
            JSONMember("file", .string(file)),
            JSONMember("format", format.map { .string($0.rawValue) } ?? .null),
            JSONMember("records", .number(String(records))),
            JSONMember("header", .bool(header)),
            JSONMember("problems", .array(problems.map(\.json))),
            JSONMember("warnings", .array(warnings.map(\.json))),
        ])
    }

    /// The file's findings a line each, then its counts.
    public var text: String {
        var lines = problems.map { $0.line(file: file, warning: false) } + warnings.map { $0.line(file: file, warning: true) }
        var summary = "\(file): \(records) record(s)\(header ? " behind a header" : ""), \(problems.count) problem(s), \(warnings.count) warning(s)"
        if !parts.isEmpty { summary += "; split into \(parts.count) part(s): " + parts.joined(separator: ", ") }
        lines.append(summary)
        return lines.joined(separator: "\n") + "\n"
    }
}

extension FileCheck {
    /// `{"files": [...]}` for every file checked.
    public static func json(_ checks: [FileCheck]) -> String {
        JSONValue.object([JSONMember("files", .array(checks.map(\.json)))]).prettyText
    }
}
