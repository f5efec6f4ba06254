import Foundation
import RevenueReport
import Testing

/// The built `cg-revenue` binary, run as a user would: exit codes, messages, files left behind.
@Suite struct CommandLineTests {
    let goodPage = "[" + recordJSON(id: "1", date: "2026-01-05 10:00:00") + "," + recordJSON(id: "2", date: "2026-01-06 10:00:00") + "]"

    @Test func aRecordThatCannotBeTypedExits1NamingIdAndPage() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("pages/page-1.json", goodPage)
        try folder.write("pages/page-2.json", "[" + recordJSON(id: "77", date: "2026-01-07 10:00:00", total: "abc") + "]")
        let result = try await runCLI(["report", "--replay", "pages", "--out", "out"], in: folder.url)
        #expect(result.status == 1)
        #expect(result.stderr.contains("record id 77"))
        #expect(result.stderr.contains("page-2.json"))
        #expect(result.stderr.contains("total_records \"abc\""))
        #expect(try folder.listing("out").isEmpty)

        // Told to skip it: the run completes and the report names it.
        let skipped = try await runCLI(["report", "--replay", "pages", "--out", "out", "--skip-invalid", "--name", "r"], in: folder.url)
        #expect(skipped.status == 0)
        #expect(skipped.stderr.contains("record id 77"))
        #expect(try folder.read("out/r.csv").split(separator: "\r\n").count == 3)
        #expect(try folder.read("out/r.html").contains("Records that could not be read (1)"))
    }

    @Test(arguments: [("page-2.json", "[{\"id\": \"3\", "), ("page-2.xml", "<Data><record><id>3</id></Data>")])
    func aMalformedPageExits1NamingTheFileAndLeavesEarlierOutputsAlone(name: String, body: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("pages/page-1.json", goodPage)
        let first = try await runCLI(["report", "--replay", "pages", "--out", "out", "--name", "r"], in: folder.url)
        #expect(first.status == 0)
        let before = try folder.listing("out")
        #expect(before == ["r.csv", "r.html", "r.manifest.json", "r.ndjson"])
        let csvBefore = try folder.read("out/r.csv")

        try folder.write("pages/\(name)", body)
        let result = try await runCLI(["report", "--replay", "pages", "--out", "out", "--name", "r"], in: folder.url)
        #expect(result.status == 1)
        #expect(result.stderr.contains(name))
        #expect(try folder.listing("out") == before)
        #expect(try folder.read("out/r.csv") == csvBefore)

        let fresh = try await runCLI(["report", "--replay", "pages", "--out", "fresh"], in: folder.url)
        #expect(fresh.status == 1)
        #expect(try folder.listing("fresh").isEmpty)
    }

    @Test func idWithASingleRecordPage() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("pages/one.json", recordJSON(id: "123"))
        let result = try await runCLI(["report", "--replay", "pages", "--id", "123", "--out", "out"], in: folder.url)
        #expect(result.status == 0)
        let csv = try folder.read("out/revenue-uploads_id-123.csv")
        #expect(csv == "id,status,source_filename,date_upload,total_records,successful_records,unsuccessful_records,success_rate,log_count,logs\r\n"
            + "123,Processed,RevenueUploadTemplate_5May2019.xlsx,2019-05-15T11:35:54Z,3,3,0,1.0000,0,[]\r\n")
        let other = try await runCLI(["report", "--replay", "pages", "--id", "124", "--out", "out", "--emit", "ndjson"], in: folder.url)
        #expect(other.status == 0)
        #expect(try folder.read("out/revenue-uploads_id-124.ndjson").isEmpty)
    }

    @Test func defaultStemAndOutputsAndStdout() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("pages/p.xml", "<Data><r><id>5</id><date_upload>2026-01-05 00:00:00</date_upload></r></Data>")
        let result = try await runCLI(["report", "--replay", "pages", "--from", "2026-01-01", "--to", "2026-01-31"], in: folder.url)
        #expect(result.status == 0)
        #expect(try folder.listing("reports") == ["revenue-uploads_2026-01-01_2026-01-31.csv", "revenue-uploads_2026-01-01_2026-01-31.html",
                                                  "revenue-uploads_2026-01-01_2026-01-31.manifest.json", "revenue-uploads_2026-01-01_2026-01-31.ndjson"])
        #expect(result.stdout.split(separator: "\n").count == 4)
        let all = try await runCLI(["report", "--replay", "pages"], in: folder.url)
        #expect(all.status == 0)
        #expect(folder.exists("reports/revenue-uploads_all.csv"))
    }

    @Test(arguments: [
        (["report", "--replay", "pages", "--from", "2026-13-01"], "--from"),
        (["report", "--replay", "pages", "--from", "2026-02-01", "--to", "2026-01-01"], "--from"),
        (["report", "--replay", "pages", "--emit", "csv,pdf"], "pdf"),
        (["report", "--replay", "pages", "--source-timezone", "Mars/Olympus"], "Mars/Olympus"),
        (["report", "--replay", "missing-folder"], "missing-folder"),
        (["report", "--replay", "pages", "--bogus"], "--bogus"),
        (["report", "--replay", "pages", "--name", "../escape"], "--name"),
    ])
    func usageErrorsExit2NamingTheProblem(arguments: [String], named: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("pages/p.json", goodPage)
        let result = try await runCLI(arguments, in: folder.url)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(named))
        #expect(!folder.exists("reports"))
    }

    @Test func aSourceRepeatingWholePagesIsStopped() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("pages/page-1.json", goodPage)
        try folder.write("pages/page-2.json", goodPage)
        let result = try await runCLI(["report", "--replay", "pages", "--out", "out"], in: folder.url)
        #expect(result.status == 1)
        #expect(result.stderr.contains("page-2.json"))
        #expect(result.stderr.contains("already seen"))
    }

    @Test func versionAndHelp() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let version = try await runCLI(["--version"], in: folder.url)
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
        let help = try await runCLI(["report", "--help"], in: folder.url)
        #expect(help.status == 0)
        for option in ["--replay", "--from", "--to", "--id", "--emit", "--out", "--name", "--source-timezone", "--log-level", "--csv-raw"] {
            #expect(help.stdout.contains(option), "\(option) missing from --help")
        }
    }

    /// Every setting of the README's "Usage" is a flag in `--help` and a row of the README's table.
    @Test func helpAndReadmeNameEveryOption() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let help = try await runCLI(["report", "--help"], in: folder.url).stdout
        let uploadHelp = try await runCLI(["upload", "--help"], in: folder.url).stdout
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for key in OptionKey.allCases where ![.clientID, .clientSecretFile, .apiKeyFile, .historyPasswordFile].contains(key) {
            // Upload's own (`--api-format`, `--wait-timeout`, …) are in upload's help; report's is `--format`.
            #expect((key.spec.scope == .upload ? uploadHelp : help).contains("--\(key.rawValue)"), "--\(key.rawValue) missing from --help")
            #expect(readme.contains("`--\(key.rawValue)"), "--\(key.rawValue) missing from the README")
        }
        for key in [OptionKey.clientSecretFile, .apiKeyFile, .historyPasswordFile] {
            #expect(readme.contains(key.rawValue) && help.contains(key.rawValue))
        }
    }

    @Test func noTemporaryFilesAreLeftBehind() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("pages/p.json", goodPage)
        let done = try await runCLI(["report", "--replay", "pages", "--out", "out", "--name", "r"], in: folder.url)
        #expect(done.status == 0, "\(done.stderr)")
        // Exactly the outputs: no temporary file (they start with a dot) beside them.
        #expect(try folder.listing("out") == ["r.csv", "r.html", "r.manifest.json", "r.ndjson"])
        // A failed run into the same folder leaves it exactly as it was.
        try folder.write("pages/q.json", "[{\"id\": ")
        let failed = try await runCLI(["report", "--replay", "pages", "--out", "out", "--name", "r"], in: folder.url)
        #expect(failed.status == 1)
        #expect(try folder.listing("out") == ["r.csv", "r.html", "r.manifest.json", "r.ndjson"])
    }
}

/// What the package installs runs as it is: the unit's command line with the packaged config (their
/// /var/lib/cg-revenue moved to a temporary folder) is a plan without a problem.
@Suite struct PackagedUnitTests {
    @Test func theNightlyUnitsCommandWithThePackagedConfigIsAPlanWithoutProblems() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let state = folder.path("state").path
        try FileManager.default.createDirectory(atPath: state + "/metrics", withIntermediateDirectories: true)
        let unit = try String(contentsOf: packageRoot.appendingPathComponent("packaging/systemd/cg-revenue-nightly.service"), encoding: .utf8)
        let execStart = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        var words = execStart.dropFirst("ExecStart=".count).split(separator: " ").map(String.init)
        #expect(words.first == "/usr/bin/cg-revenue")
        words.removeFirst()
        let config = try String(contentsOf: packageRoot.appendingPathComponent("packaging/config.yaml"), encoding: .utf8)
        let movedConfig = try folder.write("config.yaml", config.replacingOccurrences(of: "/var/lib/cg-revenue", with: state))
        let arguments = words.map { $0 == "/etc/cg-revenue/config.yaml" ? movedConfig.path : $0.replacingOccurrences(of: "/var/lib/cg-revenue", with: state) }
        let plan = try await runCLI(arguments + ["--dry-run"], in: folder.url, environment: ["CG_API_KEY": "k"])
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout.contains("range = \"since-last-run\"") && plan.stdout.contains("history"), "\(plan.stdout)")
        // The timer catches up a night missed while the host was down.
        let timer = try String(contentsOf: packageRoot.appendingPathComponent("packaging/systemd/cg-revenue-nightly.timer"), encoding: .utf8)
        #expect(timer.contains("\nPersistent=true\n") && timer.contains("\nOnCalendar="))
    }
}
