import Foundation
import Logging

/// The query a run sends: what DESIGN.md says about the range, and the page size.
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
        // The previous period of equal length is asked for too: the report compares against it.
        let days = (filter.previousPeriod.map { RecordFilter(from: $0.from, to: filter.to, zone: filter.zone) } ?? filter).sourceDays(sourceZone: sourceZone)
        if let from = days.from { items.append(("date_range_from", from.description)) }
        if let to = days.to { items.append(("date_range_to", to.adding(days: 1).description)) }
        items.append(("start", String(start)))
        items.append(("limit", String(pageSize)))
        return items
    }
}

/// Pages from the live API: `start` += page size until a short page, an empty page or 400184,
/// with up to `concurrency` pages in flight and the pages still delivered in order.
public struct APISource: PageSource {
    public let endpoint: APIEndpoint
    public let query: APIQuery
    public let concurrency: Int
    public let transport: HTTPTransport
    public let authorizer: Authorizer
    public let retry: RetryPolicy
    public let logger: Logger
    let secrets: [String]

    public init(endpoint: APIEndpoint, query: APIQuery, concurrency: Int, credentials: Credentials, transport: HTTPTransport,
                retry: RetryPolicy, logger: Logger) {
        self.endpoint = endpoint
        self.query = query
        self.concurrency = max(1, concurrency)
        self.transport = transport
        self.retry = retry
        self.logger = logger
        self.secrets = credentials.secretValues
        self.authorizer = Authorizer(credentials: credentials, tokenURL: endpoint.tokenURL, transport: transport, retry: retry, logger: logger)
    }

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

    private var accept: String { endpoint.format == .json ? "application/json" : "application/xml" }

    /// Fetches and parses page `index` (0-based), retrying what is worth retrying.
    public func fetchPage(index: Int) async throws -> RawPage {
        let url = pageURL(start: index * query.pageSize)
        var refreshedToken = false
        return try await retry.run(url: url, logger: logger) { attempt -> AttemptOutcome<RawPage> in
            let authorization = try await authorizer.authorizationHeader()
            let exchange = try await transport.send(method: .GET, url: url, headers: [("Authorization", authorization), ("Accept", accept)])
            exchange.log(to: logger, attempt: attempt)
            switch exchange.status {
            case 200..<300:
                return .done(try page(from: exchange, attempts: attempt))
            case 401 where !refreshedToken && authorizer.canRefresh:
                // An expired or revoked token: fetch a new one, once per request (a token
                // another request already replaced does not count).
                if await authorizer.rejected(authorization) {
                    refreshedToken = true
                    logger.info("\(url): HTTP 401, fetching a new token")
                }
                return .again
            case 401:
                throw ReportError.authentication("\(url): the API refused the credentials (HTTP 401): \(ServerMessage.describe(exchange.body, secrets: secrets))")
            case let status where RetryPolicy.isRetryable(status: status):
                return .retry(reason: "HTTP \(status)", retryAfter: RetryPolicy.parseRetryAfter(exchange.responseHeader("Retry-After")))
            default:
                // 400184 ("no data") may come with HTTP 400: it is an empty page, not a failure.
                if let empty = try? page(from: exchange, attempts: attempt), empty.preParsed?.isNoDataAnswer == true {
                    return .done(empty)
                }
                throw ReportError.apiError(page: url, message: "HTTP \(exchange.status): \(ServerMessage.describe(exchange.body, secrets: secrets))",
                                           code: Self.envelopeCode(exchange.body) ?? "none")
            }
        }
    }

    private func page(from exchange: HTTPExchange, attempts: Int) throws -> RawPage {
        let provenance = PageProvenance(url: exchange.url, status: exchange.status,
                                        requestHeaders: exchange.requestHeaders.filter { $0.0.lowercased() != "authorization" },
                                        responseHeaders: exchange.responseHeaders, fetchedAt: exchange.startedAt, attempts: attempts)
        var raw = RawPage(origin: exchange.url, format: endpoint.format, bytes: exchange.body, provenance: provenance)
        if raw.format == .json, let records = JSONRecordScanner.records(in: raw.bytes) {
            raw.preScanned = records
        } else {
            raw.preParsed = try PageParser.parse(raw)
        }
        return raw
    }

    static func envelopeCode(_ body: Data) -> String? {
        if let value = try? JSONParser.parse(body), let error = value["Error"] ?? value["error"] {
            switch error["Code"] ?? error["code"] {
            case .number(let n)?: return n
            case .string(let s)?: return s
            default: return nil
            }
        }
        if let document = try? XMLParser.parse(body), document.rootName.lowercased() == "error", case .string(let code)? = document.root["Code"] {
            return code
        }
        return nil
    }

    /// Is this the last page? Short, empty, or the API's "no data".
    func isLast(_ page: RawPage) -> Bool {
        page.saidNoData || (page.readRecordCount ?? 0) < query.pageSize
    }

    public func pages() -> Pages {
        Pages(source: self)
    }

    public struct Pages: AsyncSequence, Sendable {
        public typealias Element = RawPage
        let source: APISource

        public func makeAsyncIterator() -> Iterator {
            Iterator(source: source)
        }

        /// Keeps up to `concurrency` page requests running ahead and hands pages out in order.
        /// The first page goes alone: most nightly runs fit in it, and then no request is wasted.
        public struct Iterator: AsyncIteratorProtocol {
            let source: APISource
            let flights = PagesInFlight()
            var nextToDeliver = 0
            var nextToLaunch = 0
            var finished = false

            init(source: APISource) {
                self.source = source
            }

            public mutating func next() async throws -> RawPage? {
                guard !finished else { return nil }
                let window = nextToDeliver == 0 ? 1 : source.concurrency
                while nextToLaunch < nextToDeliver + window {
                    let index = nextToLaunch
                    let source = self.source
                    flights.add(index, Task { try await source.fetchPage(index: index) })
                    nextToLaunch += 1
                }
                let task = flights.take(nextToDeliver)
                do {
                    let page = try await task.value
                    nextToDeliver += 1
                    if source.isLast(page) {
                        finished = true
                        flights.cancelAll()
                    }
                    return page
                } catch {
                    finished = true
                    flights.cancelAll()
                    throw error
                }
            }
        }
    }
}

/// The page requests running ahead of the consumer; cancelled when the run stops early.
final class PagesInFlight: @unchecked Sendable {
    private let lock = NSLock()
    private var tasks: [Int: Task<RawPage, Error>] = [:]

    func add(_ index: Int, _ task: Task<RawPage, Error>) {
        lock.withLock { tasks[index] = task }
    }

    func take(_ index: Int) -> Task<RawPage, Error> {
        lock.withLock { tasks.removeValue(forKey: index)! }
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
