import Foundation
import Logging

/// The query a run sends: the range (one day past its end, made exact client-side), and the page size.
public struct APIQuery: Sendable, Equatable {
    public var filter: RecordFilter
    public var pageSize: Int
    public var sourceZone: SourceZone

    public init(filter: RecordFilter, pageSize: Int, sourceZone: SourceZone = .utc) {
        self.filter = filter
        self.pageSize = pageSize
        self.sourceZone = sourceZone
    }

    public static func == (a: APIQuery, b: APIQuery) -> Bool {
        a.filter == b.filter && a.pageSize == b.pageSize && a.sourceZone.identifier == b.sourceZone.identifier
    }

    /// The query items of the page starting at `start`. `date_range_to` is one day past `--to`:
    /// its semantics are undocumented, and the range is made exact client-side.
    public func items(start: Int) -> [(String, String)] {
        var items: [(String, String)] = []
        if let id = filter.id { items.append(("id", String(id))) }
        // The previous period of equal length is asked for too (--compare): the report compares against it.
        let days = filter.requestDays(sourceZone: sourceZone)
        if let from = days.from { items.append(("date_range_from", from.description)) }
        if let to = days.to { items.append(("date_range_to", to.adding(days: 1).description)) }
        items.append(("start", String(start)))
        items.append(("limit", String(pageSize)))
        return items
    }
}

/// Pages from the live API. `start` advances by the records each page held, and only an empty
/// page or the API's "no data" (400184) ends the listing: a server may cap `limit` below what was
/// asked, so a short page alone proves nothing. Up to `concurrency` pages are asked ahead at the
/// offsets expected from the pages so far (`PageWindow`); a page shorter than expected makes the
/// rest be asked again from where it really ended. A query by `id` is one request.
public struct APISource: PageSource {
    /// The API client every request goes through (credentials, retries, the request tally).
    public let client: APIClient
    public internal(set) var query: APIQuery
    public let concurrency: Int

    public init(endpoint: APIEndpoint, query: APIQuery, concurrency: Int, credentials: Credentials, transport: HTTPTransport,
                retry: RetryPolicy, logger: Logger) {
        self.init(client: APIClient(endpoint: endpoint, credentials: credentials, transport: transport, retry: retry, logger: logger),
                  query: query, concurrency: concurrency)
    }

    public init(client: APIClient, query: APIQuery, concurrency: Int) {
        self.client = client
        self.query = query
        self.concurrency = max(1, concurrency)
    }

    public var endpoint: APIEndpoint { client.endpoint }
    public var transport: HTTPTransport { client.transport }
    public var logger: Logger { client.logger }

    public var description: String { "CustomerGauge API at \(endpoint.revenueURL.absoluteString)" }

    public var isExhaustive: Bool { true }

    public var manifestEntry: JSONValue {
        .object([
            JSONMember("kind", .string("api")),
            JSONMember("revenue_url", .string(endpoint.revenueURL.absoluteString)),
            JSONMember("token_url", .string(endpoint.tokenURL.absoluteString)),
            JSONMember("format", .string(endpoint.format.rawValue)),
            JSONMember("page_size", .number(String(query.pageSize))),
            JSONMember("concurrency", .number(String(concurrency))),
        ])
    }

    public func pageURL(start: Int) -> String {
        var components = URLComponents(url: endpoint.revenueURL, resolvingAgainstBaseURL: false)!
        components.queryItems = query.items(start: start).map { URLQueryItem(name: $0.0, value: $0.1) }
        return components.url!.absoluteString
    }

    /// Fetches the page at record offset `start` and reads it with `read`, retrying what is
    /// worth retrying (through the client).
    func fetchPage<Content: PageContent>(start: Int, read: @Sendable (RawPage) throws -> Content) async throws -> Content {
        try await client.send(.GET, url: pageURL(start: start)) { exchange, attempt in
            try read(page(from: exchange, attempts: attempt))
        } failure: { exchange, attempt in
            // 400184 ("no data") may come with HTTP 400: it is an empty page, not a failure.
            // Reading the body also finds the error envelope's code, when there is one.
            do {
                let content = try read(page(from: exchange, attempts: attempt))
                if content.isNoDataAnswer { return .accept(content) }
            } catch ReportError.apiError(_, _, let envelopeCode) {
                return .fail(code: envelopeCode)
            } catch {}
            return .fail(code: "none")
        }
    }

    private func page(from exchange: HTTPExchange, attempts: Int) -> RawPage {
        let provenance = PageProvenance(url: exchange.url, status: exchange.status,
                                        requestHeaders: exchange.requestHeaders.filter { $0.0.lowercased() != "authorization" },
                                        responseHeaders: exchange.responseHeaders, fetchedAt: exchange.startedAt, attempts: attempts)
        return RawPage(origin: exchange.url, format: endpoint.format, bytes: exchange.body, provenance: provenance)
    }

    public func forEachPage<Content: PageContent>(width: Int, read: @escaping @Sendable (RawPage) throws -> Content,
                                                  consume: (Content) throws -> Void) async throws {
        let flights = PagesInFlight<Content>()
        defer { flights.cancelAll() }
        var window = PageWindow(pageSize: query.pageSize, concurrency: concurrency, singleRequest: query.filter.id != nil)
        while let start = window.nextToDeliver {
            for offset in window.launches(inFlight: flights.offsets) {
                flights.add(offset, Task { try await self.fetchPage(start: offset, read: read) })
            }
            let page = try await flights.take(start).value
            if window.delivered(start: start, records: page.isNoDataAnswer ? 0 : page.recordCount) == .replan {
                // The offsets asked ahead assumed another page length: ask again from here.
                flights.cancelAll()
            }
            try consume(page)
        }
    }
}

extension APISource {
    /// The same API, credentials and token, asked for these uploads one `id` at a time:
    /// through the same fetch, retry and parse path as every page.
    public func askingAgain(for ids: [Int64]) -> (any PageSource)? {
        UploadsByID(api: self, ids: ids)
    }
}

/// Pages asked for by `id`, up to `--concurrency` at once, delivered in the order of the ids.
struct UploadsByID: PageSource {
    let api: APISource
    let ids: [Int64]

    var description: String { "\(ids.count) upload(s) asked for by id at \(api.endpoint.revenueURL.absoluteString)" }
    var manifestEntry: JSONValue { api.manifestEntry }
    var isExhaustive: Bool { true }

    func forEachPage<Content: PageContent>(width: Int, read: @escaping @Sendable (RawPage) throws -> Content,
                                           consume: (Content) throws -> Void) async throws {
        let sources = ids.map { id in
            var one = api
            var filter = RecordFilter(id: id)
            filter.comparesPreviousPeriod = false
            one.query = APIQuery(filter: filter, pageSize: api.query.pageSize, sourceZone: api.query.sourceZone)
            return one
        }
        let flights = PagesInFlight<Content>()
        defer { flights.cancelAll() }
        for index in sources.indices {
            for ahead in index ..< min(sources.count, index + api.concurrency) where !flights.offsets.contains(ahead) {
                let source = sources[ahead]
                flights.add(ahead, Task { try await source.fetchPage(start: 0, read: read) })
            }
            try consume(try await flights.take(index).value)
        }
    }
}

/// Which record offsets the API source asks for, and when the listing ends.
///
/// The first page goes alone (most nightly runs fit in it). After a full page, up to
/// `concurrency` pages are asked ahead at steps of the page length seen; after a page shorter
/// than that step, the one after it goes alone from where the short page ended: if the server
/// caps `limit`, that page is as long as the short one and the window opens again at the new
/// step; if the short page was the last, it comes back empty (one extra request per listing).
struct PageWindow: Equatable {
    let pageSize: Int
    let concurrency: Int
    /// A query by `id`: its one answer is the whole listing.
    let singleRequest: Bool
    /// The offset of the next page to hand on; nil once the listing has ended.
    private(set) var nextToDeliver: Int? = 0
    /// The page length expected: `limit` until a page says otherwise.
    private(set) var step: Int
    /// Pages asked for at once.
    private var width = 1

    enum Decision: Equatable { case keep, replan }

    init(pageSize: Int, concurrency: Int, singleRequest: Bool = false) {
        self.pageSize = pageSize
        self.concurrency = max(1, concurrency)
        self.singleRequest = singleRequest
        self.step = pageSize
    }

    /// The offsets to ask for now, given those already in flight (ascending).
    func launches(inFlight: [Int]) -> [Int] {
        guard let next = nextToDeliver else { return [] }
        var offsets: [Int] = []
        var last = inFlight.last
        if last == nil || !inFlight.contains(next) {
            offsets.append(next)
            last = next
        }
        while inFlight.count + offsets.count < width, let previous = last {
            last = previous + step
            offsets.append(last!)
        }
        return offsets
    }

    /// Takes the page at `start` that held `records`; `.replan` when the pages asked ahead are
    /// at the wrong offsets and must be dropped.
    mutating func delivered(start: Int, records: Int) -> Decision {
        guard records > 0, !singleRequest else {
            nextToDeliver = nil
            return .replan
        }
        nextToDeliver = start + records
        if records == step {
            width = concurrency
            return .keep
        }
        // Another length than expected: the offsets asked ahead are wrong; the next page goes
        // alone, and its length is the step from now on.
        step = records
        width = 1
        return .replan
    }
}

/// The page requests running ahead of the consumer, by record offset; cancelled when the run
/// stops early or the offsets turn out wrong.
final class PagesInFlight<Content: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var tasks: [Int: Task<Content, Error>] = [:]

    var offsets: [Int] { lock.withLock { tasks.keys.sorted() } }

    func add(_ offset: Int, _ task: Task<Content, Error>) {
        lock.withLock { tasks[offset] = task }
    }

    func take(_ offset: Int) -> Task<Content, Error> {
        lock.withLock { tasks.removeValue(forKey: offset)! }
    }

    func cancelAll() {
        lock.withLock {
            for task in tasks.values { task.cancel() }
            tasks.removeAll()
        }
    }

    deinit {
        for task in tasks.values { task.cancel() }
    }
}
