/// The values of an upload that the history compares from run to run: a change in any of them
/// is an observation, and "changed" in the report.
public struct UploadValues: Sendable, Equatable, Codable {
    public var status: String?
    public var totalRecords: Int?
    public var successfulRecords: Int?
    public var unsuccessfulRecords: Int?

    public init(status: String?, totalRecords: Int?, successfulRecords: Int?, unsuccessfulRecords: Int?) {
        self.status = status
        self.totalRecords = totalRecords
        self.successfulRecords = successfulRecords
        self.unsuccessfulRecords = unsuccessfulRecords
    }

    public init(_ upload: RevenueUpload) {
        self.init(status: upload.status, totalRecords: upload.totalRecords, successfulRecords: upload.successfulRecords,
                  unsuccessfulRecords: upload.unsuccessfulRecords)
    }

    /// Statuses after which an upload no longer changes (any case): it is not asked for again.
    public static let finalStatuses: Set<String> = ["processed", "partially processed", "failed"]

    public var isFinal: Bool { status.map { Self.finalStatuses.contains($0.lowercased()) } ?? false }

    /// A 64-bit digest of the four values (FNV-1a over a canonical text), to compare a run's
    /// uploads with the last values seen without holding those values: 8 bytes an upload.
    public var fingerprint: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String?) {
            for byte in (text.map { "s" + $0 } ?? "n").utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            hash = (hash ^ 0x1f) &* 0x100_0000_01b3  // a separator no value holds
        }
        mix(status)
        mix(totalRecords.map(String.init))
        mix(successfulRecords.map(String.init))
        mix(unsuccessfulRecords.map(String.init))
        return hash
    }

    /// `Processing, 120 rows (0 ok, 0 rejected)`: how the report shows one side of a change.
    public var summaryText: String {
        let rows = totalRecords.map { "\($0) rows" } ?? "rows unknown"
        let outcome = "\(successfulRecords.map(String.init) ?? "?") ok, \(unsuccessfulRecords.map(String.init) ?? "?") rejected"
        return "\(status ?? "no status"), \(rows) (\(outcome))"
    }
}
