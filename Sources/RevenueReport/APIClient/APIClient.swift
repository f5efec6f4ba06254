import Foundation
import Logging
import NIOHTTP1

/// How a request may be sent again when no answer settled it.
public enum RetrySafety: Sendable {
    /// Asking again changes nothing (a GET): 429, 5xx, timeouts and dropped connections are retried.
    case idempotent
    /// The server may act on it (the upload POST): sent again by the generic policy only when the
    /// server cannot have taken it (a 429 or 503, a connection never made). Anything else (a
    /// timeout, a dropped connection, another 5xx) ends in `UnsettledRequest`, for the caller
    /// to settle (say, by looking for what it sent) before it sends anything again.
    case notIdempotent
}

/// A request that may or may not have been taken by the server: the caller's to settle.
public struct UnsettledRequest: Error, Sendable, CustomStringConvertible {
    public var url: String
    public var reason: String
    public var attempts: Int
    public var description: String { "\(url): no answer that settles it (\(reason)) after \(attempts) attempt(s); the server may have taken it" }
}

/// What an answer that is not a success makes of the request: a value after all (the listing's
/// "no data", 400184, may come with HTTP 400), or a failure with the error envelope's code.
public enum FailedAnswer<Value> {
    case accept(Value)
    case fail(code: String)
}

/// The one client of the CustomerGauge API: its endpoints (`APIEndpoint`: the listing, one upload
/// by id, the upload POST), the credentials and the token's refresh (`Authorizer`), the transport
/// (`HTTPTransport`), the retries (`RetryPolicy`), the request tally of the metrics, and the rule
/// that no secret reaches a message (`ServerMessage`). The report's listing (`APISource`) sends
/// through it; so does the upload job.
public struct APIClient: Sendable {
    public let endpoint: APIEndpoint
    public let transport: HTTPTransport
    public let authorizer: Authorizer
    public let retry: RetryPolicy
    public let logger: Logger
    /// Every secret of the credentials: masked in whatever the server echoes back.
    let secrets: [String]

    public init(endpoint: APIEndpoint, credentials: Credentials, transport: HTTPTransport, retry: RetryPolicy, logger: Logger) {
        self.endpoint = endpoint
        self.transport = transport
        self.retry = retry
        self.logger = logger
        secrets = credentials.secretValues
        authorizer = Authorizer(credentials: credentials, tokenURL: endpoint.tokenURL, transport: transport, retry: retry, logger: logger)
    }

    /// Requests and retries, by status code, for the metrics.
    public var tally: RequestTally { transport.tally }

    /// `Accept` for the endpoint's wire format.
    var accept: String { endpoint.format == .json ? "application/json" : "application/xml" }

    /// Sends `method url` with the credentials, tries again as the policy and `safety` allow, and
    /// fetches a new token once when the API refuses one. A 2xx answer goes to `success` (with
    /// the attempt's number); any other that is not retried to `failure`, whose `.fail` becomes
    /// an error carrying the server's message (secrets masked) and code.
    public func send<Value>(_ method: HTTPMethod, url: String, headers: [(String, String)] = [], body: Data? = nil,
                            safety: RetrySafety = .idempotent,
                            success: (HTTPExchange, Int) throws -> Value,
                            failure: (HTTPExchange, Int) throws -> FailedAnswer<Value> = { _, _ in .fail(code: "none") }) async throws -> Value {
        var refreshedToken = false
        return try await retry.run(url: url, logger: logger, tally: transport.tally) { attempt -> AttemptOutcome<Value> in
            let authorization = try await authorizer.authorizationHeader()
            let exchange: HTTPExchange
            do {
                exchange = try await transport.send(method: method, url: url, headers: [("Authorization", authorization), ("Accept", accept)] + headers, body: body)
            } catch TransportFailure.transient(let reason) where safety == .notIdempotent {
                throw UnsettledRequest(url: url, reason: reason, attempts: attempt)
            }
            // An answer the caller accepts although it is not a 2xx (the listing's "past the end",
            // 400184, on every normal run) is logged at debug: it is not news.
            let answered = exchange.status < 300 || exchange.status == 401 || Self.mayRetry(status: exchange.status, safety: safety)
                || (safety == .notIdempotent && RetryPolicy.isRetryable(status: exchange.status))
            if answered { exchange.log(to: logger, attempt: attempt) }
            switch exchange.status {
            case 200 ..< 300:
                return .done(try success(exchange, attempt))
            case 401 where !refreshedToken && authorizer.canRefresh:
                // An expired or revoked token: fetch a new one, once per request (a token
                // another request already replaced does not count). A 401 means it was not taken.
                if await authorizer.rejected(authorization) {
                    refreshedToken = true
                    logger.info("\(url): HTTP 401, fetching a new token")
                }
                return .again
            case 401:
                throw ReportError.authentication("\(url): the API refused the credentials (HTTP 401): \(ServerMessage.describe(exchange.body, secrets: secrets))")
            case let status where Self.mayRetry(status: status, safety: safety):
                return .retry(reason: "HTTP \(status)", retryAfter: RetryPolicy.parseRetryAfter(exchange.responseHeader("Retry-After")))
            case let status where safety == .notIdempotent && RetryPolicy.isRetryable(status: status):
                throw UnsettledRequest(url: url, reason: "HTTP \(status)", attempts: attempt)
            default:
                let decided = try failure(exchange, attempt)
                if case .accept = decided {
                    exchange.log(to: logger, attempt: attempt, level: .debug)
                } else {
                    exchange.log(to: logger, attempt: attempt)
                }
                switch decided {
                case .accept(let value):
                    return .done(value)
                case .fail(let code):
                    throw ReportError.apiError(page: url, message: "HTTP \(exchange.status): \(ServerMessage.describe(exchange.body, secrets: secrets))",
                                               code: code)
                }
            }
        }
    }

    /// A status worth another try for a request of this safety: any of the policy's for one
    /// that may be repeated; only "not taken" (429, 503) for one that may not.
    static func mayRetry(status: Int, safety: RetrySafety) -> Bool {
        switch safety {
        case .idempotent: return RetryPolicy.isRetryable(status: status)
        case .notIdempotent: return status == 429 || status == 503
        }
    }
}
