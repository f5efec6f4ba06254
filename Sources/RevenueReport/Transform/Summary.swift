import Foundation

/// The aggregates the HTML report shows, built one upload at a time.
public struct Summary: Sendable {
    public struct StatusCount: Sendable, Equatable {
        public var status: String
        public var uploads: Int
    }

    public struct Day: Sendable, Equatable {
        public var date: CivilDate
        public var uploads: Int
        public var successfulRecords: Int
        public var unsuccessfulRecords: Int

        mutating func count(successful: Int, unsuccessful: Int) {
            uploads += 1
            successfulRecords += successful
            unsuccessfulRecords += unsuccessful
        }
    }

    public var uploads = 0
    public var totalRecords = 0
    public var successfulRecords = 0
    public var unsuccessfulRecords = 0
    /// Records neither successful nor unsuccessful yet (uploads still processing), and their uploads:
    /// the third part of `totalRecords`.
    public var pendingRecords: Int { totalRecords - successfulRecords - unsuccessfulRecords }
    public var uploadsWithPendingRecords = 0
    /// Uploads whose counts are unknown, left out of the record totals.
    public var uploadsWithUnknownCounts = 0
    private var statusCounts: [String: Int] = [:]
    /// By day number (days since 1970-01-01 on the zone's calendar): a number hashes quicker than a date.
    private var dayTotals: [Int: Day] = [:]
    /// The zone whose calendar days `days` are.
    public let zone: SourceZone

    public init(zone: SourceZone = .utc) {
        self.zone = zone
    }

    /// Aggregates `uploads` in one go.
    public init(uploads: [RevenueUpload], zone: SourceZone = .utc) {
        self.init(zone: zone)
        for upload in uploads { add(upload) }
    }

    public mutating func add(_ upload: RevenueUpload) {
        uploads += 1
        statusCounts[upload.status ?? "(no status)", default: 0] += 1
        let counted = upload.countedRecords
        if let counted {
            successfulRecords += counted.successful
            unsuccessfulRecords += counted.unsuccessful
            totalRecords += counted.total
            if counted.total > counted.successful + counted.unsuccessful { uploadsWithPendingRecords += 1 }
        } else {
            uploadsWithUnknownCounts += 1
        }
        let instant = upload.dateUpload.instant
        let local = instant + Int64(zone.offset(atInstant: instant))
        let day = Int((local - floorMod(local, 86_400)) / 86_400)
        // One look-up of the day (this runs for every upload); its date is made once a day.
        dayTotals[day, default: Day(date: CivilDate(daysSinceEpoch: day), uploads: 0, successfulRecords: 0, unsuccessfulRecords: 0)]
            .count(successful: counted?.successful ?? 0, unsuccessful: counted?.unsuccessful ?? 0)
    }

    /// Successful over total records, over the uploads that give both; nil when there are none.
    public var successRateText: String? {
        guard totalRecords > 0 else { return nil }
        return formatFourDecimals((successfulRecords * 20_000 + totalRecords) / (2 * totalRecords))
    }

    /// Most frequent first, then by name.
    public var statuses: [StatusCount] {
        statusCounts.map { StatusCount(status: $0.key, uploads: $0.value) }
            .sorted { $0.uploads != $1.uploads ? $0.uploads > $1.uploads : $0.status < $1.status }
    }

    /// Per calendar day of `zone`, in date order; days without uploads are absent.
    public var days: [Day] {
        dayTotals.values.sorted { $0.date < $1.date }
    }
}
