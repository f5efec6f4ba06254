/// The aggregates the HTML report shows, computed from the uploads in range.
public struct Summary: Sendable, Equatable {
    public struct StatusCount: Sendable, Equatable {
        public var status: String
        public var uploads: Int
    }

    public struct Day: Sendable, Equatable {
        public var date: CivilDate
        public var uploads: Int
        public var successfulRecords: Int
        public var unsuccessfulRecords: Int
    }

    public var uploads = 0
    public var totalRecords = 0
    public var successfulRecords = 0
    public var unsuccessfulRecords = 0
    /// Uploads whose total is unknown, left out of the record totals.
    public var uploadsWithUnknownCounts = 0
    public var statuses: [StatusCount] = []
    public var days: [Day] = []

    /// Successful over total records, over the uploads that give both; nil when there are none.
    public var successRateText: String? {
        guard totalRecords > 0 else { return nil }
        return formatFourDecimals((successfulRecords * 20_000 + totalRecords) / (2 * totalRecords))
    }

    public init() {}

    /// Aggregates `uploads` (already in report order).
    public init(uploads sorted: [RevenueUpload]) {
        var statusCounts: [String: Int] = [:]
        var days: [CivilDate: Day] = [:]
        for upload in sorted {
            uploads += 1
            statusCounts[upload.status ?? "(no status)", default: 0] += 1
            if let total = upload.totalRecords, let successful = upload.successfulRecords {
                totalRecords += total
                successfulRecords += successful
                unsuccessfulRecords += upload.unsuccessfulRecords ?? max(0, total - successful)
            } else {
                uploadsWithUnknownCounts += 1
            }
            let date = upload.dateUpload.localDate
            days[date, default: Day(date: date, uploads: 0, successfulRecords: 0, unsuccessfulRecords: 0)].uploads += 1
            days[date]!.successfulRecords += upload.successfulRecords ?? 0
            days[date]!.unsuccessfulRecords += upload.unsuccessfulRecords ?? 0
        }
        self.days = days.values.sorted { $0.date < $1.date }
        self.statuses = statusCounts
            .map { StatusCount(status: $0.key, uploads: $0.value) }
            .sorted { $0.uploads != $1.uploads ? $0.uploads > $1.uploads : $0.status < $1.status }
    }
}
