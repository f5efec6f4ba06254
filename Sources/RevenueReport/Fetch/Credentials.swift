/// A value that must never be printed: its description is a mask.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "********" }
    public var debugDescription: String { "********" }
}

/// How requests authenticate, from the environment only (never the command line).
public enum Credentials: Sendable, Equatable {
    /// OAuth2 client credentials: a bearer token from `{auth}/oauth2/token`.
    case oauth(clientID: String, clientSecret: Secret)
    /// The older API key: `Authorization: api_key KEY`.
    case apiKey(Secret)

    /// `CG_CLIENT_ID` + `CG_CLIENT_SECRET`, or `CG_API_KEY`; none is a usage error naming them.
    public static func from(environment: [String: String]) throws -> Credentials {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
            return text
        }
        switch (value("CG_CLIENT_ID"), value("CG_CLIENT_SECRET"), value("CG_API_KEY")) {
        case let (id?, secret?, _):
            return .oauth(clientID: id, clientSecret: Secret(secret))
        case (nil, nil, let key?):
            return .apiKey(Secret(key))
        case (_?, nil, _):
            throw ReportError.usage("CG_CLIENT_ID is set but CG_CLIENT_SECRET is not: set both (OAuth2), or CG_API_KEY")
        case (nil, _?, _):
            throw ReportError.usage("CG_CLIENT_SECRET is set but CG_CLIENT_ID is not: set both (OAuth2), or CG_API_KEY")
        case (nil, nil, nil):
            throw ReportError.usage("no credentials: set CG_CLIENT_ID and CG_CLIENT_SECRET (OAuth2), or CG_API_KEY, in the environment; or use --replay DIR")
        }
    }

    /// Every secret value, so that anything written can be checked against them.
    public var secretValues: [String] {
        switch self {
        case .oauth(_, let secret): return [secret.value]
        case .apiKey(let key): return [key.value]
        }
    }

    public var kindDescription: String {
        switch self {
        case .oauth(let id, _): return "OAuth2 client \(id)"
        case .apiKey: return "API key"
        }
    }
}

import Foundation
