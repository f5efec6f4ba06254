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

    public init(origin: String, format: WireFormat, bytes: Data, provenance: PageProvenance? = nil) {
        self.origin = origin
        self.format = format
        self.bytes = bytes
        self.provenance = provenance
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

/// What a source must know of a page once it is read, to page on: how many records it held and
/// whether it was the API's "no data". The reading itself (Parse and typing) is not Fetch's: the
/// pipeline hands it to the source as a hook, and the source runs it as pages arrive.
public protocol PageContent: Sendable {
    var raw: RawPage { get }
    var recordCount: Int { get }
    var isNoDataAnswer: Bool { get }
}

/// A source of pages, delivered in order. Replay and the live API both produce this.
///
/// Each page is read (`read`, the pipeline's Parse and typing) on the cooperative pool as soon
/// as it arrives, several at once, and handed to `consume` in order; only the pages in flight
/// are in memory, and the first failure in page order is the one thrown.
public protocol PageSource: Sendable {
    /// What the source is, for logs and the report header (a folder, a region and URL).
    var description: String { get }
    /// The same, as the manifest records it; never holds a secret.
    var manifestEntry: JSONValue { get }
    /// True when the source was asked for every record of the previous period as well (the API);
    /// false when it holds whatever was recorded (replay).
    var isExhaustive: Bool { get }
    /// `width`: pages read at once, where the source sets no bound of its own (`--concurrency`).
    func forEachPage<Content: PageContent>(width: Int, read: @escaping @Sendable (RawPage) throws -> Content,
                                           consume: (Content) throws -> Void) async throws
    /// A source of these uploads, one page each asked by `id` (`--history` asks again for those
    /// last seen not final); nil where the source cannot ask (replay).
    func askingAgain(for ids: [Int64]) -> (any PageSource)?
}

extension PageSource {
    public func askingAgain(for ids: [Int64]) -> (any PageSource)? { nil }
}
