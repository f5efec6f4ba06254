import Foundation

/// A setting's value as a run uses it, typed: what the manifest's `settings` and `--dry-run` show.
public enum SettingValue: Sendable, Equatable, CustomStringConvertible {
    case text(String)
    case integer(Int64)
    case number(Double)
    case onOff(Bool)
    case list([String])

    public var json: JSONValue {
        switch self {
        case .text(let text): return .string(text)
        case .integer(let number): return .number(String(number))
        case .number(let number): return .number(number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number))
        case .onOff(let on): return .bool(on)
        case .list(let items): return .array(items.map(JSONValue.string))
        }
    }

    public var description: String { json.compactText }

    public var text: String? { if case .text(let text) = self { return text } else { return nil } }
    public var integer: Int64? { if case .integer(let number) = self { return number } else { return nil } }
    public var number: Double? { if case .number(let number) = self { return number } else { return nil } }
    public var isOn: Bool { if case .onOff(let on) = self { return on } else { return false } }
    public var items: [String] { if case .list(let items) = self { return items } else { return [] } }
}

/// One setting of the command line (the README's "Usage"), declared once: its name (the long option, the config
/// key, and `CG_` + the name in the environment), what values it takes, its default, its help,
/// and whether it is a secret. The command line, the environment, the config file, `--help`,
/// `--dry-run` and the manifest all come from these declarations.
public struct SettingSpec: Sendable {
    public enum Kind: Sendable {
        /// Any text.
        case text
        /// A file or folder: relative paths in a config file are taken from the file's folder.
        case path
        /// One of a few words, compared without case.
        case choice([String])
        /// A whole number in a range.
        case integer(ClosedRange<Int64>)
        /// A number of seconds, above 0 and at most the bound.
        case seconds(max: Double)
        /// On or off; on the command line `--name` and `--no-name`.
        case onOff
        /// Several words from `choices` (nil: any), comma separated, a YAML list or a repeated flag;
        /// `item` names one in messages ("output", "rule").
        case list(choices: [String]?, item: String)
        /// A calendar day, `YYYY-MM-DD`.
        case date
        /// An IANA time zone name.
        case zone
        /// An RFC 3339 time with its offset.
        case time
        /// A length of time: `90s`, `10m`, `2h` (a bare number is seconds).
        case duration
    }

    public let key: OptionKey
    public let kind: Kind
    /// The value when no layer sets it, as used; nil: unset (or worked out from other settings,
    /// as `defaultDescription` says).
    public let defaultValue: SettingValue?
    /// How `--help` names the default when it is not a plain value ("the source zone").
    public let defaultDescription: String?
    public let help: String
    /// The placeholder `--help` shows (`N`, `DIR`).
    public let valueName: String
    /// A secret's value is never shown (dry run, manifest, logs): it is masked.
    public let isSecret: Bool
    /// False for the settings read only from the environment or the config file (secret files, client id).
    public let onCommandLine: Bool
    /// The command whose setting it is (`report`'s outputs and range, `upload`'s wait), or both.
    public let scope: SettingScope
    /// `upload --help`'s words where they differ from `report`'s (the URL it posts to, what the history keeps).
    public let uploadHelp: String?

    init(_ key: OptionKey, _ kind: Kind, default defaultValue: SettingValue? = nil, defaultDescription: String? = nil,
         valueName: String = "VALUE", secret: Bool = false, onCommandLine: Bool = true, scope: SettingScope = .report,
         help: String, uploadHelp: String? = nil) {
        self.scope = scope
        self.uploadHelp = uploadHelp
        self.key = key
        self.kind = kind
        self.defaultValue = defaultValue
        self.defaultDescription = defaultDescription
        self.help = help
        self.valueName = valueName
        self.isSecret = secret
        self.onCommandLine = onCommandLine
    }

    public var isList: Bool { if case .list = kind { return true } else { return false } }
    public var isPath: Bool { if case .path = kind { return true } else { return false } }
    public var isOnOff: Bool { if case .onOff = kind { return true } else { return false } }

    /// Whether `command` reads this setting (and its dry run and manifest show it).
    public func applies(to command: SettingScope) -> Bool { scope == .shared || scope == command }

    /// The help line with its default, as `--help` and the man page show it.
    public var helpWithDefault: String { helpWithDefault(for: .report) }

    /// The help line with its default, in `command`'s words.
    public func helpWithDefault(for command: SettingScope) -> String {
        let help = command == .upload ? uploadHelp ?? self.help : self.help
        if let defaultDescription { return "\(help) (default: \(defaultDescription))" }
        switch defaultValue {
        case .list(let items)?: return "\(help) (default: \(items.joined(separator: ",")))"
        case .onOff(false)?: return help
        case let value?: return "\(help) (default: \(value.text ?? value.description))"
        case nil: return help
        }
    }

    /// Reads the text(s) a layer gave into a typed value, or says what is wrong with them.
    func parse(_ values: [String]) -> Result<SettingValue, SettingProblem> {
        let value = values.first?.trimmingCharacters(in: .whitespaces) ?? ""
        switch kind {
        case .text, .path:
            return .success(.text(values.first ?? ""))
        case .choice(let choices):
            guard let choice = choices.first(where: { $0 == value.lowercased() }) else {
                return .failure(SettingProblem("choose \(Self.wordList(choices))"))
            }
            return .success(.text(choice))
        case .integer(let range):
            guard let number = Int64(value), range.contains(number) else {
                let bounds = range.upperBound == Int64.max ? "from \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
                return .failure(SettingProblem("must be a whole number \(bounds)"))
            }
            return .success(.integer(number))
        case .seconds(let max):
            guard let number = Double(value), number.isFinite, number > 0, number <= max else {
                return .failure(SettingProblem("must be a number of seconds above 0, at most \(Int(max))"))
            }
            return .success(.number(number))
        case .onOff:
            switch value.lowercased() {
            case "true", "yes", "on", "1": return .success(.onOff(true))
            case "false", "no", "off", "0": return .success(.onOff(false))
            default: return .failure(SettingProblem("must be true or false"))
            }
        case .list(let choices, let itemName):
            var items: [String] = []
            for item in values {
                let word = choices == nil ? item : item.lowercased()
                if let choices, !choices.contains(word) {
                    return .failure(SettingProblem("unknown \(itemName) \"\(item)\" (choose from \(choices.joined(separator: ", ")))"))
                }
                if !items.contains(word) { items.append(word) }
            }
            return .success(.list(items))
        case .date:
            switch CivilDate.check(value) {
            case .success: return .success(.text(value))
            case .failure(let problem): return .failure(problem)
            }
        case .zone:
            guard SourceZone(identifier: value) != nil else {
                return .failure(SettingProblem("unknown time zone (use an IANA name such as UTC or Europe/Amsterdam)"))
            }
            return .success(.text(value))
        case .duration:
            guard Self.duration(value) != nil else { return .failure(SettingProblem("not a duration (90s, 10m, 2h)")) }
            return .success(.text(value.lowercased()))
        case .time:
            guard value.utf8.count > 19, UploadTime.parse(value, zone: .utc) != nil else {
                return .failure(SettingProblem("expected an RFC 3339 time with its offset, such as 2026-03-15T10:00:00Z"))
            }
            return .success(.text(value))
        }
    }

    /// `90s`, `10m`, `2h` (a bare number is seconds); nil for anything else, or nothing.
    public static func duration(_ text: String) -> Duration? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600]
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let last = trimmed.last else { return nil }
        let (digits, unit) = units[last].map { (trimmed.dropLast(), $0) } ?? (Substring(trimmed), 1)
        guard let number = Int64(digits), number > 0, number <= 31 * 86_400 / unit else { return nil }
        return .seconds(number * unit)
    }

    static func wordList(_ words: [String]) -> String {
        words.count <= 1 ? words.joined() : words.dropLast().joined(separator: ", ") + " or " + words.last!
    }
}

/// What is wrong with a value, without saying where it came from (the resolver adds that).
public struct SettingProblem: Error, Sendable {
    public var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Which command reads a setting: `shared` by both (the API, credentials, history, logging, operations).
public enum SettingScope: Sendable, Equatable {
    case shared, report, upload
}

/// Every setting, in the order `--help` and the dry run list them.
public enum SettingCatalog {
    public static let all: [SettingSpec] = [
        // source
        SettingSpec(.replay, .path, valueName: "DIR",
                    help: "Read recorded pages (*.json, *.xml, in file name order) from this folder instead of the API."),
        SettingSpec(.region, .choice(Region.allCases.map(\.rawValue)), default: .text("eu"), valueName: "REGION",
                    scope: .shared, help: "API region: eu, us or au."),
        SettingSpec(.baseURL, .text, defaultDescription: "https://api.{region}.customergauge.com", valueName: "URL",
                    scope: .shared, help: "API base URL; /v4.1/file/company-revenue.{json,xml} is appended. https unless the host is loopback.",
                    uploadHelp: "API base URL: files are POSTed to URL/v4.1/company/revenue_file_automate.{json,xml}, and the new upload is found in URL/v4.1/file/company-revenue.{json,xml}. https unless the host is loopback."),
        SettingSpec(.authURL, .text, defaultDescription: "https://auth.{region}.customergauge.com", valueName: "URL",
                    scope: .shared, help: "OAuth2 server base URL; /oauth2/token is appended. https unless the host is loopback."),
        SettingSpec(.format, .choice(WireFormat.allCases.map(\.rawValue)), default: .text("json"), valueName: "FORMAT",
                    help: "Wire format requested from the API: json or xml."),
        SettingSpec(.apiFormat, .choice(WireFormat.allCases.map(\.rawValue)), default: .text("json"), valueName: "FORMAT",
                    scope: .upload, help: "upload: the format of the API's answers, json or xml (report names it --format)."),
        SettingSpec(.pageSize, .integer(1...1000), default: .integer(1000), valueName: "N",
                    help: "Uploads asked for per request (`limit`), 1 to 1000."),
        SettingSpec(.concurrency, .integer(1...32), default: .integer(4), valueName: "N",
                    help: "Pages in flight at once, results still in order; 1 to 32."),
        SettingSpec(.maxAttempts, .integer(1...20), default: .integer(5), valueName: "N",
                    scope: .shared, help: "Tries per request, 1 to 20: 429, 5xx, timeouts and dropped connections are retried with backoff."),
        SettingSpec(.timeout, .seconds(max: 3600), default: .number(60), valueName: "SECONDS",
                    scope: .shared, help: "Seconds to wait for one response before retrying it."),
        SettingSpec(.archiveRaw, .path, valueName: "DIR",
                    help: "Keep every page read, byte for byte, with a sidecar of how it was fetched, in this new or empty folder; --replay reads it back."),
        SettingSpec(.compare, .choice(["previous-period", "none"]), default: .text("previous-period"), valueName: "WHAT",
                    help: "previous-period: also read the period of equal length before the range, for the report's comparison; none: only the range."),
        // range
        SettingSpec(.from, .date, valueName: "YYYY-MM-DD", help: "First day of the range, inclusive, in the source time zone."),
        SettingSpec(.to, .date, valueName: "YYYY-MM-DD", help: "Last day of the range, inclusive, in the source time zone."),
        SettingSpec(.range, .text, valueName: "NAME",
                    help: "Relative range in --timezone: yesterday, today, last-7-days, last-30-days, month-to-date, last-month, a month YYYY-MM, or since-last-run (with --history: the days after the last successful run's range, up to yesterday)."),
        SettingSpec(.id, .integer(1...Int64.max), valueName: "N", help: "Report one upload only."),
        SettingSpec(.sourceTimezone, .zone, default: .text("UTC"), valueName: "TZ", scope: .shared, help: "Time zone of the API's timestamps (IANA name)."),
        SettingSpec(.timezone, .zone, defaultDescription: "the source zone", valueName: "TZ",
                    help: "Zone in which --range is computed and the HTML shows times."),
        SettingSpec(.now, .time, defaultDescription: "the clock", valueName: "TIME",
                    help: "RFC 3339 time standing in for the clock (2026-03-15T10:00:00Z): backfills, tests, reproducible reports."),
        // outputs
        SettingSpec(.emit, .list(choices: OutputKind.allCases.map(\.rawValue), item: "output"), default: .list(["csv", "ndjson", "html"]), valueName: "LIST",
                    help: "Outputs to write, comma separated: " + OutputKind.allCases.map(\.rawValue).joined(separator: ", ") + "."),
        SettingSpec(.out, .path, default: .text("./reports"), valueName: "DIR", help: "Output folder, created if missing."),
        SettingSpec(.name, .text, defaultDescription: "revenue-uploads_FROM_TO, or revenue-uploads_all with no range", valueName: "STEM",
                    help: "Output file stem."),
        SettingSpec(.template, .path, defaultDescription: "the bundled templates/report.html.mustache", valueName: "FILE",
                    help: "HTML template; partials ({{> name}}) are read from its folder."),
        SettingSpec(.csvRaw, .onOff, default: .onOff(false),
                    help: "Turn off the spreadsheet formula guard (a leading ' before =, +, -, @, tab, CR)."),
        SettingSpec(.skipInvalid, .onOff, default: .onOff(false),
                    help: "Report records that cannot be read (stderr, HTML, manifest) and go on, instead of exiting 1."),
        SettingSpec(.failOn, .list(choices: FailRule.allCases.map(\.rawValue), item: "rule"), default: .list([]), valueName: "LIST",
                    help: "Exit 3 after writing everything when an upload matches: unsuccessful, not-processed, has-logs (comma separated)."),
        // email
        SettingSpec(.mailFrom, .text, default: .text(MailSettings.defaultFrom), valueName: "ADDRESS", help: "From: of STEM.eml."),
        SettingSpec(.mailTo, .list(choices: nil, item: "address"), default: .list([]), valueName: "ADDRESS",
                    help: "To: of STEM.eml, RFC 5322 addresses (\"Doe, John\" <john@example.com>); repeat, or separate with commas."),
        SettingSpec(.mailSubject, .text, default: .text(MailSettings.defaultSubject), valueName: "TEXT",
                    help: "Subject of STEM.eml, a Mustache template: {{range}}, {{from}}, {{to}}, {{uploads}}, {{attention}}."),
        SettingSpec(.mailAttach, .list(choices: OutputKind.allCases.filter(\.format.attachable).map(\.rawValue), item: "attachment"), default: .list(["csv"]),
                    valueName: "LIST",
                    help: "Attachments of STEM.eml: " + OutputKind.allCases.filter(\.format.attachable).map(\.rawValue).joined(separator: ", ") + "."),
        // run
        SettingSpec(.dryRun, .onOff, default: .onOff(false),
                    scope: .shared, help: "Print the whole plan (settings, outputs, requests), then each problem found; exit 2 if there is one, else 0. No network, no files."),
        SettingSpec(.logLevel, .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]), default: .text("info"),
                    valueName: "LEVEL", scope: .shared, help: "trace, debug, info, notice, warning, error or critical, on stderr."),
        SettingSpec(.logFormat, .choice(["text", "json"]), default: .text("text"), valueName: "FORMAT",
                    scope: .shared, help: "text, or json (one object a line)."),
        SettingSpec(.quiet, .onOff, default: .onOff(false), scope: .shared, help: "Log errors only, and no progress line."),
        // operations
        SettingSpec(.metricsFile, .path, valueName: "FILE",
                    scope: .shared, help: "Write the run's Prometheus metrics here at the end of every run, failed ones included (node_exporter's textfile collector: a FILE.prom in its folder)."),
        SettingSpec(.pingURL, .text, valueName: "URL", secret: true,
                    scope: .shared, help: "healthchecks.io-style ping URL: POST URL/start when the run begins, URL/<exit code> with the last log lines at the end. A secret: never shown."),
        // memory across runs
        SettingSpec(.history, .path, valueName: "FILE|URL",
                    scope: .shared, help: "Remember every run and upload in this SQLite file (made if missing), or in a PostgreSQL database, postgresql://USER@HOST[:PORT]/DATABASE[?sslmode=disable|allow|prefer|require|verify-ca|verify-full&sslrootcert=FILE] (libpq's meanings, prefer by default; its password from CG_HISTORY_PASSWORD, history-password-file: in the config file or ~/.pgpass, never the URL): the report gains \"Since the last run\", and uploads last seen not final are asked for again by id (API, at most 100 a run, for 30 days).",
                    uploadHelp: "Record each file sent (name, sha256, upload id, outcome) in this SQLite file (made if missing) or PostgreSQL database, postgresql://USER@HOST[:PORT]/DATABASE[?sslmode=...] (its password from CG_HISTORY_PASSWORD or history-password-file:, never the URL); bytes CustomerGauge took before are refused unless --again, and the nightly report with the same history follows up an upload still processing."),
        SettingSpec(.alertOnce, .onOff, default: .onOff(false),
                    help: "With --fail-on and --history: an upload that matched in an earlier successful run matches again only if it changed since."),
        // upload
        SettingSpec(.wait, .onOff, default: .onOff(false), scope: .upload,
                    help: "Wait until CustomerGauge has processed each upload, and say every row it rejected."),
        SettingSpec(.waitTimeout, .duration, default: .text("30m"), valueName: "D", scope: .upload,
                    help: "How long --wait waits for one upload, counted from when it was taken, in full: 90s, 10m, 2h."),
        SettingSpec(.split, .onOff, default: .onOff(false), scope: .upload,
                    help: "Send a file over 1,000 records or 2,000,000 bytes as its parts (STEM.part-K-of-N.csv), one after another."),
        SettingSpec(.skipInvalidRows, .onOff, default: .onOff(false), scope: .upload,
                    help: "Send the rows without problems (as STEM.csv) and count the others as rejected, instead of sending nothing."),
        SettingSpec(.rejectedOut, .path, valueName: "DIR", scope: .upload,
                    help: "A folder: write DIR/STEM.rejected.csv there, the six columns and `problem`, a line per row left out or rejected (every problem of the row, joined by \"; \")."),
        // the environment and the config file only
        SettingSpec(.clientID, .text, valueName: "ID", onCommandLine: false,
                    scope: .shared, help: "OAuth2 client id (CG_CLIENT_ID); the secret comes from CG_CLIENT_SECRET or client_secret_file."),
        SettingSpec(.clientSecretFile, .path, valueName: "FILE", onCommandLine: false,
                    scope: .shared, help: "A file holding the OAuth2 client secret."),
        SettingSpec(.apiKeyFile, .path, valueName: "FILE", onCommandLine: false, scope: .shared, help: "A file holding the API key."),
        SettingSpec(.historyPasswordFile, .path, valueName: "FILE", onCommandLine: false,
                    scope: .shared, help: "A file holding the password of a postgresql:// --history (or CG_HISTORY_PASSWORD)."),
    ]

    private static let byKey: [OptionKey: SettingSpec] = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })

    public static subscript(_ key: OptionKey) -> SettingSpec { byKey[key]! }
}
