import RevenueReport

/// How the sandbox behaves: its data, its credentials, and the faults it can be told to show.
public struct SandboxOptions: Sendable {
    // Data: the same generator as examples/.
    public var uploads = 2300
    public var seed: UInt64 = 2026
    public var from = CivilDate("2025-12-01")!
    public var to = CivilDate("2026-07-15")!

    // Credentials it accepts.
    public var clientID = "sandbox-client"
    public var clientSecret = "sandbox-secret"
    public var apiKey = "sandbox-api-key"
    /// Seconds a token lives.
    public var tokenLifetime = 3600
    /// Each token is accepted for this many revenue requests, then answered 401 (a token that
    /// expires mid-run, seen from the client's side); nil: no such limit.
    public var tokenUses: Int?

    // Shapes (every list shape the README lists).
    public var jsonShape: PageRenderer.JSONShape = .array
    public var xmlShape: PageRenderer.XMLShape = .records
    public var numbersAsNumbers = false
    /// HTTP status of the 400184 "no data" answer: the API has been seen to use 400; 200 also happens.
    public var noDataStatus = 400
    /// Treat `date_range_to` as inclusive of its day (otherwise exclusive, the stricter reading).
    public var dateRangeToInclusive = false

    // Faults.
    /// Milliseconds before each revenue response.
    public var latencyMilliseconds = 0
    /// Milliseconds before each revenue response's body arrives, after its head: a slow server.
    public var bodyDelayMilliseconds = 0
    /// Share (0...1) of revenue requests answered 429 with `Retry-After`.
    public var rateLimitShare = 0.0
    /// The first N revenue requests are answered 429 (deterministic, for tests).
    public var rateLimitFirst = 0
    public var retryAfterSeconds = 1
    /// The first N revenue requests are answered with `failStatus` (a burst of 5xx).
    public var failFirst = 0
    public var failStatus = 503
    /// Every revenue request after the first N succeeded is answered with `failStatus` (N = this).
    public var failAfter: Int?
    /// The first N revenue responses are cut off mid-body (a dropped connection).
    public var dropFirst = 0
    /// Share (0...1) of revenue responses cut off mid-body.
    public var dropShare = 0.0
    /// Serve at most this many records a page, whatever `limit` asks (a server that caps it):
    /// a client that takes a short page for the last one loses the rest. Nil: `limit` is honoured.
    public var maxLimit: Int?
    /// Answer every page as if `start` were 0: a server that ignores pagination.
    public var ignoreStart = false
    /// The token endpoint answers 503 to everything.
    public var tokenEndpointDown = false
    /// Answer every authorised revenue request with exactly this body and status 200 (an HTML
    /// error page from a proxy, an empty or truncated body, a huge text node, …).
    public var bodyOverride: [UInt8]?
    /// The Content-Type sent with every revenue response, true or not.
    public var contentTypeOverride: String?

    // The upload endpoint.
    /// Milliseconds a file taken stays `Processing` before it is processed (or the next night).
    public var processingMilliseconds = 2000
    /// The first N upload POSTs are answered 503 before the file is read: not taken.
    public var uploadUnavailableFirst = 0
    /// Whether those 503s carry `Retry-After` (`retryAfterSeconds`).
    public var uploadRetryAfter = true
    /// The next N upload POSTs are taken, then the connection is dropped before the answer is whole.
    public var uploadDropFirst = 0
    /// The next N upload POSTs are taken and answered after `uploadAnswerDelayMilliseconds`
    /// (longer than the client's timeout: it cannot know the file was taken).
    public var uploadSlowFirst = 0
    public var uploadAnswerDelayMilliseconds = 5000
    /// Every upload POST is answered `{"Data": false}` and not taken.
    public var uploadRefuse = false
    /// Every file taken ends `Failed` with no log entry: CustomerGauge giving no reason.
    public var uploadFailWithoutReason = false

    public init() {}
}
