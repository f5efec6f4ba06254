import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOHTTP1

/// One HTTP exchange, fully read.
public struct HTTPExchange: Sendable {
    public var method: String
    /// The URL as requested; it never carries a secret (credentials travel in headers and bodies).
    public var url: String
    public var status: Int
    public var requestHeaders: [(String, String)]
    public var responseHeaders: [(String, String)]
    public var body: Data
    public var startedAt: Date
    public var duration: TimeInterval

    public func responseHeader(_ name: String) -> String? {
        responseHeaders.first(where: { $0.0.lowercased() == name.lowercased() })?.1
    }

    /// The line every request leaves in the log: method, URL (never a secret), status, duration, attempt.
    func log(to logger: Logger, attempt: Int, level: Logger.Level = .info) {
        logger.log(level: level, "\(method) \(url) -> \(status)", metadata: [
            "method": .string(method), "url": .string(url), "status": .stringConvertible(status),
            "duration_ms": .stringConvertible(Int(duration * 1000)), "attempt": .stringConvertible(attempt),
        ])
    }
}

/// Why an exchange did not complete: transient failures are worth another try, the rest are not.
public enum TransportFailure: Error, Sendable, CustomStringConvertible {
    /// The request may have reached the server (a timeout, a dropped connection).
    case transient(String)
    /// No connection was made (refused, no route, the name not found): the server has not seen
    /// the request, so even one that is not idempotent may be sent again.
    case notSent(String)
    case bodyTooLarge(url: String, limit: Int)

    public var description: String {
        switch self {
        case .transient(let reason), .notSent(let reason): return reason
        case .bodyTooLarge(let url, let limit): return "\(url): the response is larger than the page size cap of \(limit) bytes"
        }
    }
}

/// The one shared HTTP client of a run (async-http-client): timeouts, a size cap per response,
/// no redirects (an Authorization header must never follow one to another host), a User-Agent.
public final class HTTPTransport: Sendable {
    public struct Settings: Sendable {
        public var connectTimeout: TimeInterval = 10
        /// Longest wait for a whole response once the request is sent.
        public var requestTimeout: TimeInterval = 60
        public var maxResponseBytes = 64 * 1024 * 1024
        public init() {}
    }

    private let client: HTTPClient
    private let settings: Settings
    /// Every request sent through this transport, by status code, and the retries.
    public let tally = RequestTally()
    public static let userAgent = "cg-revenue/\(ToolVersion.current)"

    public init(settings: Settings = Settings()) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(settings.connectTimeout * 1000)), read: .milliseconds(Int64(settings.requestTimeout * 1000)))
        )
        configuration.decompression = .disabled
        // A refused connection or a failed name lookup ends the try at once: the pool would
        // otherwise try again until the connect timeout (20 s per request for a dead monitor).
        // Trying again is the caller's business (RetryPolicy), with backoff and a bound.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.settings = settings
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    public func send(method: HTTPMethod, url: String, headers: [(String, String)], body: Data? = nil) async throws -> HTTPExchange {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let startedAt = Date()
        do {
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: .milliseconds(Int64(settings.requestTimeout * 1000)))
                tally.count(status: Int(response.status.code))
            } catch {
                tally.count(status: nil)
                throw error
            }
            let buffer: ByteBuffer
            do {
                buffer = try await response.body.collect(upTo: settings.maxResponseBytes)
            } catch is NIOTooManyBytesError {
                throw TransportFailure.bodyTooLarge(url: url, limit: settings.maxResponseBytes)
            }
            return HTTPExchange(
                method: method.rawValue, url: url, status: Int(response.status.code),
                requestHeaders: request.headers.map { ($0.name, $0.value) },
                responseHeaders: response.headers.map { ($0.name, $0.value) },
                body: Data(buffer.readableBytesView), startedAt: startedAt, duration: Date().timeIntervalSince(startedAt)
            )
        } catch let failure as TransportFailure {
            throw failure
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // Timeouts, refused or dropped connections, resolution failures: all worth a retry
            // for a request that may be repeated; only those before any connection for one that may not.
            throw Self.neverConnected(error) ? TransportFailure.notSent(Self.describe(error)) : TransportFailure.transient(Self.describe(error))
        }
    }

    /// Did the request fail before a connection was made (so the server never saw it)?
    static func neverConnected(_ error: any Error) -> Bool {
        if let io = error as? IOError { return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(io.errnoCode) }
        if let connection = error as? NIOConnectionError {
            return connection.dnsAError != nil || connection.dnsAAAAError != nil
                || (!connection.connectionErrors.isEmpty && connection.connectionErrors.allSatisfy { neverConnected($0.error) })
        }
        if error is SocketAddressError { return true }
        if let clientError = error as? HTTPClientError { return clientError == .connectTimeout }
        return false
    }

    static func describe(_ error: any Error) -> String {
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .readTimeout, .deadlineExceeded: return "timed out waiting for the response"
            case .connectTimeout: return "timed out connecting"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return "\(clientError)"
            }
        }
        return "\(error)"
    }
}
