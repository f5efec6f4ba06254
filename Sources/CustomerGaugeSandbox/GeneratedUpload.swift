import RevenueReport

/// One upload as the API would list it, before rendering to JSON or XML.
public struct GeneratedUpload: Sendable, Equatable {
    public var id: Int64
    public var status: String
    public var sourceFilename: String
    /// `YYYY-MM-DD HH:MM:SS`, no zone, as the API sends it.
    public var dateUpload: String
    public var totalRecords: Int?
    public var successfulRecords: Int?
    public var unsuccessfulRecords: Int?
    public var logs: [JSONValue]

    public init(id: Int64, status: String, sourceFilename: String, dateUpload: String, totalRecords: Int?,
                successfulRecords: Int?, unsuccessfulRecords: Int?, logs: [JSONValue]) {
        self.id = id
        self.status = status
        self.sourceFilename = sourceFilename
        self.dateUpload = dateUpload
        self.totalRecords = totalRecords
        self.successfulRecords = successfulRecords
        self.unsuccessfulRecords = unsuccessfulRecords
        self.logs = logs
    }

    /// The date part of `dateUpload`, for the API's date filters.
    public var day: String { String(dateUpload.prefix(10)) }
}
