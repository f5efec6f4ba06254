import CustomerGaugeSandbox
import Foundation
import Testing
import RevenueReport

/// What a nightly job relies on: exit codes, the manifest, clean stderr, no secret anywhere.
@Suite struct BatchRunTests {
    let examples = packageRoot.appendingPathComponent("examples/responses").path

    @Test func exitCodes0123EndToEnd() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let base = ["report", "--replay", examples, "--from", "2026-03-01", "--to", "2026-03-31"]
        let done = try await runCLI(base + ["--out", "ok"], in: folder.url)
        #expect(done.status == 0)

        try folder.write("bad/page-1.json", "[{\"id\":\"1\",\"date_upload\":\"2026-03-02 10:00:00\",\"total_records\":\"abc\"}]")
        let failed = try await runCLI(["report", "--replay", "bad", "--out", "bad-out"], in: folder.url)
        #expect(failed.status == 1)

        let usage = try await runCLI(base + ["--range", "yesterday"], in: folder.url)
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("--range"))

        let alert = try await runCLI(base + ["--out", "alert", "--fail-on", "unsuccessful,not-processed"], in: folder.url)
        #expect(alert.status == 3)
        #expect(alert.stderr.contains("fail-on unsuccessful,not-processed"))
        #expect(alert.stderr.contains("[unsuccessful"))
        // Everything was written before exiting 3.
        #expect(try folder.listing("alert").count == 4)
        let clean = try await runCLI(["report", "--replay", "bad", "--out", "none", "--fail-on", "unsuccessful", "--skip-invalid"], in: folder.url)
        #expect(clean.status == 0)
    }

    @Test func manyFailOnMatchesAreCountedNotAllPrinted() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let result = try await runCLI(["report", "--replay", examples, "--out", "out", "--fail-on", "not-processed", "--quiet"], in: folder.url)
        #expect(result.status == 3)
        let listed = result.stderr.split(separator: "\n").filter { $0.hasPrefix("  upload ") }
        #expect(listed.count == 200)
        #expect(result.stderr.contains("more, listed in the manifest"))
        let manifest = try folder.read("out/revenue-uploads_all.manifest.json")
        #expect(manifest.components(separatedBy: "\"not-processed\"").count - 1 > 200)
    }

    @Test func theManifestHashesMatchTheFiles() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let result = try await runCLI(["report", "--replay", examples, "--range", "2026-02", "--now", "2026-03-15T10:00:00Z", "--out", "out"], in: folder.url)
        #expect(result.status == 0)
        let stem = "revenue-uploads_2026-02-01_2026-02-28"
        let manifestText = try folder.read("out/\(stem).manifest.json")
        let manifest = try JSONSerialization.jsonObject(with: Data(manifestText.utf8)) as! [String: Any]
        let outputs = manifest["outputs"] as! [[String: Any]]
        #expect(outputs.map { $0["name"] as! String } == ["\(stem).csv", "\(stem).ndjson", "\(stem).html"])
        for output in outputs {
            let data = try Data(contentsOf: folder.path("out/\(output["name"] as! String)"))
            #expect(output["sha256"] as? String == sha256Hex(data))
            #expect((output["bytes"] as? NSNumber)?.intValue == data.count)
        }
        let pages = manifest["pages"] as! [[String: Any]]
        #expect(pages.count == 3)
        for page in pages {
            #expect(page["sha256"] as? String == sha256Hex(try Data(contentsOf: URL(fileURLWithPath: page["origin"] as! String))))
        }
        let range = manifest["range"] as! [String: Any]
        #expect(range["from"] as? String == "2026-02-01")
        #expect(range["to"] as? String == "2026-02-28")
        #expect(range["name"] as? String == "2026-02")
        #expect(manifest["version"] as? String == ToolVersion.current)
        let counts = manifest["counts"] as! [String: Any]
        #expect((counts["read"] as? NSNumber)?.intValue == 2300)
    }

    @Test func stderrOnAPipeHasNoTerminalControlCharacters() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let result = try await runCLI(["report", "--replay", examples, "--log-level", "debug"], in: folder.url, environment: ["TERM": "xterm-256color"])
        #expect(result.status == 0)
        #expect(!result.stderr.isEmpty)
        #expect(!result.stderr.contains("\u{1B}"))
        #expect(!result.stderr.contains("\r"))
    }

    @Test func jsonLogsAreOneObjectALine() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let result = try await runCLI(["report", "--replay", examples, "--log-format", "json"], in: folder.url)
        #expect(result.status == 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count >= 3)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] != nil && object?["message"] != nil && object?["time"] != nil)
        }
    }

    @Test func quietLogsNothingOnSuccess() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let result = try await runCLI(["report", "--replay", examples, "--quiet"], in: folder.url)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
    }

    @Test func aDebugRunLeavesNoSecretAnywhere() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var options = sandboxOptions(uploads: 300, from: "2026-01-01", to: "2026-01-31")
        options.clientSecret = "Sup3r-S3cret-Value"
        options.tokenUses = 1  // forces a token refresh mid-run, with its logging
        try await withSandbox(options) { sandbox, _ in
            let environment = ["CG_CLIENT_ID": "sandbox-client", "CG_CLIENT_SECRET": "Sup3r-S3cret-Value"]
            for format in ["json", "xml"] {
                let result = try await runCLI(["report", "--base-url", sandbox.url, "--auth-url", sandbox.url, "--format", format, "--page-size", "100", "--concurrency", "1",
                                               "--log-level", "trace", "--archive-raw", "archive-\(format)", "--out", "out-\(format)"],
                                              in: folder.url, environment: environment)
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.stderr.contains("GET http://127.0.0.1"))
                #expect(!result.stdout.contains("Sup3r-S3cret-Value"))
                #expect(!result.stderr.contains("Sup3r-S3cret-Value"))
                #expect(!result.stderr.contains("sandbox-token-"))
            }
            let dry = try await runCLI(["report", "--base-url", sandbox.url, "--auth-url", sandbox.url, "--dry-run"], in: folder.url, environment: environment)
            #expect(dry.status == 0)
            #expect(dry.stdout.contains("********"))
            #expect(!dry.stdout.contains("Sup3r-S3cret-Value"))
        }
        // Every file the runs wrote: outputs, manifests, archived pages and sidecars.
        let enumerator = FileManager.default.enumerator(at: folder.url, includingPropertiesForKeys: nil)!
        var checked = 0
        for case let file as URL in enumerator where !file.hasDirectoryPath {
            let text = String(decoding: try Data(contentsOf: file), as: UTF8.self)
            #expect(!text.contains("Sup3r-S3cret-Value"), "\(file.path)")
            #expect(!text.contains("sandbox-token-"), "\(file.path)")
            checked += 1
        }
        #expect(checked >= 12)
    }

    @Test func dryRunTouchesNeitherNetworkNorFiles() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        // Port 9 on loopback: nothing listens; a request would fail the run.
        let result = try await runCLI(["report", "--base-url", "http://127.0.0.1:9", "--auth-url", "http://127.0.0.1:9", "--range", "yesterday",
                                       "--now", "2026-03-15T10:00:00Z", "--dry-run", "--out", "out"],
                                      in: folder.url, environment: ["CG_API_KEY": "key-123456"])
        #expect(result.status == 0, "\(result.stderr)")
        // Yesterday (14 March) and the day before it, for the report's comparison.
        #expect(result.stdout.contains("date_range_from=2026-03-13&date_range_to=2026-03-15&start=0&limit=1000"))
        #expect(!result.stdout.contains("key-123456"))
        #expect(!folder.exists("out"))
    }

    @Test func configFileDrivesARunAndAnUnknownKeyStopsIt() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("nightly.yaml", "replay: \(examples)\nemit: csv\nout: nightly-out\nname: fixed\n")
        let result = try await runCLI(["report", "--config", "nightly.yaml"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try folder.listing("nightly-out") == ["fixed.csv", "fixed.manifest.json"])

        try folder.write("typo.yaml", "replay: \(examples)\nouts: somewhere\n")
        let typo = try await runCLI(["report", "--config", "typo.yaml"], in: folder.url)
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("outs") && typo.stderr.contains("typo.yaml"))
    }
}
