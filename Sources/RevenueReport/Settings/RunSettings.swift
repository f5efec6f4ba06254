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
        /// Nil only in a dry run that found none (one of its problems).
        public var credentials: Credentials?
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
    /// `--metrics-file`: where the run's metrics go, checked writable.
    public var metricsFile: URL?
    /// `--ping-url`: the monitor's check (a secret: never shown).
    public var pingURL: URL?
    /// `--history`: where runs and uploads are remembered.
    public var history: HistoryLocation?
    /// `--alert-once` (only with a history).
    public var alertOnce: Bool
    /// `--range since-last-run` with nothing left to cover: why the run has nothing to do.
    public var nothingToCover: String?
    public var configPath: String?
    /// Each setting's value as used, typed (secrets masked), and where it came from; sorted by name.
    public var effective: [EffectiveSetting]
    /// What a dry run found wrong (a real run stops at the first, exit 2).
    public var problems: [String]

    /// What the manifest records and `--dry-run` shows: every setting, by its long name, typed.
    public var effectiveJSON: JSONValue {
        .object(effective.map { JSONMember($0.key.rawValue, $0.value.json) })
    }
}

/// One setting as the run uses it.
public struct EffectiveSetting: Sendable {
    public var key: OptionKey
    public var value: SettingValue
    public var origin: SettingOrigin
}

/// The headers and attachments of `STEM.eml`.
public struct MailSettings: Sendable, Equatable {
    public static let defaultFrom = "cg-revenue <cg-revenue@localhost>"
    static let defaultFromAddress = MailAddress(displayName: "cg-revenue", address: "cg-revenue@localhost")
    public static let defaultSubject = "Revenue uploads {{range}}: {{uploads}} uploads, {{attention}} need attention"

    public var from: MailAddress?
    public var to: [MailAddress] = []
    public var subject: String?
    public var attach: [OutputKind] = [.csv]

    public init(from: MailAddress? = nil, to: [MailAddress] = [], subject: String? = nil, attach: [OutputKind] = [.csv]) {
        self.from = from
        self.to = to
        self.subject = subject
        self.attach = attach
    }
}

extension RunSettings {
    /// Resolves and checks every setting, in every mode; `clock` is the time when `--now` is not
    /// given. A real run throws the first problem (exit 2); a dry run returns them all.
    public static func resolve(_ layers: SettingsLayers, clock: Date = Date()) throws -> RunSettings {
        var resolver = SettingResolver(layers: layers)
        let settings = try resolver.resolve(clock: clock)
        if !settings.dryRun, let first = settings.problems.first {
            throw ReportError.usage(first)
        }
        return settings
    }
}

/// Reads every declared setting from its layers and checks it against its declaration
/// (`SettingCatalog`), then works out what depends on several (the range, the endpoint, the
/// credentials). Each problem names the setting, its value and where the value came from.
struct SettingResolver {
    let layers: SettingsLayers
    /// The settings a layer gave, read and checked.
    private var given: [OptionKey: (value: SettingValue, origin: SettingOrigin)] = [:]
    /// Values worked out here (the range's days, the stem, the zone, the clock).
    private var derived: [OptionKey: (value: SettingValue, origin: SettingOrigin)] = [:]
    private var problems: [String] = []
    /// `--range since-last-run` found every day up to yesterday covered.
    private var nothingToCover: String?

    init(layers: SettingsLayers) {
        self.layers = layers
    }

    mutating func resolve(clock: Date) throws -> RunSettings {
        for spec in SettingCatalog.all {
            guard let found = layers.lookup(spec.key) else { continue }
            switch spec.parse(found.values) {
            case .success(let value): given[spec.key] = (value, found.origin)
            case .failure(let problem): problems.append(Self.sentence(spec.key, found.values.joined(separator: ","), found.origin, problem.reason))
            }
        }

        // Time zones and the clock come first: the range needs them.
        let sourceZone = text(.sourceTimezone).flatMap(SourceZone.init(identifier:)) ?? .utc
        let displayZone = text(.timezone).flatMap(SourceZone.init(identifier:)) ?? sourceZone
        derive(.timezone, .text(displayZone.identifier))
        let now = text(.now).flatMap { UploadTime.parse($0, zone: .utc) }.map { Date(timeIntervalSince1970: TimeInterval($0.instant)) } ?? clock
        derive(.now, .text(Timestamp.rfc3339(now)))

        var history: HistoryLocation?
        if let value = text(.history) {
            do { history = try HistoryLocation(value) } catch { problems.append("\(error)") }
        }
        var filter = rangeFilter(now: now, displayZone: displayZone, history: history)
        filter.comparesPreviousPeriod = text(.compare) != "none"
        let rangeName = text(.range)

        let outputs = list(.emit).compactMap { OutputKind(rawValue: $0) }
        let mail = mailSettings()

        var report = ReportConfiguration(
            filter: filter, sourceZone: sourceZone, outputs: outputs, outDirectory: URL(fileURLWithPath: text(.out)!),
            stem: text(.name), csvRaw: isOn(.csvRaw), skipInvalid: isOn(.skipInvalid),
            templateFile: text(.template).map { URL(fileURLWithPath: $0) },
            archiveDirectory: text(.archiveRaw).map { URL(fileURLWithPath: $0) })
        report.failOn = list(.failOn).compactMap { FailRule(rawValue: $0) }
        report.displayZone = displayZone
        report.mail = mail
        report.rangeName = rangeName
        report.generatedAt = given[.now] == nil ? nil : now
        derive(.name, .text(report.stem))
        do {
            try report.validate()
        } catch ReportError.usage(let message) {
            problems.append(message)
        }

        // The API's settings are checked whatever the source: a bad value in a config file must
        // not wait for the night the replay folder is taken away.
        var api = apiSettings()
        let source: RunSettings.Source
        if let replay = text(.replay) {
            source = .replay(URL(fileURLWithPath: replay))
        } else {
            let (credentials, credentialsOrigin) = self.credentials()
            api.credentials = credentials
            api.credentialsOrigin = credentialsOrigin
            if case .oauth? = credentials, api.endpoint.baseURL.host.map(APIEndpoint.isLoopback) == true,
               given[.authURL] == nil {
                problems.append("\(origin(.baseURL)) \(api.endpoint.baseURL.absoluteString) is a loopback server, but --auth-url is the region's \(api.endpoint.authURL.absoluteString): --auth-url is probably missing (a local server usually issues its own tokens: give it the same URL)")
            }
            source = .api(api)
        }

        let (metricsFile, pingURL) = operations()
        if isOn(.alertOnce), text(.history) == nil {
            problems.append("\(origin(.alertOnce)): --alert-once needs --history FILE (what was alerted is remembered there)")
        }
        return RunSettings(
            source: source, report: report, rangeName: rangeName, displayZone: displayZone, now: now, mail: mail,
            dryRun: isOn(.dryRun), logLevel: Logger.Level(rawValue: text(.logLevel)!) ?? .info,
            logFormat: RunSettings.LogFormat(rawValue: text(.logFormat)!) ?? .text, quiet: isOn(.quiet),
            metricsFile: metricsFile, pingURL: pingURL, history: history, alertOnce: isOn(.alertOnce), nothingToCover: nothingToCover,
            configPath: layers.configPath, effective: effective(), problems: problems)
    }

    /// `--from`/`--to` on the source zone's clock, or `--range` on `--timezone`'s.
    private mutating func rangeFilter(now: Date, displayZone: SourceZone, history: HistoryLocation?) -> RecordFilter {
        let from = text(.from).flatMap(CivilDate.init)
        let to = text(.to).flatMap(CivilDate.init)
        var filter = RecordFilter(from: from, to: to, id: given[.id]?.value.integer)
        if let rangeName = text(.range) {
            if given[.from] != nil || given[.to] != nil {
                problems.append("\(origin(.range)) \(rangeName): give either --range or --from/--to, not both")
                return filter
            }
            if rangeName == RelativeRange.sinceLastRun {
                return sinceLastRun(filter, now: now, zone: displayZone, history: history)
            }
            do {
                let days = try RelativeRange.resolve(rangeName, now: now, zone: displayZone)
                filter = RecordFilter(from: days.from, to: days.to, id: filter.id, zone: displayZone)
                derived[.from] = (.text(days.from.description), origin(.range))
                derived[.to] = (.text(days.to.description), origin(.range))
            } catch ReportError.usage(let message) {
                problems.append(message.replacingOccurrences(of: "--range", with: origin(.range).description))
            } catch {
                problems.append("\(origin(.range)) \(rangeName): \(error)")
            }
        }
        return filter  // a reversed range is one of `ReportConfiguration.validate`'s problems
    }

    /// `--range since-last-run`: reads the history (without changing it) for the last day a
    /// successful run covered.
    private mutating func sinceLastRun(_ filter: RecordFilter, now: Date, zone: SourceZone, history: HistoryLocation?) -> RecordFilter {
        guard let history else {
            problems.append("\(origin(.range)) since-last-run: needs --history FILE (the runs it continues from are remembered there)")
            return filter
        }
        var lastCovered: CivilDate?
        do {
            lastCovered = try history.lastCoveredDay()
        } catch {
            problems.append("\(error)")
            return filter
        }
        guard let days = RelativeRange.sinceLastRun(lastCovered: lastCovered, now: now, zone: zone) else {
            nothingToCover = "--range since-last-run: nothing left to cover: the history's last successful run covered up to \(lastCovered!), and yesterday was \(zone.date(at: now).adding(days: -1)) (\(zone.identifier)); no output written"
            // A range nothing reads (the run stops before reading): yesterday, already covered.
            let yesterday = zone.date(at: now).adding(days: -1)
            return RecordFilter(from: yesterday, to: yesterday, id: filter.id, zone: zone)
        }
        derived[.from] = (.text(days.from.description), origin(.range))
        derived[.to] = (.text(days.to.description), origin(.range))
        return RecordFilter(from: days.from, to: days.to, id: filter.id, zone: zone)
    }

    /// The metrics file (its folder must take it, before any request) and the ping URL (https
    /// unless loopback; a secret, so no message shows it).
    private mutating func operations() -> (URL?, URL?) {
        var metricsFile: URL?
        if let path = text(.metricsFile) {
            let url = URL(fileURLWithPath: path)
            if let problem = MetricsFile.checkWritable(url) {
                problems.append("\(origin(.metricsFile)) \(path): \(problem)")
            } else {
                metricsFile = url
            }
        }
        var pingURL: URL?
        if let text = text(.pingURL) {
            do {
                pingURL = try APIEndpoint.checked(text, option: "--ping-url")
            } catch {
                let reason = text.lowercased().hasPrefix("http://") ? "plain http is only allowed to a loopback host (127.0.0.0/8, ::1, localhost); use https" : "not an https URL"
                problems.append("\(origin(.pingURL)) ********: \(reason)")
            }
        }
        return (metricsFile, pingURL)
    }

    private mutating func mailSettings() -> MailSettings {
        var mail = MailSettings(subject: given[.mailSubject]?.value.text,
                                attach: list(.mailAttach).compactMap { OutputKind(rawValue: $0) })
        if let from = given[.mailFrom] {
            do { mail.from = try MailAddress.parse(from.value.text ?? "") } catch {
                problems.append(Self.sentence(.mailFrom, from.value.text ?? "", from.origin, error.reason))
            }
        }
        if let to = given[.mailTo] {
            for text in to.value.items {
                do { mail.to.append(try MailAddress.parse(text)) } catch {
                    problems.append(Self.sentence(.mailTo, text, to.origin, error.reason))
                }
            }
        }
        return mail
    }

    private mutating func apiSettings() -> RunSettings.APISettings {
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
    private mutating func credentials() -> (Credentials?, String) {
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
            problems.append("no credentials: set CG_CLIENT_ID and CG_CLIENT_SECRET (OAuth2), or CG_API_KEY, in the environment (or client_secret_file / api_key_file in the config file); or use --replay DIR")
        }
        return (nil, "none")
    }

    // MARK: reading checked values

    /// The value in use: given, else worked out, else the declared default.
    private func value(_ key: OptionKey) -> SettingValue? {
        given[key]?.value ?? derived[key]?.value ?? SettingCatalog[key].defaultValue
    }

    private func text(_ key: OptionKey) -> String? { value(key)?.text }
    private func list(_ key: OptionKey) -> [String] { value(key)?.items ?? [] }
    private func isOn(_ key: OptionKey) -> Bool { value(key)?.isOn ?? false }
    private func integer(_ key: OptionKey) -> Int64 { value(key)?.integer ?? 0 }

    private mutating func derive(_ key: OptionKey, _ value: SettingValue) {
        if given[key] == nil { derived[key] = (value, .defaultValue(key)) }
    }

    private func origin(_ key: OptionKey) -> SettingOrigin {
        given[key]?.origin ?? derived[key]?.origin ?? .defaultValue(key)
    }

    /// Every setting that has a value, secrets masked, sorted by name.
    private func effective() -> [EffectiveSetting] {
        SettingCatalog.all.compactMap { spec -> EffectiveSetting? in
            guard let value = value(spec.key) else { return nil }
            return EffectiveSetting(key: spec.key, value: spec.isSecret ? .text("********") : value, origin: origin(spec.key))
        }.sorted { $0.key < $1.key }
    }

    /// A problem as a sentence naming the setting, its value and where the value came from.
    static func sentence(_ key: OptionKey, _ value: String, _ origin: SettingOrigin, _ reason: String) -> String {
        let shown = SettingCatalog[key].isSecret ? "********" : value
        switch origin {
        case .flag: return "--\(key.rawValue) \(shown): \(reason)"
        case .environment(let name): return "\(name)=\(shown): \(reason)"
        case .file(let fileKey, let path): return "\(path) sets \(fileKey) to \"\(shown)\": \(reason)"
        case .defaultValue: return "--\(key.rawValue) \(shown): \(reason)"
        }
    }
}
