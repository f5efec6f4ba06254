/// A value that must never be printed: its description is a mask.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "********" }
    public var debugDescription: String { "********" }
}

/// How requests authenticate; `RunSettings` reads them from the environment or secret files,
/// never from the command line.
public enum Credentials: Sendable, Equatable {
    /// OAuth2 client credentials: a bearer token from `{auth}/oauth2/token`.
    case oauth(clientID: String, clientSecret: Secret)
    /// The older API key: `Authorization: api_key KEY`.
    case apiKey(Secret)

    /// Every secret value, so that anything written can be checked against them.
    public var secretValues: [String] {
        switch self {
        case .oauth(_, let secret): return [secret.value]
        case .apiKey(let key): return [key.value]
        }
    }
}
