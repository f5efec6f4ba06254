/// `--fail-on`: conditions that make a finished run exit 3, so cron or a monitor notices.
public enum FailRule: String, Sendable, CaseIterable {
    /// Some rows of the upload were rejected.
    case unsuccessful
    /// The upload's status is not `Processed`.
    case notProcessed = "not-processed"
    /// The upload has log entries.
    case hasLogs = "has-logs"

    public func matches(_ upload: RevenueUpload) -> Bool {
        switch self {
        case .unsuccessful: return (upload.unsuccessfulRecords ?? 0) > 0
        case .notProcessed: return upload.status != "Processed"
        case .hasLogs: return upload.logCount > 0
        }
    }
}

/// An upload that matched `--fail-on` rules, as listed on stderr and in the manifest.
public struct FailMatch: Sendable, Equatable, CustomStringConvertible {
    public var id: Int64
    public var rules: [FailRule]
    public var status: String?
    public var sourceFilename: String?
    public var unsuccessfulRecords: Int?
    /// For an upload asked for again by id (`--history`), outside the range: its `date_upload`.
    public var revisitedDate: String?

    public init(upload: RevenueUpload, rules: [FailRule], revisited: Bool = false) {
        id = upload.id
        self.rules = rules
        status = upload.status
        sourceFilename = upload.sourceFilename
        unsuccessfulRecords = upload.unsuccessfulRecords
        revisitedDate = revisited ? upload.dateUpload.rfc3339 : nil
    }

    public var description: String {
        var name = ""
        JSONValue.writeString(sourceFilename ?? "", to: &name)
        return "upload \(id) [\(rules.map(\.rawValue).joined(separator: ","))]: \(status ?? "no status"), \(unsuccessfulRecords.map(String.init) ?? "?") unsuccessful, \(name)\(revisitedDate.map { " (asked again: uploaded \($0), outside the range)" } ?? "")"
    }
}
