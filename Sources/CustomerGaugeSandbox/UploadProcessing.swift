import Foundation
import RevenueReport

/// What the sandbox makes of a revenue file sent to it, as CustomerGauge would: the rules of
/// `check` (the same code, so the two cannot drift), plus `Account name not found` for a name
/// outside its own accounts (compared without case). Each rejected row is one log entry, in
/// both shapes the API has been seen to use.
enum UploadProcessing {
    /// The accounts the sandbox knows: those of `examples/revenue-files/`, and a few more.
    static let accounts: Set<String> = Set([
        "Acme Corp", "Beta GmbH", "Gamma Ltd", "Delta SA", "Epsilon BV", "Zeta AB", "Eta Oy", "Theta Inc", "Iota LLC", "Kappa Pty",
    ].map { $0.lowercased() })

    struct Result {
        var status: String
        var total: Int
        var successful: Int
        var unsuccessful: Int
        var logs: [JSONValue]
    }

    static let messages: [String: (column: String, message: String)] = [
        "columns": ("", "Row does not have 6 columns"),
        "account-name": ("account name", "Account name is empty"),
        "amount": ("revenue amount", "Revenue amount must be a whole number"),
        "start-date": ("revenue start date", "Revenue start date is not a valid date"),
        "end-date": ("revenue end date", "Revenue end date is not a valid date"),
        "date-order": ("revenue end date", "Revenue end date is before the start date"),
        "revenue-type": ("revenue type", "Revenue type must be ARR, MRR, One Time or Other"),
    ]

    static func process(name: String, bytes: [UInt8]) -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cg-sandbox-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let safeName = (name as NSString).lastPathComponent.replacingOccurrences(of: "\n", with: " ")
        let file = folder.appendingPathComponent(safeName.isEmpty ? "upload.csv" : safeName)
        var rejected: [(row: Int, column: String, message: String)] = []
        let check: FileCheck
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(bytes).write(to: file)
            check = try RevenueFileChecker.check(file.path) { record in
                guard !record.hasProblem, let account = record.cells.first?.text else { return }
                if !accounts.contains(account.trimmingCharacters(in: .whitespaces).lowercased()) {
                    rejected.append((record.row, "account name", "Account name not found"))
                }
            }
        } catch {
            return Result(status: "Failed", total: 0, successful: 0, unsuccessful: 0, logs: [.string("File could not be read")])
        }
        if let whole = check.problems.first(where: { $0.row == nil }) {
            return Result(status: "Failed", total: check.records, successful: 0, unsuccessful: check.records,
                          logs: [.string("File could not be processed: \(whole.message)")])
        }
        var firstProblem: [Int: Finding] = [:]
        for finding in check.problems { if let row = finding.row, firstProblem[row] == nil { firstProblem[row] = finding } }
        for (row, finding) in firstProblem {
            let known = messages[finding.rule] ?? ("", finding.message)
            rejected.append((row, known.column, known.message))
        }
        rejected.sort { $0.row < $1.row }
        let logs: [JSONValue] = rejected.map { entry in
            if entry.row % 2 == 0 {
                return .object([JSONMember("row", .number(String(entry.row))), JSONMember("column", .string(entry.column)),
                                JSONMember("message", .string(entry.message))])
            }
            return .string("Row \(entry.row): \(entry.message)")
        }
        let unsuccessful = rejected.count
        let status = unsuccessful == 0 ? "Processed" : unsuccessful >= check.records ? "Failed" : "Partially Processed"
        return Result(status: status, total: check.records, successful: check.records - unsuccessful, unsuccessful: unsuccessful, logs: logs)
    }
}
