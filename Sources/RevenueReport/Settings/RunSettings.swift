import Foundation
import Logging

/// Everything a run was asked to do, resolved from flags > environment > config file > defaults
/// and checked: the command line's only product.
public struct RunSettings: Sendable {
    public enum Source: Sendable {
        case replay(URL)
        case api(APISettings)
    }

    public struct APISettings: Sendable {
        public var region: Region
        public var endpoint: APIEndpoint
        public var pageSize: Int
        public var concurrency: Int
        public var maxAttempts: Int
        public var timeout: Double
        public var credentials: Credentials
        /// Where the credentials came from, for `--dry-run` (names, never values).
        public var credentialsOrigin: String
    }

    public enum LogFormat: String, Sendable { case text, json }

    public var source: Source
    public var report: ReportConfiguration
    /// `--range` as given (`last-month`), when the range came from it.
    public var rangeName: String?
    /// `--timezone`: the zone of `--range` and of the times the HTML shows.
    public var displayZone: SourceZone
    /// `--now`, or the clock when the run started.
    public var now: Date
    public var mail: MailSettings
    public var dryRun: Bool
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    public var quiet: Bool
    public var configPath: String?
    /// Each setting's value as used (secrets never among them) and where it came from.
    public var effective: [(key: OptionKey, value: String, origin: SettingOrigin)]

    /// What `--dry-run` prints and the manifest records: every setting, secrets left out.
    public var effectiveJSON: JSONValue {
        .object(effective.map { JSONMember($0.key.rawValue, .string($0.value)) })
    }
}

/// The headers and attachments of `STEM.eml`.
public struct MailSettings: Sendable, Equatable {
    public var from: String?
    public var to: [String] = []
    public var subject: String?
    public var attach: [OutputKind] = [.csv]
}

extension RunSettings {
    /// Resolves and checks every setting; `clock` is the time when `--now` is not given.
    public static func resolve(_ layers: SettingsLayers, clock: Date = Date()) throws -> RunSettings {
        var resolver = SettingResolver(layers: layers)
        return try resolver.resolve(clock: clock)
    }
}

/// Reads each setting from its layers and turns it into a typed value, or an exit-2 error that
/// names the setting, its value and where the value came from.
struct SettingResolver {
    let layers: SettingsLayers
    var effective: [(key: OptionKey, value: String, origin: SettingOrigin)] = []

    init(layers: SettingsLayers) {
        self.layers = layers
    }

    mutating func resolve(clock: Date) throws -> RunSettings {
        // Time zones and the clock come first: the range needs them.
        let sourceZone = try zone(.sourceTimezone) ?? .utc
        let displayZone = try zone(.timezone) ?? sourceZone
        let now = try nowValue() ?? clock

        // The range: --from/--to on the source zone's clock, or --range on --timezone's.
        let from = try date(.from)
        let to = try date(.to)
        let rangeName = text(.range)
        var filter = RecordFilter(from: from, to: to, id: try integer(.id, in: 1...Int64.max))
        if let rangeName {
            guard from == nil, to == nil else {
                throw ReportError.usage("\(origin(.range)) \(rangeName): give either --range or --from/--to, not both")
            }
            let days: (from: CivilDate, to: CivilDate)
            do {
                days = try RelativeRange.resolve(rangeName, now: now, zone: displayZone)
            } catch ReportError.usage(let message) {
                throw ReportError.usage(message.replacingOccurrences(of: "--range", with: origin(.range).description))
            }
            filter = RecordFilter(from: days.from, to: days.to, id: filter.id, zone: displayZone)
            note(.from, days.from.description, origin(.range))
            note(.to, days.to.description, origin(.range))
        }
        if let from = filter.from, let to = filter.to, to < from {
            throw ReportError.usage("--from \(from) is after --to \(to): the range is reversed")
        }

        let outputs = try list(.emit, default: ["csv", "ndjson", "html"]).map { name in
            guard let kind = OutputKind(rawValue: name.lowercased()) else {
                throw ReportError.usage("\(origin(.emit)) \(name): unknown output \"\(name)\" (choose from \(OutputKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return kind
        }
        let failOn = try list(.failOn, default: []).map { name in
            guard let rule = FailRule(rawValue: name.lowercased()) else {
                throw ReportError.usage("\(origin(.failOn)) \(name): unknown rule (choose from \(FailRule.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return rule
        }
        let mail = MailSettings(
            from: text(.mailFrom), to: try list(.mailTo, default: []), subject: text(.mailSubject),
            attach: try list(.mailAttach, default: ["csv"]).map { name in
                guard let kind = OutputKind(rawValue: name.lowercased()), kind == .csv || kind == .ndjson else {
                    throw ReportError.usage("\(origin(.mailAttach)) \(name): attach csv and/or ndjson")
                }
                return kind
            })

        var report = ReportConfiguration(
            filter: filter, sourceZone: sourceZone, outputs: Self.unique(outputs),
            outDirectory: URL(fileURLWithPath: text(.out) ?? "./reports"),
            stem: text(.name), csvRaw: try switchValue(.csvRaw), skipInvalid: try switchValue(.skipInvalid),
            templateFile: text(.template).map { URL(fileURLWithPath: $0) },
            archiveDirectory: text(.archiveRaw).map { URL(fileURLWithPath: $0) })
        report.failOn = Self.unique(failOn)
        report.displayZone = displayZone
        report.mail = mail
        report.rangeName = rangeName
        report.generatedAt = layers.lookup(.now) == nil ? nil : now
        note(.name, report.stem, layers.lookup(.name)?.origin ?? .defaultValue(.name))
        try report.validate()

        let logLevelName = text(.logLevel) ?? "info"
        guard let logLevel = Logger.Level(rawValue: logLevelName.lowercased()) else {
            throw ReportError.usage("\(origin(.logLevel)) \(logLevelName): choose trace, debug, info, notice, warning, error or critical")
        }
        let logFormatName = text(.logFormat) ?? "text"
        guard let logFormat = RunSettings.LogFormat(rawValue: logFormatName.lowercased()) else {
            throw ReportError.usage("\(origin(.logFormat)) \(logFormatName): choose text or json")
        }

        let source: RunSettings.Source
        if let replay = text(.replay) {
            source = .replay(URL(fileURLWithPath: replay))
        } else {
            source = .api(try apiSettings(sourceZone: sourceZone))
        }

        // Every setting appears in the record, defaults included.
        let defaults: [OptionKey: String] = [
            .region: "eu", .format: "json", .pageSize: "1000", .concurrency: "4", .maxAttempts: "5", .timeout: "60",
            .emit: "csv,ndjson,html", .out: "./reports", .sourceTimezone: "UTC", .timezone: displayZone.identifier,
            .now: Timestamp.rfc3339(now), .logLevel: "info", .logFormat: "text", .csvRaw: "false", .skipInvalid: "false",
            .dryRun: "false", .quiet: "false", .mailAttach: "csv",
        ]
        for (key, value) in defaults where !effective.contains(where: { $0.key == key }) {
            note(key, value, .defaultValue(key))
        }

        return RunSettings(
            source: source, report: report, rangeName: rangeName, displayZone: displayZone, now: now, mail: mail,
            dryRun: try switchValue(.dryRun), logLevel: logLevel, logFormat: logFormat, quiet: try switchValue(.quiet),
            configPath: layers.configPath, effective: effective.sorted { $0.key < $1.key })
    }

    private mutating func apiSettings(sourceZone: SourceZone) throws -> RunSettings.APISettings {
        let regionName = text(.region) ?? "eu"
        guard let region = Region(rawValue: regionName.lowercased()) else {
            throw ReportError.usage("\(origin(.region)) \(regionName): choose eu, us or au")
        }
        let formatName = text(.format) ?? "json"
        guard let format = WireFormat(rawValue: formatName.lowercased()) else {
            throw ReportError.usage("\(origin(.format)) \(formatName): choose json or xml")
        }
        let baseURL = text(.baseURL) ?? region.defaultBaseURL
        let authURL = text(.authURL) ?? region.defaultAuthURL
        let endpoint: APIEndpoint
        do {
            endpoint = try APIEndpoint(baseURL: baseURL, authURL: authURL, format: format)
        } catch ReportError.usage(let message) {
            // Name the layer the URL came from, not always the flag.
            let named = message.replacingOccurrences(of: "--base-url", with: origin(.baseURL).description)
                .replacingOccurrences(of: "--auth-url", with: origin(.authURL).description)
            throw ReportError.usage(named)
        }
        let pageSize = Int(try integer(.pageSize, in: 1...1000) ?? 1000)
        let concurrency = Int(try integer(.concurrency, in: 1...32) ?? 4)
        let maxAttempts = Int(try integer(.maxAttempts, in: 1...20) ?? 5)
        let timeout = try seconds(.timeout) ?? 60
        let (credentials, credentialsOrigin) = try self.credentials()
        return RunSettings.APISettings(region: region, endpoint: endpoint, pageSize: pageSize, concurrency: concurrency,
                                       maxAttempts: maxAttempts, timeout: timeout, credentials: credentials, credentialsOrigin: credentialsOrigin)
    }

    /// CG_CLIENT_ID (or `client-id`) with CG_CLIENT_SECRET or `client_secret_file`; or CG_API_KEY or `api_key_file`.
    private mutating func credentials() throws -> (Credentials, String) {
        let environment = layers.rawEnvironment
        func nonEmpty(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        func fileSecret(_ key: OptionKey) throws -> (String, String)? {
            guard let path = text(key) else { return nil }
            let content: String
            do {
                content = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw ReportError.usage("\(origin(key)) \(path): cannot read the secret file: \(error.localizedDescription)")
            }
            guard !content.isEmpty else { throw ReportError.usage("\(origin(key)) \(path): the secret file is empty") }
            return (content, "\(key.rawValue) \(path)")
        }
        let clientID = nonEmpty("CG_CLIENT_ID") ?? text(.clientID)
        let secret = try nonEmpty("CG_CLIENT_SECRET").map { ($0, "CG_CLIENT_SECRET") } ?? fileSecret(.clientSecretFile)
        if let clientID, let secret {
            return (.oauth(clientID: clientID, clientSecret: Secret(secret.0)), "OAuth2 client \(clientID), secret from \(secret.1)")
        }
        if let key = try nonEmpty("CG_API_KEY").map({ ($0, "CG_API_KEY") }) ?? fileSecret(.apiKeyFile) {
            return (.apiKey(Secret(key.0)), "API key from \(key.1)")
        }
        if clientID != nil {
            throw ReportError.usage("a client id is set but no secret: set CG_CLIENT_SECRET or client_secret_file")
        }
        if secret != nil {
            throw ReportError.usage("a client secret is set but no client id: set CG_CLIENT_ID")
        }
        throw ReportError.usage("no credentials: set CG_CLIENT_ID and CG_CLIENT_SECRET (OAuth2), or CG_API_KEY, in the environment (or client_secret_file / api_key_file in the config file); or use --replay DIR")
    }

    // MARK: typed readers

    private mutating func note(_ key: OptionKey, _ value: String, _ origin: SettingOrigin) {
        effective.removeAll { $0.key == key }
        effective.append((key, value, origin))
    }

    private func origin(_ key: OptionKey) -> SettingOrigin {
        layers.lookup(key)?.origin ?? .defaultValue(key)
    }

    private mutating func text(_ key: OptionKey) -> String? {
        guard let found = layers.lookup(key), let value = found.values.first else { return nil }
        note(key, value, found.origin)
        return value
    }

    private mutating func list(_ key: OptionKey, default fallback: [String]) throws -> [String] {
        guard let found = layers.lookup(key) else { return fallback }
        note(key, found.values.joined(separator: ","), found.origin)
        return found.values
    }

    private mutating func integer(_ key: OptionKey, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let value = text(key) else { return nil }
        guard let number = Int64(value.trimmingCharacters(in: .whitespaces)), range.contains(number) else {
            let bounds = range.upperBound == Int64.max ? "a whole number from \(range.lowerBound)" : "a whole number from \(range.lowerBound) to \(range.upperBound)"
            throw ReportError.usage("\(origin(key)) \(value): must be \(bounds)")
        }
        return number
    }

    private mutating func seconds(_ key: OptionKey) throws -> Double? {
        guard let value = text(key) else { return nil }
        guard let number = Double(value), number > 0, number <= 3600 else {
            throw ReportError.usage("\(origin(key)) \(value): must be a number of seconds above 0 (at most 3600)")
        }
        return number
    }

    private mutating func switchValue(_ key: OptionKey) throws -> Bool {
        guard let value = text(key) else { return false }
        switch value.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ReportError.usage("\(origin(key)) \(value): must be true or false")
        }
    }

    private mutating func date(_ key: OptionKey) throws -> CivilDate? {
        guard let value = text(key) else { return nil }
        guard let date = CivilDate(value) else {
            throw ReportError.usage("\(origin(key)) \(value): expected a date as YYYY-MM-DD")
        }
        return date
    }

    private mutating func zone(_ key: OptionKey) throws -> SourceZone? {
        guard let value = text(key) else { return nil }
        guard let zone = SourceZone(identifier: value) else {
            throw ReportError.usage("\(origin(key)) \(value): unknown time zone (use an IANA name such as UTC or Europe/Amsterdam)")
        }
        return zone
    }

    private mutating func nowValue() throws -> Date? {
        guard let value = text(.now) else { return nil }
        guard value.utf8.count > 19, let time = UploadTime.parse(value, zone: .utc) else {
            throw ReportError.usage("\(origin(.now)) \(value): expected an RFC 3339 time with its offset, such as 2026-03-15T10:00:00Z")
        }
        return Date(timeIntervalSince1970: TimeInterval(time.instant))
    }

    static func unique<T: Equatable>(_ items: [T]) -> [T] {
        var seen: [T] = []
        for item in items where !seen.contains(item) { seen.append(item) }
        return seen
    }
}
