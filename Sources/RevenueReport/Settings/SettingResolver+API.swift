import Foundation

/// The API: the endpoint, wire format, paging, retries, and the credentials (from the environment or files only).
extension SettingResolver {
    mutating func apiSettings() -> RunSettings.APISettings {
        let region = Region(rawValue: text(.region)!) ?? .eu
        let format = WireFormat(rawValue: text(.format)!) ?? .json
        var baseURL: URL
        var authURL: URL
        do {
            baseURL = try APIEndpoint.checked(text(.baseURL) ?? region.defaultBaseURL, option: origin(.baseURL).description)
        } catch {
            problems.append("\(error)")
            baseURL = URL(string: region.defaultBaseURL)!
        }
        do {
            authURL = try APIEndpoint.checked(text(.authURL) ?? region.defaultAuthURL, option: origin(.authURL).description)
        } catch {
            problems.append("\(error)")
            authURL = URL(string: region.defaultAuthURL)!
        }
        return RunSettings.APISettings(
            region: region, endpoint: APIEndpoint(checkedBaseURL: baseURL, authURL: authURL, format: format),
            pageSize: Int(integer(.pageSize)), concurrency: Int(integer(.concurrency)), maxAttempts: Int(integer(.maxAttempts)),
            timeout: value(.timeout)?.number ?? 60, credentials: nil, credentialsOrigin: "none")
    }

    /// CG_CLIENT_ID (or `client-id`) with CG_CLIENT_SECRET or `client_secret_file`; or CG_API_KEY or `api_key_file`.
    mutating func credentials() -> (Credentials?, String) {
        let environment = layers.rawEnvironment
        func nonEmpty(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        func fileSecret(_ key: OptionKey) -> (String, String)? {
            guard let path = text(key) else { return nil }
            guard let content = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) else {
                problems.append("\(origin(key)) \(path): cannot read the secret file (\(FileProblem.describe(path: path)))")
                return nil
            }
            guard !content.isEmpty else {
                problems.append("\(origin(key)) \(path): the secret file is empty")
                return nil
            }
            return (content, "\(key.rawValue) \(path)")
        }
        let clientID = nonEmpty("CG_CLIENT_ID") ?? text(.clientID)
        let secret = nonEmpty("CG_CLIENT_SECRET").map { ($0, "CG_CLIENT_SECRET") } ?? fileSecret(.clientSecretFile)
        if let clientID, let secret {
            return (.oauth(clientID: clientID, clientSecret: Secret(secret.0)), "OAuth2 client \(clientID), secret from \(secret.1)")
        }
        if let key = nonEmpty("CG_API_KEY").map({ ($0, "CG_API_KEY") }) ?? fileSecret(.apiKeyFile) {
            return (.apiKey(Secret(key.0)), "API key from \(key.1)")
        }
        if clientID != nil {
            problems.append("a client id is set but no secret: set CG_CLIENT_SECRET or client_secret_file")
        } else if secret != nil {
            problems.append("a client secret is set but no client id: set CG_CLIENT_ID")
        } else {
            problems.append("no credentials: set CG_CLIENT_ID and CG_CLIENT_SECRET (OAuth2), or CG_API_KEY, in the environment (or client_secret_file / api_key_file in the config file)\(command == .report ? "; or use --replay DIR" : "")")
        }
        return (nil, "none")
    }
}
