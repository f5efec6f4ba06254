/// One record as found on a page, before typing: the boundary between Parse and Transform.
public struct SourceRecord: Sendable {
    /// The page it came from (file name or URL), for messages.
    public var page: String
    /// 1-based position on the page.
    public var position: Int
    /// The record's fields, as generic values.
    public var fields: JSONValue

    public init(page: String, position: Int, fields: JSONValue) {
        self.page = page
        self.position = position
        self.fields = fields
    }
}

/// What one page held.
public struct ParsedPage: Sendable {
    public var origin: String
    public var records: [SourceRecord]
    /// True when the API said 400184, "No data found with passed parameters": an empty page.
    public var isNoDataAnswer: Bool

    public init(origin: String, records: [SourceRecord], isNoDataAnswer: Bool = false) {
        self.origin = origin
        self.records = records
        self.isNoDataAnswer = isNoDataAnswer
    }
}
