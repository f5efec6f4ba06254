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
    /// `upload`'s own settings (their defaults for `report`).
    public var upload: UploadSettings
    /// Each setting's value as used, typed (secrets masked), and where it came from; sorted by name.
    public var effective: [EffectiveSetting]
    /// What a dry run found wrong (a real run stops at the first, exit 2).
    public var problems: [String]

    /// What the manifest records and `--dry-run` shows: every setting, by its long name, typed.
    public var effectiveJSON: JSONValue {
        .object(effective.map { JSONMember($0.key.rawValue, $0.value.json) })
    }
}

/// What `upload` was asked to do beyond sending: catalogue settings like every other
/// (`CG_WAIT_TIMEOUT`, `wait-timeout:` in the config file).
public struct UploadSettings: Sendable {
    public var wait = false
    public var waitTimeout: Duration = .seconds(30 * 60)
    public var split = false
    public var skipInvalidRows = false
    /// `--rejected-out`: a folder.
    public var rejectedOut: URL?
}

/// One setting as the run uses it.
public struct EffectiveSetting: Sendable {
    public var key: OptionKey
    public var value: SettingValue
    public var origin: SettingOrigin
}


extension RunSettings {
    /// Resolves and checks every setting, in every mode; `clock` is the time when `--now` is not
    /// given. A real run throws the first problem (exit 2); a dry run returns them all.
    public static func resolve(_ layers: SettingsLayers, for command: SettingScope = .report, clock: Date = Date()) throws -> RunSettings {
        var resolver = SettingResolver(layers: layers, command: command)
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
    /// The command resolving: the settings of the other are neither read nor shown.
    let command: SettingScope
    /// The settings a layer gave, read and checked.
    var given: [OptionKey: (value: SettingValue, origin: SettingOrigin)] = [:]
    /// Values worked out here (the range's days, the stem, the zone, the clock).
    var derived: [OptionKey: (value: SettingValue, origin: SettingOrigin)] = [:]
    var problems: [String] = []
    /// `--range since-last-run` found every day up to yesterday covered.
    var nothingToCover: String?

    init(layers: SettingsLayers, command: SettingScope = .report) {
        self.layers = layers
        self.command = command
    }

    mutating func resolve(clock: Date) throws -> RunSettings {
        for spec in SettingCatalog.all where spec.applies(to: command) {
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

        let history = historyLocation()
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
            if command == .report { try report.validate() }
        } catch ReportError.usage(let message) {
            problems.append(message)
        }
        let upload = uploadSettings()

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
            configPath: layers.configPath, upload: upload, effective: effective(), problems: problems)
    }

    /// `upload`'s settings; `--rejected-out` must name a folder.
    mutating func uploadSettings() -> UploadSettings {
        var upload = UploadSettings()
        upload.wait = isOn(.wait)
        upload.waitTimeout = text(.waitTimeout).flatMap(SettingSpec.duration) ?? upload.waitTimeout
        upload.split = isOn(.split)
        upload.skipInvalidRows = isOn(.skipInvalidRows)
        if let folder = text(.rejectedOut) {
            var isFolder: ObjCBool = false
            if folder.lowercased().hasSuffix(".csv") {
                problems.append(Self.sentence(.rejectedOut, folder, origin(.rejectedOut), "a folder, not a file: STEM.rejected.csv is written in it, named after each file sent (give a folder, such as rejected/)"))
            } else if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), !isFolder.boolValue {
                problems.append(Self.sentence(.rejectedOut, folder, origin(.rejectedOut), "is a file, not a folder"))
            }
            upload.rejectedOut = URL(fileURLWithPath: folder)
        }
        return upload
    }

    // MARK: reading checked values

    /// The value in use: given, else worked out, else the declared default.
    func value(_ key: OptionKey) -> SettingValue? {
        given[key]?.value ?? derived[key]?.value ?? SettingCatalog[key].defaultValue
    }

    func text(_ key: OptionKey) -> String? { value(key)?.text }
    func list(_ key: OptionKey) -> [String] { value(key)?.items ?? [] }
    func isOn(_ key: OptionKey) -> Bool { value(key)?.isOn ?? false }
    func integer(_ key: OptionKey) -> Int64 { value(key)?.integer ?? 0 }

    mutating func derive(_ key: OptionKey, _ value: SettingValue) {
        if given[key] == nil { derived[key] = (value, .defaultValue(key)) }
    }

    func origin(_ key: OptionKey) -> SettingOrigin {
        given[key]?.origin ?? derived[key]?.origin ?? .defaultValue(key)
    }

    /// Every setting that has a value, secrets masked, sorted by name.
    private func effective() -> [EffectiveSetting] {
        SettingCatalog.all.compactMap { spec -> EffectiveSetting? in
            guard spec.applies(to: command), let value = value(spec.key) else { return nil }
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
