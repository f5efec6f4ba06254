import Foundation

/// The wire format of a page: the API picks it from the URL suffix, replay from the file name.
public enum WireFormat: String, Sendable, CaseIterable {
    case json
    case xml
}

/// One page exactly as it came from the API or a recorded file: the boundary between Fetch and Parse.
public struct RawPage: Sendable {
    /// Where the page came from, for messages: a file name or a URL without secrets.
    public var origin: String
    public var format: WireFormat
    public var bytes: Data
    /// The HTTP exchange that brought the page, for `--archive-raw` (nil for recorded pages).
    public var provenance: PageProvenance?
    /// A source that had to parse the page to paginate keeps the result, so Parse does not repeat it.
    public var preParsed: ParsedPage?
    /// The same for a common JSON page read by `JSONRecordScanner`.
    var preScanned: [RecordFields]?

    /// How many records the page holds, when a source has read it; and whether it said "no data".
    var readRecordCount: Int? { preScanned?.count ?? preParsed?.records.count }
    var saidNoData: Bool { preParsed?.isNoDataAnswer ?? false }

    public init(origin: String, format: WireFormat, bytes: Data, provenance: PageProvenance? = nil, preParsed: ParsedPage? = nil) {
        self.origin = origin
        self.format = format
        self.bytes = bytes
        self.provenance = provenance
        self.preParsed = preParsed
    }
}

/// How a live page was fetched: what `--archive-raw` writes beside it. Never holds a secret.
public struct PageProvenance: Sendable {
    public var url: String
    public var status: Int
    /// Request headers without Authorization.
    public var requestHeaders: [(String, String)]
    public var responseHeaders: [(String, String)]
    public var fetchedAt: Date
    public var attempts: Int
}

/// A source of pages, delivered in order. Replay and the live API both produce this.
///
/// Pages are pulled one at a time, so a slow consumer holds back the source and only the pages
/// in flight are in memory.
public protocol PageSource: Sendable {
    associatedtype Pages: AsyncSequence where Pages.Element == RawPage
    /// What the source is, for logs and the report header (a folder, a region and URL).
    var description: String { get }
    /// The same, as the manifest records it; never holds a secret.
    var manifestEntry: JSONValue { get }
    /// True when the source was asked for every record of the previous period as well (the API);
    /// false when it holds whatever was recorded (replay).
    var isExhaustive: Bool { get }
    func pages() -> Pages
}
