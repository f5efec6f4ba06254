import Foundation
import Hummingbird
import Logging
import NIOCore
import RevenueReport
import ServiceLifecycle

/// A local imitation of the CustomerGauge API: the token endpoint of the auth host and the
/// revenue endpoint of the API host, on one port. Tests start it on an ephemeral loopback port.
public final class SandboxServer: Sendable {
    public let options: SandboxOptions
    let state: SandboxState
    let data: SandboxData
    let rendered = RenderedPages()
    let uploadLog = UploadLog()

    public init(options: SandboxOptions) {
        self.options = options
        self.state = SandboxState(seed: options.seed)
        self.data = SandboxData(UploadGenerator(seed: options.seed, count: options.uploads, from: options.from, to: options.to).uploads(),
                                seed: options.seed, failWithoutReason: options.uploadFailWithoutReason)
    }

    /// Moves the data on a night: uploads still `Processing` finish, `newUploads` new ones appear
    /// on the next day (also `POST /sandbox/next-night?new=N`).
    @discardableResult
    public func advanceNight(newUploads: Int = 12) -> SandboxNight {
        data.advance(newUploads: newUploads)
    }

    /// Requests answered so far, for tests and demos.
    public var stats: SandboxStats { state.stats }

    /// Every POST to the upload endpoint, in order, and what the sandbox did with it (also
    /// `GET /sandbox/uploads`): what tests read to know a file was taken once.
    public var uploadRequests: [UploadRequest] { uploadLog.requests }

    /// Starts listening on `host:port` (0: any free port) and returns once it accepts connections.
    public func start(host: String = "127.0.0.1", port: Int = 0, logger: Logger? = nil) async throws -> RunningSandbox {
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "cg-sandbox"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger ?? Logger(label: "cg-sandbox", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        // Stopped by a graceful shutdown, not by cancellation: requests in flight get finished.
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "cg-sandbox", factory: { _ in SwiftLogNoOpLogHandler() })))
        let task = Task { try await group.run() }
        var iterator = portStream.makeAsyncIterator()
        guard let bound = await iterator.next(), bound > 0 else {
            await group.triggerGracefulShutdown()
            throw SandboxError.couldNotStart
        }
        return RunningSandbox(host: host, port: bound, group: group, task: task)
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/oauth2/token") { request, _ in
            try await self.token(request)
        }
        router.post("/sandbox/next-night") { request, _ in
            let count = request.uri.queryParameters["new"].flatMap { Int(String($0)) } ?? 12
            return Self.text(.ok, self.advanceNight(newUploads: max(0, min(count, 10_000))).json + "\n", type: "application/json")
        }
        router.get("/v4.1/file/company-revenue.json") { request, _ in
            try await self.revenue(request, format: .json)
        }
        router.get("/v4.1/file/company-revenue.xml") { request, _ in
            try await self.revenue(request, format: .xml)
        }
        router.post("/v4.1/company/revenue_file_automate.json") { request, _ in
            try await self.upload(request, format: .json)
        }
        router.post("/v4.1/company/revenue_file_automate.xml") { request, _ in
            try await self.upload(request, format: .xml)
        }
        router.get("/sandbox/uploads") { _, _ in
            Self.text(.ok, self.uploadLog.json + "\n", type: "application/json")
        }
        return router
    }

    // MARK: token endpoint

    func token(_ request: Request) async throws -> Response {
        state.countTokenRequest()
        if options.tokenEndpointDown {
            return Self.text(.serviceUnavailable, "{\"error\":\"temporarily_unavailable\"}", type: "application/json")
        }
        let body = try await request.body.collect(upTo: 64 * 1024)
        let form = Self.parseForm(String(buffer: body))
        guard form["grant_type"] == "client_credentials" else {
            return Self.text(.badRequest, #"{"error":"unsupported_grant_type","error_description":"grant_type must be client_credentials"}"#, type: "application/json")
        }
        guard form["client_id"] == options.clientID, form["client_secret"] == options.clientSecret else {
            return Self.text(.unauthorized, #"{"error":"invalid_client","error_description":"Client authentication failed"}"#, type: "application/json")
        }
        let token = state.issueToken(lifetime: TimeInterval(options.tokenLifetime))
        return Self.text(.ok, #"{"access_token":"\#(token)","token_type":"Bearer","expires_in":\#(options.tokenLifetime)}"#, type: "application/json")
    }

    // MARK: revenue endpoint

    func revenue(_ request: Request, format: WireFormat) async throws -> Response {
        let number = state.countRevenueRequest()
        if options.latencyMilliseconds > 0 {
            try await Task.sleep(nanoseconds: UInt64(options.latencyMilliseconds) * 1_000_000)
        }
        guard isAuthorised(request.headers[.authorization]) else {
            return envelope(.unauthorized, message: "Invalid API key", code: 200000, format: format)
        }
        if number <= options.rateLimitFirst || state.roll() < options.rateLimitShare {
            var response = envelope(.tooManyRequests, message: "Too many requests", code: 429, format: format)
            response.headers[.retryAfter] = String(options.retryAfterSeconds)
            return response
        }
        if number <= options.rateLimitFirst + options.failFirst {
            return envelope(HTTPResponse.Status(code: options.failStatus), message: "Service unavailable", code: options.failStatus, format: format)
        }
        if let failAfter = options.failAfter, state.successfulPages >= failAfter {
            return envelope(HTTPResponse.Status(code: options.failStatus), message: "Internal error", code: options.failStatus, format: format)
        }

        if let body = options.bodyOverride {
            state.countSuccessfulPage()
            return Response(status: .ok, headers: [.contentType: options.contentTypeOverride ?? "text/html"],
                            body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }

        let query = request.uri.queryParameters
        let start = query["start"].map { Int(String($0)) } ?? 0
        let limit = query["limit"].map { Int(String($0)) } ?? 1000
        guard let start, let limit, start >= 0, (1...1000).contains(limit) else {
            return envelope(.badRequest, message: "Invalid arguments: start must be 0 or more and limit 1 to 1000", code: 300001, format: format)
        }
        let (revision, uploads) = data.current()
        var selected = uploads[...]
        if let id = query["id"] {
            guard let id = Int64(String(id)) else {
                return envelope(.badRequest, message: "Invalid arguments: id", code: 300001, format: format)
            }
            selected = selected.filter { $0.id == id }[...]
            state.noteAskedByID(AskedByID(id: id, at: Date(), status: selected.first?.status))
        }
        if let from = query["date_range_from"] {
            guard let day = CivilDate(String(from)) else { return envelope(.badRequest, message: "Invalid arguments: date_range_from", code: 300001, format: format) }
            selected = selected.filter { $0.day >= day.description }[...]
        }
        if let to = query["date_range_to"] {
            guard let day = CivilDate(String(to)) else { return envelope(.badRequest, message: "Invalid arguments: date_range_to", code: 300001, format: format) }
            let inclusive = options.dateRangeToInclusive
            selected = selected.filter { inclusive ? $0.day <= day.description : $0.day < day.description }[...]
        }
        let offset = options.ignoreStart ? 0 : start
        let page = Array(selected.dropFirst(offset).prefix(min(limit, options.maxLimit ?? limit)))
        guard !page.isEmpty else {
            return envelope(HTTPResponse.Status(code: options.noDataStatus), message: "No data found with passed parameters.", code: 400184, format: format)
        }
        state.countSuccessfulPage()
        let body = rendered.body(for: "\(revision):\(format.rawValue)?\(request.uri.query ?? "")") {
            switch format {
            case .json: PageRenderer.json(page, shape: options.jsonShape, numbersAsStrings: !options.numbersAsNumbers)
            case .xml: PageRenderer.xml(page, shape: options.xmlShape)
            }
        }
        let type = options.contentTypeOverride ?? (format == .json ? "application/json" : "application/xml")
        if number <= options.rateLimitFirst + options.failFirst + options.dropFirst || state.roll() < options.dropShare {
            state.countDroppedResponse()
            return Self.dropped(body, type: type)
        }
        if options.bodyDelayMilliseconds > 0 {
            return Self.slow(body, type: type, delayMilliseconds: options.bodyDelayMilliseconds)
        }
        return Self.text(.ok, body, type: type)
    }

    // MARK: upload endpoint

    /// `POST revenue_file_automate`: takes the part named `file`, lists it at once as
    /// `Processing`, answers `{"Data": {"data": 1}}`; or shows the fault it was told to.
    func upload(_ request: Request, format: WireFormat) async throws -> Response {
        let number = uploadLog.count()
        guard isAuthorised(request.headers[.authorization]) else {
            uploadLog.add(UploadRequest(number: number, outcome: .unauthorised))
            return envelope(.unauthorized, message: "Invalid API key", code: 200000, format: format)
        }
        if number <= options.uploadUnavailableFirst {
            // Answered before the body is read: the file is not taken.
            uploadLog.add(UploadRequest(number: number, outcome: .unavailable))
            var response = envelope(.serviceUnavailable, message: "Service unavailable", code: 503, format: format)
            if options.uploadRetryAfter { response.headers[.retryAfter] = String(options.retryAfterSeconds) }
            return response
        }
        let body = try await request.body.collect(upTo: 16 << 20)
        guard let form = MultipartBody(contentType: request.headers[.contentType] ?? "", body: Array(buffer: body)),
              let part = form.parts.first(where: { $0.name == "file" }), let name = part.filename else {
            uploadLog.add(UploadRequest(number: number, outcome: .malformed))
            return envelope(.badRequest, message: "Required field missing: file", code: 300004, format: format)
        }
        var entry = UploadRequest(number: number, outcome: .taken, filename: name, contentType: part.contentType,
                                  bytes: part.bytes.count, sha256: sha256Hex(Data(part.bytes)))
        if options.uploadRefuse {
            entry.outcome = .refused
            uploadLog.add(entry)
            return Self.text(.ok, format == .json ? #"{"Data":false}"# : "<?xml version=\"1.0\"?>\n<Data>false</Data>\n",
                             type: format == .json ? "application/json" : "application/xml")
        }
        let takenAt = Date()
        entry.takenAt = takenAt
        entry.uploadID = data.take(name: name, bytes: part.bytes, processingDelay: Double(options.processingMilliseconds) / 1000, now: takenAt)
        let answer = format == .json ? #"{"Data":{"data":1}}"# : "<?xml version=\"1.0\"?>\n<Data><data>1</data></Data>\n"
        let type = format == .json ? "application/json" : "application/xml"
        let afterUnavailable = number - options.uploadUnavailableFirst
        if afterUnavailable <= options.uploadDropFirst {
            entry.outcome = .takenThenDropped
            uploadLog.add(entry)
            return Self.dropped(answer, type: type)
        }
        if afterUnavailable <= options.uploadDropFirst + options.uploadSlowFirst {
            entry.outcome = .takenThenSlow
            uploadLog.add(entry)
            return Self.slow(answer, type: type, delayMilliseconds: options.uploadAnswerDelayMilliseconds)
        }
        uploadLog.add(entry)
        return Self.text(.ok, answer, type: type)
    }

    private func isAuthorised(_ header: String?) -> Bool {
        guard let header else { return false }
        if header.hasPrefix("Bearer ") { return state.useToken(String(header.dropFirst(7)), maxUses: options.tokenUses) }
        if header.hasPrefix("api_key ") { return String(header.dropFirst(8)) == options.apiKey }
        return false
    }

    private func envelope(_ status: HTTPResponse.Status, message: String, code: Int, format: WireFormat) -> Response {
        Self.text(status, PageRenderer.errorEnvelope(message: message, code: code, format: format),
                  type: format == .json ? "application/json" : "application/xml")
    }

    static func text(_ status: HTTPResponse.Status, _ body: String, type: String) -> Response {
        Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Announces the whole body, sends half, then drops the connection.
    static func dropped(_ body: String, type: String) -> Response {
        let bytes = Array(body.utf8)
        return Response(status: .ok, headers: [.contentType: type, .contentLength: String(bytes.count)],
                        body: ResponseBody(contentLength: bytes.count) { writer in
                            try await writer.write(ByteBuffer(bytes: bytes.prefix(bytes.count / 2)))
                            throw SandboxError.droppedOnPurpose
                        })
    }

    /// Sends the head at once and the body after a delay: slower than a client's timeout.
    static func slow(_ body: String, type: String, delayMilliseconds: Int) -> Response {
        let bytes = Array(body.utf8)
        return Response(status: .ok, headers: [.contentType: type, .contentLength: String(bytes.count)],
                        body: ResponseBody(contentLength: bytes.count) { writer in
                            try await Task.sleep(nanoseconds: UInt64(delayMilliseconds) * 1_000_000)
                            try await writer.write(ByteBuffer(bytes: bytes))
                            try await writer.finish(nil)
                        })
    }

    static func parseForm(_ text: String) -> [String: String] {
        var form: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part) }
            form[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return form
    }
}

public enum SandboxError: Error {
    case couldNotStart
    case droppedOnPurpose
}

/// A sandbox that is listening; `stop()` ends it.
public struct RunningSandbox: Sendable {
    public let host: String
    public let port: Int
    let group: ServiceGroup
    let task: Task<Void, Error>

    /// `http://127.0.0.1:PORT`: both `--base-url` and `--auth-url`.
    public var url: String { "http://\(host):\(port)" }

    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}

/// Counters a test can read.
public struct SandboxStats: Sendable, Equatable {
    public var revenueRequests = 0
    public var tokenRequests = 0
    public var successfulPages = 0
    /// Responses cut off mid-body (`dropFirst`, `dropShare`).
    public var droppedResponses = 0
    /// Every request for one upload by `id`, in order: when, and the status it was answered.
    public var askedByID: [AskedByID] = []
}

/// One request for an upload by `id`.
public struct AskedByID: Sendable, Equatable {
    public var id: Int64
    public var at: Date
    /// nil: not listed.
    public var status: String?
}

/// Mutable state behind a lock: issued tokens, counters, the fault dice.
final class SandboxState: @unchecked Sendable {
    private let lock = NSLock()
    private var tokens: [String: (expires: Date, uses: Int)] = [:]
    private var counters = SandboxStats()
    private var random: SplitMix64
    private var issued = 0

    init(seed: UInt64) {
        random = SplitMix64(seed: seed ^ 0x5EED)
    }

    var stats: SandboxStats { lock.withLock { counters } }
    var successfulPages: Int { lock.withLock { counters.successfulPages } }

    func countRevenueRequest() -> Int {
        lock.withLock {
            counters.revenueRequests += 1
            return counters.revenueRequests
        }
    }

    func countTokenRequest() {
        lock.withLock { counters.tokenRequests += 1 }
    }

    func countDroppedResponse() {
        lock.withLock { counters.droppedResponses += 1 }
    }

    func noteAskedByID(_ asked: AskedByID) {
        lock.withLock { counters.askedByID.append(asked) }
    }

    func countSuccessfulPage() {
        lock.withLock { counters.successfulPages += 1 }
    }

    func roll() -> Double {
        lock.withLock { Double(random.next() % 1_000_000) / 1_000_000 }
    }

    func issueToken(lifetime: TimeInterval) -> String {
        lock.withLock {
            issued += 1
            let token = "sandbox-token-\(issued)-\(String(random.next(), radix: 36))"
            tokens[token] = (Date().addingTimeInterval(lifetime), 0)
            return token
        }
    }

    /// Accepts a token that exists, has not expired and has uses left; counts the use.
    func useToken(_ token: String, maxUses: Int?) -> Bool {
        lock.withLock {
            guard let entry = tokens[token], entry.expires > Date() else { return false }
            if let maxUses, entry.uses >= maxUses { return false }
            tokens[token]!.uses += 1
            return true
        }
    }
}
