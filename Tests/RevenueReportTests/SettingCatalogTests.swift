import Foundation
import Testing
@testable import RevenueReport

/// Every setting declared in `SettingCatalog` reaches the run from each place it can come from:
/// the command line, `CG_…` and the config file, seen in the built binary's dry run.
@Suite struct SettingCatalogTests {
    /// A valid value for the setting that is not its default, and how the dry run shows it.
    func sample(_ spec: SettingSpec, folder: TemporaryFolder) throws -> (text: String, shown: String) {
        func quoted(_ text: String) -> String { JSONValue.string(text).compactText }
        switch spec.key {
        case .name: return ("stem-x", quoted("stem-x"))
        case .mailFrom: return ("Reports <reports@example.com>", quoted("Reports <reports@example.com>"))
        case .mailSubject: return ("Hello {{range}}", quoted("Hello {{range}}"))
        case .clientID: return ("client-7", quoted("client-7"))
        case .baseURL: return ("https://api.example.org", quoted("https://api.example.org"))
        case .authURL: return ("https://auth.example.org", quoted("https://auth.example.org"))
        case .range: return ("2026-03", quoted("2026-03"))
        case .pingURL: return ("https://hc.example.com/ping/abc", quoted("********"))  // a secret: shown masked
        case .mailTo: return ("\"Doe, John\" <john@example.com>", #"["\"Doe, John\" <john@example.com>"]"#)
        case .clientSecretFile, .apiKeyFile, .historyPasswordFile:
            let file = try folder.write("secret-\(spec.key.rawValue)", "s3cr3t\n")
            return (file.path, quoted(file.path))
        default: break
        }
        switch spec.kind {
        case .path: return ("/tmp/elsewhere-\(spec.key.rawValue)", quoted("/tmp/elsewhere-\(spec.key.rawValue)"))
        case .text: return ("some text", quoted("some text"))
        case .choice(let choices):
            let choice = choices.last { SettingValue.text($0) != spec.defaultValue }!
            return (choice.uppercased(), quoted(choice))
        case .integer(let range): return (String(range.lowerBound + 6), String(range.lowerBound + 6))
        case .seconds: return ("2.5", "2.5")
        case .onOff: return ("true", "true")
        case .list(let choices, _):
            let items = Array((choices ?? ["a", "b"]).suffix(2)).filter { $0 != "eml" }
            return (items.joined(separator: ","), "[" + items.map(quoted).joined(separator: ",") + "]")
        case .date: return ("2026-01-02", quoted("2026-01-02"))
        case .zone: return ("Europe/Amsterdam", quoted("Europe/Amsterdam"))
        case .time: return ("2026-03-15T10:00:00Z", quoted("2026-03-15T10:00:00Z"))
        case .duration: return ("90s", quoted("90s"))
        }
    }

    /// The dry run's line for `key`: `  key = VALUE    (from ORIGIN)`.
    func line(_ key: OptionKey, in output: String) -> String? {
        output.split(separator: "\n").map(String.init).first { $0.hasPrefix("  \(key.rawValue) = ") }
    }

    @Test func everyDeclaredSettingArrivesFromTheCommandLineTheEnvironmentAndTheConfigFile() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let clean = packageRoot.appendingPathComponent("examples/revenue-files/clean.csv").path
        for spec in SettingCatalog.all {
            let (text, shown) = try sample(spec, folder: folder)
            let key = spec.key.rawValue
            // Each command's dry run shows its own settings and the shared ones: upload's through upload.
            let command = spec.scope == .upload ? ["upload", clean] : ["report"]
            // The dry run is how the value is seen; for dry-run itself, the layer under test turns it on.
            let dryRun = spec.key == .dryRun ? command : command + ["--dry-run"]
            // The command line (secret files and the client id are not flags, by design).
            if spec.onCommandLine {
                let arguments = spec.isOnOff ? ["--\(key)"] : ["--\(key)", text]
                let result = try await runCLI(command + ["--dry-run"] + arguments, in: folder.url)
                #expect(line(spec.key, in: result.stdout) == "  \(key) = \(shown)    (from --\(key))", "\(key) by flag: \(result.stderr)")
                if spec.isOnOff, spec.key != .dryRun {
                    // The --no- form overrides the environment.
                    let off = try await runCLI(command + ["--dry-run", "--no-\(key)"], in: folder.url, environment: [spec.key.environmentName: "true"])
                    #expect(line(spec.key, in: off.stdout) == "  \(key) = false    (from --\(key))", "--no-\(key)")
                }
            }
            // The environment.
            let fromEnvironment = try await runCLI(dryRun, in: folder.url, environment: [spec.key.environmentName: text])
            #expect(line(spec.key, in: fromEnvironment.stdout) == "  \(key) = \(shown)    (from \(spec.key.environmentName))",
                    "\(key) by \(spec.key.environmentName): \(fromEnvironment.stderr)")
            // The config file: a relative path there is read from the file's folder.
            let config = try folder.write("config-\(key).yaml", "\(key): \(JSONValue.string(text).compactText)\n")
            let fromFile = try await runCLI(dryRun + ["--config", config.path], in: folder.url)
            #expect(line(spec.key, in: fromFile.stdout) == "  \(key) = \(shown)    (from \(key) in \(config.path))",
                    "\(key) in the config file: \(fromFile.stderr)")
        }
    }

    /// `upload --dry-run` lists upload's settings and those it shares with `report`, never the
    /// report's own; `report --dry-run` never upload's.
    @Test func eachCommandsDryRunShowsItsOwnSettingsAndTheSharedOnes() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let clean = packageRoot.appendingPathComponent("examples/revenue-files/clean.csv").path
        let upload = try await runCLI(["upload", clean, "--dry-run"], in: folder.url, environment: ["CG_API_KEY": "k", "CG_WAIT_TIMEOUT": "45m"])
        #expect(upload.status == 0, "\(upload.stdout)")
        let report = try await runCLI(["report", "--dry-run"], in: folder.url, environment: ["CG_API_KEY": "k"])
        for spec in SettingCatalog.all where spec.defaultValue != nil {
            let inUpload = line(spec.key, in: upload.stdout) != nil, inReport = line(spec.key, in: report.stdout) != nil
            #expect(inUpload == spec.applies(to: .upload), "upload --dry-run and \(spec.key.rawValue)")
            #expect(inReport == spec.applies(to: .report), "report --dry-run and \(spec.key.rawValue)")
        }
        #expect(line(.waitTimeout, in: upload.stdout) == "  wait-timeout = \"45m\"    (from CG_WAIT_TIMEOUT)")
        for reportOnly in [OptionKey.emit, .out, .mailTo, .mailSubject, .range] { #expect(line(reportOnly, in: upload.stdout) == nil) }
        // A bad value of upload's is a usage error, as any other setting's.
        let bad = try await runCLI(["upload", clean, "--wait-timeout", "soon"], in: folder.url, environment: ["CG_API_KEY": "k"])
        #expect(bad.status == 2 && bad.stderr.contains("--wait-timeout soon: not a duration (90s, 10m, 2h)"), "\(bad.stderr)")
        // Settings of the other command in the same config file do not disturb either.
        let config = try folder.write("shared.yaml", "wait-timeout: 2h\nemit: [csv]\n")
        let both = try await runCLI(["upload", clean, "--dry-run", "--config", config.path], in: folder.url, environment: ["CG_API_KEY": "k"])
        #expect(both.status == 0 && line(.waitTimeout, in: both.stdout)?.contains("\"2h\"") == true, "\(both.stdout)")
    }

    @Test func everyCommandLinePropertyIsADeclaredSetting() throws {
        // The flags the binary's --help lists are exactly the declared command-line settings (and --config).
        let declared = Set(SettingCatalog.all.filter(\.onCommandLine).map(\.key.rawValue))
        let keys = Set(OptionKey.allCases.map(\.rawValue))
        #expect(declared.isSubset(of: keys))
        #expect(SettingCatalog.all.count == OptionKey.allCases.count, "a key without a declaration")
        for key in OptionKey.allCases {
            #expect(OptionKey.allCases.filter { $0.propertyName == key.propertyName }.count == 1, "\(key) shares a property name")
        }
    }

    @Test func badValuesFailInReplayModeToo() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("pages/p.json", "[]")
        let cases: [(arguments: [String], environment: [String: String], config: String?, named: String)] = [
            (["--page-size", "abc"], [:], nil, "--page-size abc: must be a whole number from 1 to 1000"),
            (["--concurrency", "99"], [:], nil, "--concurrency 99"),
            (["--max-attempts", "0"], [:], nil, "--max-attempts 0"),
            (["--timeout=-5"], [:], nil, "--timeout -5"),
            (["--region", "mars"], [:], nil, "--region mars: choose eu, us or au"),
            (["--format", "yaml"], [:], nil, "--format yaml: choose json or xml"),
            ([], ["CG_PAGE_SIZE": "abc"], nil, "CG_PAGE_SIZE=abc"),
            ([], ["CG_REGION": "mars"], nil, "CG_REGION=mars"),
            ([], [:], "concurrency: 99\n", "sets concurrency to \"99\""),
            ([], [:], "format: yaml\n", "sets format to \"yaml\""),
            (["--base-url", "http://api.example.com"], [:], nil, "plain http"),
            (["--from", "2026-13-01"], [:], nil, "there is no month 13"),
        ]
        for item in cases {
            var arguments = ["report", "--replay", "pages", "--out", "out"] + item.arguments
            if let config = item.config { arguments += ["--config", try folder.write("c.yaml", config).path] }
            let result = try await runCLI(arguments, in: folder.url, environment: item.environment)
            #expect(result.status == 2, "\(item.arguments) \(item.environment)")
            #expect(result.stderr.contains(item.named), "\(result.stderr)")
            #expect(!folder.exists("out"))
        }
    }

    @Test func theManifestRecordsTheSettingsUsedTyped() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("pages/p.json", "[" + recordJSON(id: "1", date: "2026-01-05 10:00:00") + "]")
        let result = try await runCLI(["report", "--replay", "pages", "--out", "out", "--name", "r", "--page-size", "250", "--csv-raw",
                                       "--emit", "csv,html", "--timeout", "2.5"], in: folder.url, environment: ["CG_CONCURRENCY": "3"])
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try JSONParser.parse(Data(try folder.read("out/r.manifest.json").utf8))
        let settings = try #require(manifest["settings"])
        #expect(settings["page-size"] == .number("250"))
        #expect(settings["concurrency"] == .number("3"))
        #expect(settings["max-attempts"] == .number("5"))
        #expect(settings["timeout"] == .number("2.5"))
        #expect(settings["csv-raw"] == .bool(true))
        #expect(settings["skip-invalid"] == .bool(false))
        #expect(settings["emit"] == .array([.string("csv"), .string("html")]))
        #expect(settings["fail-on"] == .array([]))
        #expect(settings["name"] == .string("r"))
    }
}
