import Foundation
import Logging

/// Gives each request its Authorization header: the API key as it is, or an OAuth2 bearer
/// token fetched with the client credentials, kept for its lifetime and fetched again when the
/// API says 401. Concurrent requests share one token fetch.
public actor Authorizer {
    private let credentials: Credentials
    private let tokenURL: URL
    private let transport: HTTPTransport
    private let retry: RetryPolicy
    private let logger: Logger
    private var token: (value: String, refreshAt: Date)?
    private var pending: Task<(value: String, refreshAt: Date), Error>?

    public init(credentials: Credentials, tokenURL: URL, transport: HTTPTransport, retry: RetryPolicy, logger: Logger) {
        self.credentials = credentials
        self.tokenURL = tokenURL
        self.transport = transport
        self.retry = retry
        self.logger = logger
    }

    public nonisolated var canRefresh: Bool {
        if case .oauth = credentials { return true }
        return false
    }

    public func authorizationHeader() async throws -> String {
        switch credentials {
        case .apiKey(let key):
            return "api_key \(key.value)"
        case .oauth(let clientID, let secret):
            if let token, token.refreshAt > Date() {
                return "Bearer \(token.value)"
            }
            if pending == nil {
                let request = TokenRequest(clientID: clientID, secret: secret, url: tokenURL, transport: transport, retry: retry, logger: logger)
                pending = Task { try await request.fetch() }
            }
            defer { pending = nil }
            let fresh = try await pending!.value
            token = fresh
            return "Bearer \(fresh.value)"
        }
    }

    /// The API refused `header`. Returns true when that was the current token, now forgotten so
    /// the next call fetches a new one; false when another request already replaced it, and a
    /// retry with the current token costs no refresh.
    public func rejected(_ header: String) -> Bool {
        guard let token else { return pending == nil }
        guard header == "Bearer \(token.value)" else { return false }
        self.token = nil
        return true
    }
}

/// One client-credentials exchange with `{auth}/oauth2/token`, retried like any request.
struct TokenRequest: Sendable {
    var clientID: String
    var secret: Secret
    var url: URL
    var transport: HTTPTransport
    var retry: RetryPolicy
    var logger: Logger

    /// The token and when to stop using it: a little before it expires (30 s, or a tenth of a
    /// short lifetime), so that no request is sent with a token about to lapse.
    func fetch() async throws -> (value: String, refreshAt: Date) {
        let body = "grant_type=client_credentials&client_id=\(formEncoded(clientID))&client_secret=\(formEncoded(secret.value))"
        return try await retry.run(url: url.absoluteString, failurePrefix: "token request failed: ", logger: logger, tally: transport.tally) { attempt in
            let exchange = try await transport.send(method: .POST, url: url.absoluteString,
                                                    headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                                                    body: Data(body.utf8))
            exchange.log(to: logger, attempt: attempt)
            if exchange.status == 200 {
                return .done(try parse(exchange.body))
            }
            guard RetryPolicy.isRetryable(status: exchange.status) else {
                throw ReportError.authentication("\(url.absoluteString): the token request was refused (HTTP \(exchange.status)): \(ServerMessage.describe(exchange.body, secrets: [secret.value]))")
            }
            return .retry(reason: "HTTP \(exchange.status)", retryAfter: RetryPolicy.parseRetryAfter(exchange.responseHeader("Retry-After")))
        }
    }

    private func parse(_ body: Data) throws -> (value: String, refreshAt: Date) {
        guard let value = try? JSONParser.parse(body), case .string(let accessToken)? = value["access_token"], !accessToken.isEmpty else {
            throw ReportError.authentication("\(url.absoluteString): the token response holds no access_token")
        }
        var lifetime: TimeInterval = 3600
        switch value["expires_in"] {
        case .number(let text)?, .string(let text)?: lifetime = TimeInterval(text) ?? lifetime
        default: break
        }
        return (accessToken, Date().addingTimeInterval(lifetime - min(30, lifetime / 10)))
    }

    /// application/x-www-form-urlencoded: everything but unreserved characters percent-encoded.
    private func formEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// The server's own words from an error body: the CustomerGauge envelope, an OAuth2 error, or
/// the start of whatever else came; any secret it echoes is masked.
enum ServerMessage {
    static func describe(_ body: Data, secrets: [String]) -> String {
        var text: String
        if let value = try? JSONParser.parse(body) {
            let envelope = value["Error"] ?? value["error"]
            if let envelope, case .object = envelope {
                let message = scalar(envelope["Message"] ?? envelope["message"]) ?? "no message"
                let code = scalar(envelope["Code"] ?? envelope["code"]) ?? "none"
                text = "\(message) (code \(code))"
            } else if let error = scalar(value["error"]) {
                text = error + (scalar(value["error_description"]).map { ": \($0)" } ?? "")
            } else {
                text = String(decoding: body.prefix(200), as: UTF8.self)
            }
        } else if let document = try? XMLParser.parse(body), document.rootName.lowercased() == "error" {
            text = "\(scalar(document.root["Message"]) ?? "no message") (code \(scalar(document.root["Code"]) ?? "none"))"
        } else {
            text = String(decoding: body.prefix(200), as: UTF8.self)
        }
        text = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        for secret in secrets where !secret.isEmpty {
            text = text.replacingOccurrences(of: secret, with: "********")
        }
        return text.isEmpty ? "(empty body)" : text
    }

    private static func scalar(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s)?: return s
        case .number(let n)?: return n
        default: return nil
        }
    }
}
