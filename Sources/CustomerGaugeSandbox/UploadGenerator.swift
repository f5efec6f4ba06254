import Foundation
import RevenueReport

/// Makes a realistic, deterministic list of revenue-file uploads.
///
/// Mostly `Processed`; some `Partially Processed`, `Failed` and `Processing`; failed rows come
/// with logs in both shapes seen in the wild (text lines and objects); a share of file names
/// carry what breaks naive tools: commas, quotes, newlines, non-ASCII, markup and formulas.
public struct UploadGenerator: Sendable {
    public var seed: UInt64
    public var count: Int
    public var from: CivilDate
    public var to: CivilDate
    public var firstID: Int64
    /// False: ids still rise, but each upload's time is drawn at random (data that arrives out
    /// of report order, as another imitation of the API sends it; the API documents no order).
    public var datesInOrder: Bool

    public init(seed: UInt64 = 2026, count: Int, from: CivilDate, to: CivilDate, firstID: Int64 = 1001, datesInOrder: Bool = true) {
        self.seed = seed
        self.count = count
        self.from = from
        self.to = to
        self.firstID = firstID
        self.datesInOrder = datesInOrder
    }

    /// The uploads in id order; ids rise with upload time as the API numbers them, unless
    /// `datesInOrder` is false.
    public func uploads() -> [GeneratedUpload] {
        var random = SplitMix64(seed: seed)
        let start = Int64(from.daysSinceEpoch) * 86_400
        let span = UInt64(Int64(to.daysSinceEpoch + 1) * 86_400 - start)
        var times = (0..<count).map { _ in start + Int64(random.next() % span) }
        if datesInOrder { times.sort() }
        return times.enumerated().map { index, time in
            upload(id: firstID + Int64(index), time: time, random: &random)
        }
    }

    private func upload(id: Int64, time: Int64, random: inout SplitMix64) -> GeneratedUpload {
        let day = CivilDate(daysSinceEpoch: Int(time / 86_400))
        let secondOfDay = Int(time % 86_400)
        let stamp = "\(day) \(pad2(secondOfDay / 3600)):\(pad2(secondOfDay / 60 % 60)):\(pad2(secondOfDay % 60))"
        let name = fileName(day: day, random: &random)
        let roll = Double(random.next() % 10_000) / 10_000
        // Uploads hold at most 1,000 rows (CustomerGauge's limit for a revenue file); most are small.
        let total = Int(random.next() % 4 == 0 ? 1 + random.next() % 1000 : 1 + random.next() % 120)

        if roll < 0.005 {
            return GeneratedUpload(id: id, status: "Processing", sourceFilename: name, dateUpload: stamp,
                                   totalRecords: nil, successfulRecords: nil, unsuccessfulRecords: nil, logs: [])
        }
        if roll < 0.015 {
            return GeneratedUpload(id: id, status: "Processed", sourceFilename: name, dateUpload: stamp,
                                   totalRecords: 0, successfulRecords: 0, unsuccessfulRecords: 0, logs: [])
        }
        if roll < 0.05 {
            return GeneratedUpload(id: id, status: "Processing", sourceFilename: name, dateUpload: stamp,
                                   totalRecords: total, successfulRecords: 0, unsuccessfulRecords: 0, logs: [])
        }
        if roll < 0.10 {
            let reason = Self.fileFailures[Int(random.next() % UInt64(Self.fileFailures.count))]
            return GeneratedUpload(id: id, status: "Failed", sourceFilename: name, dateUpload: stamp,
                                   totalRecords: total, successfulRecords: 0, unsuccessfulRecords: total, logs: [.string(reason)])
        }
        if roll < 0.16 {
            let failed = 1 + Int(random.next() % UInt64(max(1, total / 2)))
            return GeneratedUpload(id: id, status: "Partially Processed", sourceFilename: name, dateUpload: stamp,
                                   totalRecords: total, successfulRecords: total - failed, unsuccessfulRecords: failed,
                                   logs: rowLogs(failed: failed, total: total, random: &random))
        }
        // Processed; one in eight with a few rejected rows.
        let failed = random.next() % 8 == 0 ? 1 + Int(random.next() % UInt64(min(5, total))) : 0
        return GeneratedUpload(id: id, status: "Processed", sourceFilename: name, dateUpload: stamp,
                               totalRecords: total, successfulRecords: total - failed, unsuccessfulRecords: failed,
                               logs: rowLogs(failed: failed, total: total, random: &random))
    }

    /// One log entry per failed row, at most five, then a line saying how many more.
    private func rowLogs(failed: Int, total: Int, random: inout SplitMix64) -> [JSONValue] {
        var logs: [JSONValue] = []
        for _ in 0..<min(failed, 5) {
            let row = 2 + Int(random.next() % UInt64(max(1, total)))
            let problem = Self.rowProblems[Int(random.next() % UInt64(Self.rowProblems.count))]
            if random.next() % 2 == 0 {
                logs.append(.object([
                    JSONMember("row", .number(String(row))),
                    JSONMember("column", .string(problem.column)),
                    JSONMember("message", .string(problem.message)),
                ]))
            } else {
                logs.append(.string("Row \(row): \(problem.message)"))
            }
        }
        if failed > 5 { logs.append(.string("… and \(failed - 5) more rows rejected")) }
        return logs
    }

    private func fileName(day: CivilDate, random: inout SplitMix64) -> String {
        if random.next() % 25 == 0 {
            return Self.awkwardNames[Int(random.next() % UInt64(Self.awkwardNames.count))]
        }
        let pattern = Self.namePatterns[Int(random.next() % UInt64(Self.namePatterns.count))]
        return pattern
            .replacingOccurrences(of: "{date}", with: day.description)
            .replacingOccurrences(of: "{month}", with: Self.months[day.month - 1])
            .replacingOccurrences(of: "{year}", with: String(day.year))
            .replacingOccurrences(of: "{n}", with: String(1 + random.next() % 40))
    }

    private func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static let namePatterns = [
        "RevenueUploadTemplate_{date}.xlsx",
        "revenue_{month}{year}.csv",
        "ARR export {date}.xlsx",
        "MRR-accounts-{n}.csv",
        "one-time-fees_{month}_{year}.xls",
        "revenue_feed_{date}.xml",
        "EMEA revenue {month} {year} v{n}.xlsx",
    ]

    /// Names that break naive CSV, HTML and spreadsheet handling.
    public static let awkwardNames = [
        "revenue, final (2).csv",
        "Q1 \"approved\" revenue.xlsx",
        "line one\nline two.csv",
        "Umsätze März – Übersicht.xlsx",
        "売上データ_2026.csv",
        "<script>alert('x')</script>.csv",
        "=SUM(A1:A9).xlsx",
        "+31 accounts.csv",
        "-adjustments.csv",
        "@finance upload.xlsx",
        "Tom & Jerry's <b>revenue</b>.xlsx",
        "עברית revenue.csv",
        "rocket 🚀 accounts.xlsx",
    ]

    static let fileFailures = [
        "File could not be read: expected 6 columns, found 4",
        "File is larger than 2 MB",
        "Unsupported file type",
        "File holds more than 1,000 records",
    ]

    static let rowProblems: [(column: String, message: String)] = [
        ("account name", "Account name not found"),
        ("revenue amount", "Revenue amount must be a whole number"),
        ("revenue start date", "Revenue start date is not a valid date"),
        ("revenue end date", "Revenue end date is before the start date"),
        ("revenue type", "Revenue type must be ARR, MRR, One Time or Other"),
    ]
}
