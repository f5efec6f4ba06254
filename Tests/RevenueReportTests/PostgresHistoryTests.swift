import CustomerGaugeSandbox
import Foundation
import Testing
@testable import RevenueReport

/// What only a history on a server can go through, through the built binary against the tests'
/// throwaway cluster: the server down at start or stopped mid-run, a run killed with its lock,
/// two runs at once, a schema that is not ours or is newer, a role without rights, and
/// `history copy` both ways. (The behaviours both stores share are in
/// `HistoryStoreConformanceTests` and `HistoryTests`, run on both.)
@Suite struct PostgresHistoryTests {
    let examples = packageRoot.appendingPathComponent("examples/responses").path

    func replay(_ history: String, range: String = "2026-03") -> [String] {
        ["report", "--replay", examples, "--range", range, "--out", "out", "--history", history, "--now", "2026-07-16T02:00:00Z"]
    }

    func database(of url: String) -> String { String(url.split(separator: "/").last!) }

    @Test func theServerDownAtStartIsExit1BeforeAnyRequestNamingHostAndPortNeverThePassword() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let port = try PostgresCluster.freePort()
        try await withSandbox(sandboxOptions(uploads: 50, from: "2026-07-01", to: "2026-07-15")) { sandbox, server in
            let result = try await runCLI(["report", "--base-url", sandbox.url, "--auth-url", sandbox.url, "--out", "out", "--from", "2026-07-01",
                                           "--to", "2026-07-15", "--history", "postgresql://cg@127.0.0.1:\(port)/history"], in: folder.url,
                                          environment: ["CG_CLIENT_ID": "sandbox-client", "CG_CLIENT_SECRET": "sandbox-secret", "CG_HISTORY_PASSWORD": "hunter2"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("127.0.0.1:\(port)"), "\(result.stderr)")
            #expect(!result.stderr.contains("hunter2") && !result.stdout.contains("hunter2"))
            #expect(server.stats.tokenRequests == 0 && server.stats.revenueRequests == 0, "no request before the history is open")
            #expect(!FileManager.default.fileExists(atPath: folder.path("out").path), "no output")
        }
    }

    @Test func aPasswordInTheURLIsExit2AndNeverShown() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let result = try await runCLI(replay("postgresql://cg:hunter2@127.0.0.1:5/history"), in: folder.url)
        #expect(result.status == 2)
        #expect(result.stderr.contains("CG_HISTORY_PASSWORD") && !result.stderr.contains("hunter2"))
    }

    @Test(arguments: ["newer", "foreign"])
    func aSchemaThatIsNewerOrNotOursIsExit2AndLeftAsItWas(kind: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let cluster = try postgresCluster()
        let url = try cluster.database(), db = database(of: url)
        if kind == "newer" {
            let made = try await runCLI(replay(url), in: folder.url)
            #expect(made.status == 0, "\(made.stderr)")
            try cluster.psql(db, "INSERT INTO cg_revenue.schema_version (version) VALUES (7)")
        } else {
            try cluster.psql(db, "CREATE SCHEMA cg_revenue; CREATE TABLE cg_revenue.notes (body text); INSERT INTO cg_revenue.notes VALUES ('mine')")
        }
        let state = "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'cg_revenue'"
        let before = try cluster.psql(db, state)
        let runsBefore = kind == "newer" ? try cluster.psql(db, "SELECT count(*) FROM cg_revenue.run") : ""
        let result = try await runCLI(replay(url, range: "2026-04"), in: folder.url)
        #expect(result.status == 2)
        #expect(result.stderr.contains(kind == "newer" ? "newer cg-revenue" : "not cg-revenue's (notes)"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was changed"))
        #expect(try cluster.psql(db, state) == before)
        if kind == "newer" { #expect(try cluster.psql(db, "SELECT count(*) FROM cg_revenue.run") == runsBefore) }
    }

    @Test func aRoleWithoutTheRightToMakeTheSchemaIsExit2SayingWhichRight() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let cluster = try postgresCluster()
        let url = try cluster.database(), db = database(of: url)
        let role = "reader_\(db)"
        try cluster.psql(db, "CREATE ROLE \(role) LOGIN")
        let result = try await runCLI(replay(cluster.url(db, user: role)), in: folder.url)
        #expect(result.status == 2)
        #expect(result.stderr.contains("lacks a right") && result.stderr.contains("CREATE"), "\(result.stderr)")
        #expect(try cluster.psql(db, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'cg_revenue'") == "0\n")
    }

    @Test func aSecondRunWaitsForTheFirstAndNamesItsHostAndPid() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let url = try postgresCluster().database()
        let location = try HistoryLocation(url)
        let holder = try location.open(for: RunStart(from: nil, to: nil, source: "test"), logger: quietLogger)
        let run = try RunningCLI(replay(url), in: folder.url)
        let waited = try await run.waitForStderr(containing: "in use by another run (cg-revenue on \(ProcessInfo.processInfo.hostName) pid \(getpid())")
        holder.close()
        let result = await run.finish()
        #expect(waited, "\(result.stderr)")
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// A run that stops in the middle: killed with `kill -9` (the server lets go of its lock when
    /// the connection drops), or cut off by the server stopping under it.
    @Test(arguments: ["kill -9", "server stopped"])
    func aRunStoppedMidWayLeavesNothingHalfWrittenAndIsMarkedInterrupted(how: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        // A cluster of its own when it is to be stopped: the others' tests go on on the shared one.
        let cluster = how == "server stopped" ? try PostgresCluster() : try postgresCluster()
        defer { if how == "server stopped" { cluster.stopForGood() } }
        let url = try cluster.database(), db = database(of: url)
        // Two requests a second apart: the history is open before the first, recorded after the second.
        var options = sandboxOptions(uploads: 200, from: "2026-07-01", to: "2026-07-15")
        options.latencyMilliseconds = 1_000
        try await withSandbox(options) { sandbox, _ in
            let run = try RunningCLI(["report", "--base-url", sandbox.url, "--auth-url", sandbox.url, "--out", "out", "--history", url,
                                      "--from", "2026-07-01", "--to", "2026-07-15", "--compare", "none", "--concurrency", "1",
                                      "--now", "2026-07-16T02:00:00Z"], in: folder.url, environment: ["CG_API_KEY": "sandbox-api-key"])
            // Under way: the history is open (it is opened before the first request), pages coming.
            #expect(try await run.waitForStderr(containing: "-> 200"))
            if how == "kill -9" {
                run.signal(SIGKILL)
                _ = await run.finish()
            } else {
                try cluster.stop(mode: "immediate")
                let result = await run.finish()
                #expect(result.status == 1, "\(result.stderr)")
                try cluster.start()
            }
            #expect(try cluster.psql(db, "SELECT status || ' ' || (SELECT count(*) FROM cg_revenue.upload) FROM cg_revenue.run") == "running 0\n",
                    "the run is all there is, no upload half-written")
            let next = try await runCLI(replay(url), in: folder.url)
            #expect(next.status == 0, "\(next.stderr)")
            #expect(next.stderr.contains("never finished: marked interrupted"))
            #expect(try cluster.psql(db, "SELECT string_agg(status, ',' ORDER BY run) FROM cg_revenue.run") == "interrupted,ok\n")
        }
    }

    @Test func aHistoryOfAThousandRunsCopiesToPostgreSQLAndBackWithTheSameRuns() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = folder.path("h.sqlite")
        let location = try HistoryLocation(file.path)
        for night in 0 ..< 1_000 {
            let store = try location.open(for: RunStart(from: CivilDate("2026-01-01")!.adding(days: night), to: CivilDate("2026-01-01")!.adding(days: night),
                                                        source: "test"), logger: quietLogger)
            if night % 97 == 5 {
                _ = store.recordFailure(exitCode: 1, error: "night \(night) failed")
            } else {
                let upload = RevenueUpload(id: Int64(night % 300), status: night % 2 == 0 ? "Processing" : "Processed", sourceFilename: "f\(night).csv",
                                           dateUpload: UploadTime(localSeconds: 1_767_225_600 + Int64(night) * 86_400, offsetSeconds: 0),
                                           totalRecords: 10, successfulRecords: night % 10, unsuccessfulRecords: 10 - night % 10, logs: [])
                try store.recordSuccess(RunOutcome(exitCode: 0, uploads: 1, new: night < 300 ? 1 : 0, changed: night < 300 ? 0 : 1, revisited: 0),
                                        sightings: [Sighting(upload, change: night < 300 ? .new : .changed, revisited: false, matched: false)])
            }
            store.close()
        }
        let sent = try location.openSentUploads()
        _ = try sent.recordSending(SentUpload(file: "march.csv", sentAs: "march.csv", sha256: "ab", sentAt: "2026-12-01T07:30:00.000Z", uploadID: 7, outcome: "Processed"))
        sent.close()

        let url = try postgresCluster().database()
        let there = try await runCLI(["history", "copy", "--from", "h.sqlite", "--to", url], in: folder.url)
        #expect(there.status == 0, "\(there.stderr)")
        let observations = try await sqlite("h.sqlite", "SELECT count(*) FROM observation", in: folder).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(there.stdout.contains("1000 run(s), 300 upload(s), \(observations) observation(s), 1 file(s) sent by upload"), "\(there.stdout)")
        let back = try await runCLI(["history", "copy", "--from", url, "--to", "back.sqlite"], in: folder.url)
        #expect(back.status == 0, "\(back.stderr)")
        let again = try await runCLI(["history", "copy", "--from", "h.sqlite", "--to", url], in: folder.url)
        #expect(again.status == 2 && again.stderr.contains("is not empty"))

        for command in [["runs", "--format", "json"], ["upload", "7", "--format", "json"], ["upload", "299", "--format", "json"]] {
            let outputs = try await [("h.sqlite"), url, "back.sqlite"].asyncMap { history in
                try await runCLI(["history"] + command + ["--history", history], in: folder.url).stdout
            }
            #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2], "history \(command.joined(separator: " "))")
            #expect(outputs[0].count > 100)
        }
        // The copy carries on: the next run is numbered after the last.
        let next = try await runCLI(replay(url), in: folder.url)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try postgresCluster().psql(database(of: url), "SELECT max(run) FROM cg_revenue.run") == "1001\n")
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
