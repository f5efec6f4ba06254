/// Every setting of the command line (the README's "Usage"), by its long option name (declared in `SettingCatalog`): the same name is the
/// config file key and, upper-cased with a `CG_` prefix, the environment variable.
public enum OptionKey: String, CaseIterable, Sendable, Comparable {
    case from, to, range, id
    case region
    case baseURL = "base-url"
    case authURL = "auth-url"
    case format
    case apiFormat = "api-format"
    case pageSize = "page-size"
    case concurrency
    case emit, out, name, replay
    case archiveRaw = "archive-raw"
    case compare
    case failOn = "fail-on"
    case sourceTimezone = "source-timezone"
    case timezone, now
    case maxAttempts = "max-attempts"
    case timeout
    case template
    case mailFrom = "mail-from"
    case mailTo = "mail-to"
    case mailSubject = "mail-subject"
    case mailAttach = "mail-attach"
    case csvRaw = "csv-raw"
    case skipInvalid = "skip-invalid"
    case dryRun = "dry-run"
    case logLevel = "log-level"
    case logFormat = "log-format"
    case quiet
    case metricsFile = "metrics-file"
    case pingURL = "ping-url"
    case history
    case alertOnce = "alert-once"
    case wait
    case waitTimeout = "wait-timeout"
    case split
    case skipInvalidRows = "skip-invalid-rows"
    case rejectedOut = "rejected-out"
    /// Not secret; the secret itself only from CG_CLIENT_SECRET or `client_secret_file`.
    case clientID = "client-id"
    case clientSecretFile = "client_secret_file"
    case apiKeyFile = "api_key_file"
    case historyPasswordFile = "history-password-file"

    /// `CG_PAGE_SIZE` for `page-size`, `CG_CLIENT_SECRET_FILE` for `client_secret_file`.
    public var environmentName: String {
        "CG_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// The name in camelCase (`pageSize`, `baseUrl`): the command line's property for it.
    public var propertyName: String {
        let words = rawValue.split(whereSeparator: { $0 == "-" || $0 == "_" })
        return words.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }.joined()
    }

    /// Its declaration: kind, default, help, whether it is a secret.
    public var spec: SettingSpec { SettingCatalog[self] }

    public static func < (a: OptionKey, b: OptionKey) -> Bool { a.rawValue < b.rawValue }
}

import Foundation
