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

    public init(origin: String, format: WireFormat, bytes: Data) {
        self.origin = origin
        self.format = format
        self.bytes = bytes
    }
}

/// A source of pages, delivered in order. Replay and the live API both produce this.
///
/// Pages are pulled one at a time, so a slow consumer holds back the source and only the pages
/// in flight are in memory.
public protocol PageSource: Sendable {
    associatedtype Pages: AsyncSequence where Pages.Element == RawPage
    /// What the source is, for logs and the report header (a folder, a region and URL).
    var description: String { get }
    func pages() -> Pages
}
