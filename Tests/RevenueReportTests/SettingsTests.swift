import Foundation
import Testing
@testable import RevenueReport

/// Flags > environment (CG_ only) > config file > defaults, and what a bad setting says.
@Suite struct SettingsTests {
    func resolve(flags: [OptionKey: [String]] = [:], environment: [String: String] = [:], config: String? = nil,
                 folder: TemporaryFolder) async throws -> RunSettings {
        var path: String?
        if let config { path = try folder.write("settings.yaml", config).path }
        let layers = try await SettingsLayers.load(flags: flags, configPath: path, environment: environment)
        return try RunSettings.resolve(layers, clock: Date(timeIntervalSince1970: 1_780_000_000))
    }

    func pageSize(_ settings: RunSettings) -> Int? {
        if case .api(let api) = settings.source { return api.pageSize }
        return nil
    }

    let credentials = ["CG_API_KEY": "k"]

    @Test func eachLayerOverridesTheOneBelow() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = "page-size: 300\nconcurrency: 2\nout: from-file\n"
        let defaults = try await resolve(environment: credentials, folder: folder)
        #expect(pageSize(defaults) == 1000)
        #expect(defaults.report.outDirectory.path.hasSuffix("reports"))

        let fileOnly = try await resolve(environment: credentials, config: file, folder: folder)
        #expect(pageSize(fileOnly) == 300)
        #expect(fileOnly.report.outDirectory.path == folder.path("from-file").path)  // relative to the file's folder

        var environment = credentials
        environment["CG_PAGE_SIZE"] = "200"
        let environmentOverFile = try await resolve(environment: environment, config: file, folder: folder)
        #expect(pageSize(environmentOverFile) == 200)
        guard case .api(let api) = environmentOverFile.source else { Issue.record("not api"); return }
        #expect(api.concurrency == 2)

        let flagOverAll = try await resolve(flags: [.pageSize: ["100"]], environment: environment, config: file, folder: folder)
        #expect(pageSize(flagOverAll) == 100)
        #expect(flagOverAll.effective.first(where: { $0.key == .pageSize })?.origin == .flag(.pageSize))
        #expect(environmentOverFile.effective.first(where: { $0.key == .pageSize })?.origin == .environment("CG_PAGE_SIZE"))
    }

    @Test func unprefixedEnvironmentVariablesChangeNothing() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let environment = ["NAME": "x", "TO": "2020-01-01", "OUT": "/tmp/elsewhere", "PAGE_SIZE": "5", "REPLAY": "/nowhere", "CG_REPLAY": folder.url.path]
        let settings = try await resolve(environment: environment, folder: folder)
        #expect(settings.report.stem == "revenue-uploads_all")
        #expect(settings.report.filter.to == nil)
        #expect(settings.report.outDirectory.path.hasSuffix("/reports"))
        guard case .replay(let replay) = settings.source else { Issue.record("CG_REPLAY ignored"); return }
        #expect(replay.path == folder.url.path)
    }

    @Test(arguments: [
        ("pagesize: 5\n", "unknown key \"pagesize\""),
        ("page_size: 5\n", "did you mean page-size?"),
        ("client-secret: hunter2\n", "secrets are not read from the config file"),
        ("page-size: lots\n", "sets page-size to \"lots\": must be a whole number from 1 to 1000"),
        ("page-size: 5000\n", "1 to 1000"),
        ("emit:\n  nested: true\n", "emit"),
        ("from: 2026-02-30\n", "sets from to \"2026-02-30\": day 30 does not exist: 2026-02 has 28 days"),
        ("range: fortnight\n", "fortnight"),
        ("- just\n- a list\n", "key: value"),
        ("page-size: [1, 2]\n", "single value"),
        ("base-url: http://api.example.com\n", "base-url in"),
    ])
    func badConfigFilesNameTheKeyAndTheFile(config: String, expected: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        do {
            _ = try await resolve(environment: credentials, config: config, folder: folder)
            Issue.record("accepted \(config)")
        } catch let error as ReportError {
            #expect(error.exitCode == 2)
            #expect(error.description.contains(expected), "\(error)")
            #expect(error.description.contains("settings.yaml"), "\(error)")
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func listsAcceptYAMLListsAndCommaText() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let settings = try await resolve(environment: credentials, config: "emit: [csv, html]\nfail-on: unsuccessful, has-logs\nmail-to:\n  - a@example.com\n  - b@example.com\n", folder: folder)
        #expect(settings.report.outputs == [.csv, .html])
        #expect(settings.report.failOn == [.unsuccessful, .hasLogs])
        #expect(settings.mail.to == ["a@example.com", "b@example.com"])
    }

    @Test func secretsComeFromTheEnvironmentOrFilesAndAreNeverRecorded() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("secret.txt", "  s3cr3t-from-file \n")
        let settings = try await resolve(environment: ["CG_CLIENT_ID": "client-7"], config: "client_secret_file: secret.txt\n", folder: folder)
        guard case .api(let api) = settings.source else { Issue.record("not api"); return }
        #expect(api.credentials == .oauth(clientID: "client-7", clientSecret: Secret("s3cr3t-from-file")))
        #expect(!settings.effectiveJSON.compactText.contains("s3cr3t"))
        #expect(!api.credentialsOrigin.contains("s3cr3t"))

        let key = try await resolve(environment: ["CG_API_KEY_FILE": folder.path("secret.txt").path], folder: folder)
        guard case .api(let keyAPI) = key.source else { Issue.record("not api"); return }
        #expect(keyAPI.credentials == .apiKey(Secret("s3cr3t-from-file")))
    }

    @Test func rangeAndFromToTogetherOrReversedAreUsageErrors() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        await #expect(throws: ReportError.self) {
            _ = try await resolve(flags: [.range: ["yesterday"], .from: ["2026-01-01"]], environment: credentials, folder: folder)
        }
        await #expect(throws: ReportError.self) {
            _ = try await resolve(flags: [.from: ["2026-02-01"], .to: ["2026-01-01"]], environment: credentials, folder: folder)
        }
    }

    @Test(arguments: ["nightly.yaml", "monthly-audit.yaml"])
    func theBundledExampleConfigsAreValid(name: String) async throws {
        let path = packageRoot.appendingPathComponent("examples/\(name)").path
        let layers = try await SettingsLayers.load(flags: [.dryRun: ["true"]], configPath: path, environment: ["CG_API_KEY": "k"])
        let settings = try RunSettings.resolve(layers, clock: Date(timeIntervalSince1970: 1_780_000_000))
        #expect(settings.rangeName != nil)
        #expect(settings.report.filter.from != nil)
        #expect(settings.displayZone.identifier == "Europe/Amsterdam")
    }

    @Test func theRangeIsInTheDefaultStem() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let settings = try await resolve(flags: [.range: ["last-month"], .now: ["2026-03-15T10:00:00Z"]], environment: credentials, folder: folder)
        #expect(settings.report.stem == "revenue-uploads_2026-02-01_2026-02-28")
    }
}

/// Every range name, at month and year ends and across a DST change.
@Suite struct RelativeRangeTests {
    func range(_ name: String, _ now: String, zone: String = "UTC") throws -> String {
        let time = try #require(UploadTime.parse(now, zone: .utc))
        let days = try RelativeRange.resolve(name, now: Date(timeIntervalSince1970: TimeInterval(time.instant)), zone: try #require(SourceZone(identifier: zone)))
        return "\(days.from)..\(days.to)"
    }

    @Test func lastMonthAtYearAndLeapMonthEnds() throws {
        #expect(try range("last-month", "2026-01-01T00:00:00Z") == "2025-12-01..2025-12-31")
        #expect(try range("last-month", "2024-03-01T12:00:00Z") == "2024-02-01..2024-02-29")
        #expect(try range("last-month", "2026-03-01T12:00:00Z") == "2026-02-01..2026-02-28")
        #expect(try range("last-month", "2026-12-31T23:59:59Z") == "2026-11-01..2026-11-30")
    }

    @Test func everyNameOnTheFirstOfTheYear() throws {
        let now = "2027-01-01T08:00:00Z"
        #expect(try range("today", now) == "2027-01-01..2027-01-01")
        #expect(try range("yesterday", now) == "2026-12-31..2026-12-31")
        #expect(try range("last-7-days", now) == "2026-12-25..2026-12-31")
        #expect(try range("last-30-days", now) == "2026-12-02..2026-12-31")
        #expect(try range("month-to-date", now) == "2027-01-01..2027-01-01")
        #expect(try range("2024-02", now) == "2024-02-01..2024-02-29")
        #expect(try range("2026-12", now) == "2026-12-01..2026-12-31")
    }

    @Test func theZoneDecidesWhatTodayIs() throws {
        // 23:30 UTC on 31 March is already 1 April in Amsterdam.
        #expect(try range("yesterday", "2026-03-31T23:30:00Z") == "2026-03-30..2026-03-30")
        #expect(try range("yesterday", "2026-03-31T23:30:00Z", zone: "Europe/Amsterdam") == "2026-03-31..2026-03-31")
        #expect(try range("month-to-date", "2026-03-31T23:30:00Z", zone: "Europe/Amsterdam") == "2026-04-01..2026-04-01")
    }

    @Test func yesterdayAcrossTheDSTChangeInAmsterdam() throws {
        let amsterdam = try #require(SourceZone(identifier: "Europe/Amsterdam"))
        // 29 March 2026 has 23 hours in Amsterdam: clocks go from 02:00 to 03:00.
        #expect(try range("yesterday", "2026-03-30T00:30:00+02:00", zone: "Europe/Amsterdam") == "2026-03-29..2026-03-29")
        let spring = RecordFilter(from: CivilDate("2026-03-29"), to: CivilDate("2026-03-29"), zone: amsterdam).bounds(sourceZone: .utc)
        #expect(spring.start == UploadTime.parse("2026-03-28T23:00:00Z", zone: .utc)!.instant)
        #expect(spring.end! - spring.start! == 23 * 3600)
        // 25 October 2026 has 25 hours.
        #expect(try range("yesterday", "2026-10-26T09:00:00+01:00", zone: "Europe/Amsterdam") == "2026-10-25..2026-10-25")
        let autumn = RecordFilter(from: CivilDate("2026-10-25"), to: CivilDate("2026-10-25"), zone: amsterdam).bounds(sourceZone: .utc)
        #expect(autumn.end! - autumn.start! == 25 * 3600)
        // The API is asked for the source zone's days that cover it and the day before it (the
        // report compares with the previous period): 24 October in Amsterdam starts at 22:00 UTC on the 23rd.
        let query = APIQuery(filter: RecordFilter(from: CivilDate("2026-10-25"), to: CivilDate("2026-10-25"), zone: amsterdam), pageSize: 10)
        #expect(query.items(start: 0).map { "\($0.0)=\($0.1)" }.prefix(2) == ["date_range_from=2026-10-23", "date_range_to=2026-10-26"])
    }

    @Test func unknownNamesAreUsageErrors() {
        #expect(throws: ReportError.self) { try range("last-week", "2026-01-01T00:00:00Z") }
        #expect(throws: ReportError.self) { try range("2026-13", "2026-01-01T00:00:00Z") }
    }
}
