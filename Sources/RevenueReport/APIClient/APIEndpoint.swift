import Foundation

/// CustomerGauge API regions: each has its own API and auth hosts.
public enum Region: String, Sendable, CaseIterable {
    case eu, us, au

    public var defaultBaseURL: String { "https://api.\(rawValue).customergauge.com" }
    public var defaultAuthURL: String { "https://auth.\(rawValue).customergauge.com" }
}

/// Where the live API is: the revenue endpoint and the token endpoint, checked.
public struct APIEndpoint: Sendable, Equatable {
    public var baseURL: URL
    public var authURL: URL
    public var format: WireFormat

    /// Both URLs must be https, unless the host is loopback (a local sandbox).
    public init(baseURL: String, authURL: String, format: WireFormat) throws {
        self.baseURL = try Self.checked(baseURL, option: "--base-url")
        self.authURL = try Self.checked(authURL, option: "--auth-url")
        self.format = format
    }

    /// From URLs already checked (`checked(_:option:)`).
    init(checkedBaseURL baseURL: URL, authURL: URL, format: WireFormat) {
        self.baseURL = baseURL
        self.authURL = authURL
        self.format = format
    }

    /// `{base}/v4.1/file/company-revenue.{json|xml}`
    public var revenueURL: URL {
        baseURL.appendingPathComponent("v4.1/file/company-revenue.\(format.rawValue)")
    }

    /// `{base}/v4.1/company/revenue_file_automate.{json|xml}`: where a revenue file is sent.
    public var uploadURL: URL {
        baseURL.appendingPathComponent("v4.1/company/revenue_file_automate.\(format.rawValue)")
    }

    /// The listing asked for one upload: `{revenueURL}?id=N`.
    public func uploadByIDURL(_ id: Int64) -> URL {
        var components = URLComponents(url: revenueURL, resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "id", value: String(id))]
        return components.url!
    }

    /// `{auth}/oauth2/token`
    public var tokenURL: URL {
        authURL.appendingPathComponent("oauth2/token")
    }

    static func checked(_ text: String, option: String) throws -> URL {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty, let url = components.url
        else {
            throw ReportError.usage("\(option) \(text): not a URL (expected https://host[:port][/path])")
        }
        guard components.user == nil, components.password == nil, components.query == nil else {
            throw ReportError.usage("\(option): the URL must not carry credentials or a query")
        }
        switch scheme {
        case "https":
            return url
        case "http" where isLoopback(host):
            return url
        case "http":
            throw ReportError.usage("\(option) \(text): plain http is only allowed to a loopback host (127.0.0.0/8, ::1, localhost); use https")
        default:
            throw ReportError.usage("\(option) \(text): unsupported scheme \(scheme); use https")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
