import CustomerGaugeSandbox
import Foundation
import Testing
@testable import RevenueReport

/// `--history`, through the built binary against a sandbox whose data moves between runs: exact
/// new, changed and finished counts, uploads asked for again by id, `--alert-once`,
/// `--range since-last-run` after a failed night, the `history` commands, and every fault the
/// README lists (not a history, truncated, newer schema, a second run, kill -9, a full disk).
/// Each test uses a real SQLite file in a temporary folder, and `sqlite3` to check its integrity.
@Suite struct HistoryTests {
    /// 400 uploads over June and the first half of July 2026; the nights move it on from there.
    static func options() -> SandboxOptions { sandboxOptions(uploads: 400, from: "2026-06-01", to: "2026-07-15") }

    /// A run of `cg-revenue report` against the sandbox, API key, with a history in `folder`.
    func night(_ sandbox: RunningSandbox, _ folder: TemporaryFolder, _ arguments: [String], history: String = "h.sqlite",
               apiKey: String = "sandbox-api-key") async throws -> CommandResult {
        try await runCLI(["report", "--base-url", sandbox.url, "--auth-url", sandbox.url, "--out", "out", "--name", "r",
                          "--history", history] + arguments,
                         in: folder.url, environment: ["CG_API_KEY": apiKey])
    }

    func manifest(_ folder: TemporaryFolder) throws -> JSONValue {
        try JSONParser.parse(Data(try folder.read("out/r.manifest.json").utf8))
    }

    func historyObject(_ folder: TemporaryFolder) throws -> [String: String] {
        guard case .object(let members)? = try manifest(folder)["history"] else { return [:] }
        return Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0.value.numberText ?? $0.value.stringText ?? "null") })
    }

    /// The uploads of an NDJSON output, by id: status and the three counts as text.
    func rows(_ text: String) throws -> [Int64: [String]] {
        var rows: [Int64: [String]] = [:]
        for line in text.split(separator: "\n") {
            let value = try JSONParser.parse(Data(line.utf8))
            let fields = ["status", "total_records", "successful_records", "unsuccessful_records"].map { value[$0]?.numberText ?? value[$0]?.stringText ?? "null" }
            rows[Int64(value["id"]!.numberText!)!] = fields
        }
        return rows
    }

    @Test(arguments: [HistoryStoreConformanceTests.StoreUnderTest.sqlite, .postgres])
    func twoRunsWithDataThatMovedInBetweenCountNewChangedAndFinishedExactly(store kind: HistoryStoreConformanceTests.StoreUnderTest) async throws {
        let history = try kind.historyValue()
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox(Self.options()) { sandbox, server in
            let first = try await night(sandbox, folder, ["--from", "2026-07-01", "--to", "2026-07-15", "--now", "2026-07-16T02:00:00Z", "--emit", "ndjson"], history: history)
            #expect(first.status == 0, "\(first.stderr)")
            let before = try rows(try folder.read("out/r.ndjson"))
            #expect(try historyObject(folder) == ["file": history, "run": "1", "previous_run": "null", "new": String(before.count), "changed": "0", "revisited": "0"])
            let processing = before.filter { $0.value[0] == "Processing" }.count
            #expect(processing > 0, "the generated data has uploads still processing")

            let moved = server.advanceNight(newUploads: 6)
            let second = try await night(sandbox, folder, ["--from", "2026-07-01", "--to", "2026-07-16", "--now", "2026-07-17T02:00:00Z",
                                                           "--emit", "ndjson,html,eml", "--mail-to", "ops@example.com"], history: history)
            #expect(second.status == 0, "\(second.stderr)")
            let after = try rows(try folder.read("out/r.ndjson"))
            let changed = after.filter { id, values in before[id].map { $0 != values } ?? false }.count
            #expect(changed == processing, "every upload that was processing has finished")
            #expect(try historyObject(folder) == ["file": history, "run": "2", "previous_run": "1", "new": "6", "changed": String(changed), "revisited": "0"])
            #expect(Set(after.keys).subtracting(before.keys) == Set(moved.added))

            // The report says so, in the HTML and in the email's text part (read with Python's email).
            let html = try folder.read("out/r.html")
            #expect(html.contains("Since the last run"))
            let script = try folder.write("text.py", """
                import email, json, sys
                message = email.message_from_bytes(open(sys.argv[1], 'rb').read())
                text = [part.get_payload(decode=True).decode() for part in message.walk() if part.get_content_type() == 'text/plain'][0]
                print(json.dumps({"text": text}))
                """)
            let text = try await runPython(script, [folder.path("out/r.eml").path])["text"] as? String ?? ""
            #expect(text.contains("New uploads: 6\r\n"))
            #expect(text.contains("Changed uploads: \(changed)\r\n"))
            #expect(text.contains("Finished since the last run: \(changed)\r\n"))

            // The history holds both runs, and an observation per change.
            let runs = try await runCLI(["history", "runs", "--history", history, "--format", "json"], in: folder.url)
            let listed = try JSONParser.parse(Data(runs.stdout.utf8))
            #expect(listed[0]?["run"]?.numberText == "2" && listed[1]?["run"]?.numberText == "1")
            #expect(listed[0]?["status"]?.stringText == "ok" && listed[0]?["new"]?.numberText == "6" && listed[0]?["changed"]?.numberText == String(changed))
            #expect(listed[0]?["uploads"]?.numberText == String(after.count))
            let finishedID = after.first { id, values in before[id].map { $0 != values } ?? false }!.key
            let upload = try await runCLI(["history", "upload", String(finishedID), "--history", history, "--format", "json"], in: folder.url)
            let observations = try JSONParser.parse(Data(upload.stdout.utf8))["observations"]
            #expect(observations?[0]?["status"]?.stringText == "Processing")
            #expect(observations?[1]?["status"]?.stringText == after[finishedID]![0])
            #expect(observations?[1]?["run"]?.numberText == "2")
            switch kind {
            case .sqlite:
                #expect(try await sqlite("h.sqlite", "PRAGMA integrity_check; SELECT count(*) FROM observation; SELECT count(*) FROM upload;", in: folder) == "ok\n\(changed)\n\(after.count)\n")
            case .postgres, .postgresTLS:
                let database = String(history.split(separator: "/").last!)
                #expect(try postgresCluster().psql(database, "SELECT (SELECT count(*) FROM cg_revenue.observation) || ' ' || (SELECT count(*) FROM cg_revenue.upload)")
                        == "\(changed) \(after.count)\n")
            }
        }
    }

    @Test(arguments: [HistoryStoreConformanceTests.StoreUnderTest.sqlite, .postgres])
    func uploadsLastSeenProcessingAreAskedForAgainByIDAndReportedFinished(store kind: HistoryStoreConformanceTests.StoreUnderTest) async throws {
        let history = try kind.historyValue()
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox(Self.options()) { sandbox, server in
            let first = try await night(sandbox, folder, ["--from", "2026-07-01", "--to", "2026-07-15", "--now", "2026-07-16T02:00:00Z", "--emit", "ndjson"], history: history)
            #expect(first.status == 0, "\(first.stderr)")
            let processing = Set(try rows(try folder.read("out/r.ndjson")).filter { $0.value[0] == "Processing" }.keys)
            server.advanceNight(newUploads: 4)
            // The next night covers only the new day: the uploads of July 1-15 are outside it.
            let second = try await night(sandbox, folder, ["--from", "2026-07-16", "--to", "2026-07-16", "--now", "2026-07-17T02:00:00Z",
                                                           "--compare", "none", "--emit", "ndjson,eml", "--mail-to", "ops@example.com",
                                                           "--fail-on", "not-processed"], history: history)
            let recorded = try historyObject(folder)
            #expect(recorded["revisited"] == String(processing.count) && recorded["new"] == "4" && recorded["changed"] == "0")
            // One request by id each, through the same fetch path: the manifest lists those pages.
            let asked = try manifest(folder)["pages"]!.arrayItems.compactMap { $0["origin"]?.stringText }.filter { $0.contains("id=") }
            #expect(Set(asked.compactMap { URLComponents(string: $0)?.queryItems?.first { $0.name == "id" }?.value }.compactMap { Int64($0) }) == processing)
            // They are not rows of the range, but they are in the report and, when they match, in --fail-on.
            #expect(try rows(try folder.read("out/r.ndjson")).count == 4)
            let failedAgain = processing.filter { $0 % 4 == 0 }  // the sandbox fails one in four
            for id in failedAgain {
                #expect(second.stderr.contains("upload \(id) [not-processed]: Failed") && second.stderr.contains("asked again: uploaded 2026-07"))
            }
            #expect(second.status == 3)
            let eml = try folder.read("out/r.eml")
            #expect(!eml.isEmpty)
            let observations = try await runCLI(["history", "upload", String(processing.first!), "--history", history], in: folder.url)
            #expect(observations.stdout.contains("2 observation(s)"))
        }
    }

    @Test(arguments: [HistoryStoreConformanceTests.StoreUnderTest.sqlite, .postgres])
    func alertOnceAlertsThenStaysQuietThenAlertsWhatIsNewlyFailing(store kind: HistoryStoreConformanceTests.StoreUnderTest) async throws {
        let history = try kind.historyValue()
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox(Self.options()) { sandbox, server in
            let range = ["--from", "2026-07-10", "--to", "2026-07-15", "--fail-on", "unsuccessful", "--alert-once", "--compare", "none", "--emit", "ndjson"]
            func matches(_ result: CommandResult) -> Set<Int64> {
                Set(result.stderr.split(separator: "\n").filter { $0.hasPrefix("  upload ") }.compactMap { Int64($0.split(separator: " ")[1]) })
            }
            let first = try await night(sandbox, folder, range + ["--now", "2026-07-16T02:00:00Z"], history: history)
            let failing = try rows(try folder.read("out/r.ndjson")).filter { Int($0.value[3]) ?? 0 > 0 }
            #expect(first.status == 3 && matches(first) == Set(failing.keys) && !failing.isEmpty)

            let second = try await night(sandbox, folder, range + ["--now", "2026-07-16T03:00:00Z"], history: history)
            #expect(second.status == 0 && matches(second).isEmpty, "\(second.stderr)")
            #expect(second.stderr.contains("--alert-once: \(failing.count) match(es) already alerted"))

            // A night later: the uploads that were processing finish (one in four fails), new ones come.
            server.advanceNight(newUploads: 30)
            let third = try await night(sandbox, folder, ["--from", "2026-07-10", "--to", "2026-07-16", "--fail-on", "unsuccessful", "--alert-once",
                                                          "--compare", "none", "--emit", "ndjson", "--now", "2026-07-17T02:00:00Z"], history: history)
            let now = try rows(try folder.read("out/r.ndjson"))
            let newlyFailing = Set(now.filter { id, values in (Int(values[3]) ?? 0) > 0 && failing[id] != values }.keys)
            #expect(!newlyFailing.isEmpty)
            #expect(third.status == 3 && matches(third) == newlyFailing)
        }
    }

    @Test(arguments: [HistoryStoreConformanceTests.StoreUnderTest.sqlite, .postgres])
    func sinceLastRunAfterAFailedNightCoversTheSkippedDay(store kind: HistoryStoreConformanceTests.StoreUnderTest) async throws {
        let history = try kind.historyValue()
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox(Self.options()) { sandbox, _ in
            let first = try await night(sandbox, folder, ["--range", "since-last-run", "--now", "2026-07-14T02:00:00Z"], history: history)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(try manifest(folder)["range"]?["from"]?.stringText == "2026-07-13")  // no run yet: yesterday

            let failed = try await night(sandbox, folder, ["--range", "since-last-run", "--now", "2026-07-15T02:00:00Z"], history: history, apiKey: "wrong")
            #expect(failed.status == 1)

            let third = try await night(sandbox, folder, ["--range", "since-last-run", "--now", "2026-07-16T02:00:00Z"], history: history)
            #expect(third.status == 0, "\(third.stderr)")
            let range = try manifest(folder)["range"]
            #expect(range?["from"]?.stringText == "2026-07-14" && range?["to"]?.stringText == "2026-07-15")

            // Nothing left: says so, writes nothing, exits 0.
            let outputs = try folder.listing("out")
            let fourth = try await night(sandbox, folder, ["--range", "since-last-run", "--now", "2026-07-16T09:00:00Z"], history: history)
            #expect(fourth.status == 0 && fourth.stderr.contains("nothing left to cover") && fourth.stdout.isEmpty)
            #expect(try folder.listing("out") == outputs)

            let runs = try JSONParser.parse(Data(try await runCLI(["history", "runs", "--history", history, "--format", "json"], in: folder.url).stdout.utf8))
            #expect(runs.arrayItems.map { $0["status"]?.stringText ?? "" } == ["ok", "failed", "ok"])
            #expect(runs[1]?["exit_code"]?.numberText == "1" && (runs[1]?["error"]?.stringText ?? "").contains("401"))
            #expect(runs[1]?["finished_at"]?.stringText != nil && runs[1]?["uploads"] == .null)
        }
    }

    @Test func aFailedRunRecordsOnlyItselfWithItsError() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var options = Self.options()
        options.failAfter = 2
        try await withSandbox(options) { sandbox, _ in
            // The first run reads one page (and an empty one) and is done; the second needs more and meets a 503.
            let first = try await night(sandbox, folder, ["--from", "2026-07-10", "--to", "2026-07-15", "--now", "2026-07-16T02:00:00Z", "--compare", "none"])
            #expect(first.status == 0, "\(first.stderr)")
            let before = try await sqlite("h.sqlite", "SELECT count(*), sum(total_records) FROM upload; SELECT count(*) FROM observation;", in: folder)
            let second = try await night(sandbox, folder, ["--from", "2026-06-01", "--to", "2026-07-15", "--page-size", "50", "--max-attempts", "1",
                                                           "--now", "2026-07-16T02:00:00Z"])
            #expect(second.status == 1)
            #expect(try await sqlite("h.sqlite", "SELECT count(*), sum(total_records) FROM upload; SELECT count(*) FROM observation;", in: folder) == before)
            #expect(try await sqlite("h.sqlite", "SELECT run, status, exit_code, ifnull(error, '') LIKE '%503%' FROM run ORDER BY run;", in: folder) == "1|ok|0|0\n2|failed|1|1\n")
        }
    }

    // MARK: faults

    @Test(arguments: ["text", "foreign", "truncated", "newer"])
    func aFileThatIsNotAHistoryIsRefusedAndLeftAsItWas(kind: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let examples = packageRoot.appendingPathComponent("examples/responses").path
        let replay = ["report", "--replay", examples, "--range", "2026-03", "--out", "out", "--history", "h.sqlite"]
        switch kind {
        case "text":
            _ = try folder.write("h.sqlite", "not a database\n")
        case "foreign":
            _ = try await sqlite("h.sqlite", "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');", in: folder)
        default:
            let made = try await runCLI(replay, in: folder.url)
            #expect(made.status == 0, "\(made.stderr)")
            if kind == "truncated" {
                let bytes = try Data(contentsOf: folder.path("h.sqlite"))
                try bytes.prefix(bytes.count / 2).write(to: folder.path("h.sqlite"))
            } else {
                _ = try await sqlite("h.sqlite", "PRAGMA user_version = 7;", in: folder)
            }
            try? FileManager.default.removeItem(at: folder.path("out"))
        }
        let before = try Data(contentsOf: folder.path("h.sqlite"))
        let siblings = try folder.listing()
        let result = try await runCLI(replay, in: folder.url)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--history h.sqlite: "))
        let reason = ["text": "not an SQLite database", "foreign": "another program's SQLite database", "truncated": "truncated",
                      "newer": "newer cg-revenue"][kind]!
        #expect(result.stderr.contains(reason), "\(result.stderr)")
        #expect(try Data(contentsOf: folder.path("h.sqlite")) == before)
        #expect(try folder.listing() == siblings, "no -wal, -shm, lock or output made")
        let listing = try await runCLI(["history", "runs", "--history", "h.sqlite"], in: folder.url)
        #expect(listing.status == 2 && listing.stderr.contains(reason))
        #expect(try Data(contentsOf: folder.path("h.sqlite")) == before)
    }

    @Test func aSecondRunWaitsForTheFirstAndSaysWhoHoldsIt() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        // Another run holds the history: its lock, with its pid.
        let lock = try HistoryLock.acquire(for: folder.path("h.sqlite"), wait: 1, logger: quietLogger)
        let examples = packageRoot.appendingPathComponent("examples/responses").path
        let run = try RunningCLI(["report", "--replay", examples, "--range", "2026-03", "--out", "out", "--history", "h.sqlite"], in: folder.url)
        // Let go only once the second run has said it is waiting (however late it starts).
        let waited = try await run.waitForStderr(containing: "in use by another run (pid \(getpid()))")
        lock.release()
        let result = await run.finish()
        #expect(waited, "\(result.stderr)")
        #expect(result.status == 0, "\(result.stderr)")

        // Held longer than the wait: exit 1 naming the holder (the wait is 60 s on the command line).
        let holder = try HistoryLock.acquire(for: folder.path("h.sqlite"), wait: 1, logger: quietLogger)
        defer { holder.release() }
        #expect {
            _ = try SQLiteHistory.open(folder.path("h.sqlite"), for: RunStart(from: nil, to: nil, source: "test"), lockWait: 0.3, logger: quietLogger)
        } throws: { error in
            (error as? ReportError)?.exitCode == 1 && "\(error)".contains("another run (pid \(getpid())) still holds it")
        }
    }

    @Test func aRunKilledAtAnyMomentLeavesAWholeFileAndIsMarkedInterrupted() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var options = sandboxOptions(uploads: 20_000, from: "2026-01-01", to: "2026-07-15")
        options.latencyMilliseconds = 2
        try await withSandbox(options) { sandbox, server in
            for delay in [0.0, 0.4, 1.0, 1.8] {
                let requestsBefore = server.stats.revenueRequests
                let run = try RunningCLI(["report", "--base-url", sandbox.url, "--auth-url", sandbox.url, "--out", "out", "--history", "h.sqlite",
                                          "--from", "2026-01-01", "--to", "2026-07-15", "--page-size", "500", "--quiet", "--now", "2026-07-16T02:00:00Z"],
                                         in: folder.url, environment: ["CG_API_KEY": "sandbox-api-key"])
                // The event first: its first page asked for, so its run is in the history (opened
                // before anything is fetched). Then the moment of the kill, on purpose at points
                // further into the run; no assertion depends on where it falls.
                for _ in 0 ..< 6_000 where server.stats.revenueRequests == requestsBefore {
                    try await Task.sleep(nanoseconds: 20_000_000)
                }
                #expect(server.stats.revenueRequests > requestsBefore, "the run never asked for a page")
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                run.signal(SIGKILL)
                _ = await run.finish()
                if FileManager.default.fileExists(atPath: folder.path("h.sqlite").path) {
                    #expect(try await sqlite("h.sqlite", "PRAGMA integrity_check;", in: folder) == "ok\n", "after kill -9 at \(delay) s")
                }
            }
            let next = try await night(sandbox, folder, ["--from", "2026-07-15", "--to", "2026-07-15", "--now", "2026-07-16T02:00:00Z"])
            #expect(next.status == 0, "\(next.stderr)")
            #expect(next.stderr.contains("never finished: marked interrupted"))
            let statuses = try await sqlite("h.sqlite", "SELECT status FROM run ORDER BY run;", in: folder).split(separator: "\n")
            #expect(statuses.last == "ok" && statuses.dropLast().allSatisfy { $0 == "interrupted" || $0 == "ok" })
            #expect(statuses.dropLast().contains("interrupted"))
        }
    }

    @Test func aFullDiskWhileRecordingExitsOneAndLeavesTheHistoryAsItWas() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox(sandboxOptions(uploads: 20_000, from: "2026-01-01", to: "2026-07-15")) { sandbox, _ in
            let first = try await night(sandbox, folder, ["--from", "2026-07-15", "--to", "2026-07-15", "--now", "2026-07-16T02:00:00Z"])
            #expect(first.status == 0, "\(first.stderr)")
            let before = try await sqlite("h.sqlite", "SELECT count(*) FROM upload; SELECT count(*) FROM observation;", in: folder)
            // Files may grow to 1 MB: the HTML (the only output) fits, the history of the
            // 20,000 new uploads (2.5 MB) does not.
            let (status, said) = try await runCLIWithFileSizeLimit(blocks: 2048, [
                "report", "--base-url", sandbox.url, "--auth-url", sandbox.url, "--out", "out2", "--history", "h.sqlite",
                "--from", "2026-01-01", "--to", "2026-07-15", "--emit", "html", "--compare", "none", "--now", "2026-07-16T02:00:00Z",
            ], in: folder.url, environment: ["CG_API_KEY": "sandbox-api-key"])
            #expect(status == 1, "\(said)")
            #expect(said.contains("--history h.sqlite: cannot record run 2"), "\(said)")
            #expect(try await sqlite("h.sqlite", "PRAGMA integrity_check; SELECT count(*) FROM upload; SELECT count(*) FROM observation;", in: folder) == "ok\n" + before)
            #expect(try await sqlite("h.sqlite", "SELECT status FROM run ORDER BY run;", in: folder) == "ok\nfailed\n")
        }
    }

    @Test func alertOnceAndSinceLastRunNeedAHistory() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let examples = packageRoot.appendingPathComponent("examples/responses").path
        let alert = try await runCLI(["report", "--replay", examples, "--range", "2026-03", "--fail-on", "unsuccessful", "--alert-once"], in: folder.url)
        #expect(alert.status == 2 && alert.stderr.contains("--alert-once needs --history FILE"))
        let since = try await runCLI(["report", "--replay", examples, "--range", "since-last-run"], in: folder.url)
        #expect(since.status == 2 && since.stderr.contains("since-last-run: needs --history FILE"))
        #expect(!folder.exists("reports"))
    }

    @Test func knownUploadsFindEachIDAndItsFlags() {
        var known = KnownUploads()
        let processing = UploadValues(status: "Processing", totalRecords: 10, successfulRecords: 0, unsuccessfulRecords: 0)
        let failed = UploadValues(status: "failed", totalRecords: 10, successfulRecords: 0, unsuccessfulRecords: 10)
        known.add(id: 30, values: failed, alerted: true)
        known.add(id: 10, values: processing, alerted: false)
        known.seal()
        #expect(known.lookup(10) == KnownUploads.Known(fingerprint: KnownUploads.mark(processing.fingerprint), wasFinal: false, alerted: false))
        #expect(known.lookup(30)?.wasFinal == true && known.lookup(30)?.alerted == true)
        #expect(known.lookup(20) == nil)
        #expect(processing.fingerprint != UploadValues(status: "Processing", totalRecords: 10, successfulRecords: 0, unsuccessfulRecords: nil).fingerprint)
    }
}

/// Runs `sqlite3` (a reader we did not write) on a file in `folder`, and returns what it printed.
func sqlite(_ file: String, _ sql: String, in folder: TemporaryFolder) async throws -> String {
    let run = try await runTool("/usr/bin/sqlite3", [file, sql], in: folder.url)
    return run.output + String(decoding: run.stderr, as: UTF8.self)
}
