import CustomerGaugeSandbox
import Foundation
import Testing
@testable import RevenueReport

/// `cg-revenue upload` against the sandbox, through the built binary: what the sandbox received
/// (its own record of every POST) is what the tests check, with the exit codes and outputs.
@Suite struct UploadTests {
    static let header = "account name,revenue amount,revenue start date,revenue end date,revenue type,description\r\n"
    let apiKey = ["CG_API_KEY": "sandbox-api-key"]

    func arguments(_ sandbox: RunningSandbox, _ extra: [String]) -> [String] {
        ["upload", "--base-url", sandbox.url, "--auth-url", sandbox.url] + extra
    }

    /// A sandbox whose files are processed as soon as they are listed again.
    static func options(_ change: (inout SandboxOptions) -> Void = { _ in }) -> SandboxOptions {
        var options = sandboxOptions(uploads: 50, from: "2026-01-01", to: "2026-01-31")
        options.processingMilliseconds = 0
        options.retryAfterSeconds = 1
        change(&options)
        return options
    }

    static func taken(_ server: SandboxServer, named name: String) -> [UploadRequest] {
        server.uploadRequests.filter { $0.wasTaken && $0.filename == name }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func csv(_ rows: [String]) -> String { header + rows.map { $0 + "\r\n" }.joined() }

    @Test(arguments: ["json", "xml"])
    func aCleanFileIsTakenOnceProcessedAndSaidKeyByKey(apiFormat: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = try folder.write("march.csv", Self.csv(["Acme Corp,1200,2026-01-01,2026-12-31,ARR,renewal", "Beta GmbH,450,2026-01-01,2026-01-31,MRR,plan"]))
        try await withSandbox(Self.options()) { sandbox, server in
            let oauth = ["CG_CLIENT_ID": "sandbox-client", "CG_CLIENT_SECRET": "sandbox-secret"]
            let result = try await runCLI(arguments(sandbox, [file.path, "--wait", "--format", "json", "--api-format", apiFormat, "--log-level", "trace"]),
                                          in: folder.url, environment: oauth)
            #expect(result.status == 0, "\(result.stderr)")
            let taken = Self.taken(server, named: "march.csv")
            #expect(taken.count == 1)
            #expect(taken.first?.contentType == "text/csv")
            #expect(taken.first?.sha256 == sha256Hex(try Data(contentsOf: file)))
            let upload = try #require((try Self.json(result.stdout)["uploads"] as? [[String: Any]])?.first)
            #expect(Set(upload.keys) == ["file", "sent_as", "sha256", "id", "status", "total_records", "successful_records", "unsuccessful_records", "rejected"])
            #expect(upload["file"] as? String == file.path)
            #expect(upload["sent_as"] as? String == "march.csv")
            #expect(upload["sha256"] as? String == taken.first?.sha256)
            #expect((upload["id"] as? Int).map(Int64.init) == taken.first?.uploadID)
            #expect(upload["status"] as? String == "Processed")
            #expect(upload["total_records"] as? Int == 2 && upload["successful_records"] as? Int == 2 && upload["unsuccessful_records"] as? Int == 0)
            #expect((upload["rejected"] as? [Any])?.isEmpty == true)
            // No secret at trace, in any output.
            for secret in ["sandbox-secret", "sandbox-token"] {
                #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret))
            }
        }
    }

    @Test func rejectedRowsComeBackWithTheirLocalValuesAndARejectedFilePythonReads() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = try folder.write("accounts.csv", Self.csv([
            "Acme Corp,1200,2026-01-01,2026-12-31,ARR,renewal", "Nowhere Inc,300,2026-01-01,2026-01-31,MRR,\"new, big\"",
            "Beta GmbH,450,2026-01-01,2026-01-31,MRR,plan", "Unknown Ltd,99,2026-02-01,2026-02-01,One Time,fee",
        ]))
        try await withSandbox(Self.options()) { sandbox, server in
            let result = try await runCLI(arguments(sandbox, [file.path, "--wait", "--rejected-out", "rejected"]), in: folder.url, environment: apiKey)
            #expect(result.status == 3, "\(result.stderr)")
            #expect(Self.taken(server, named: "accounts.csv").count == 1)
            #expect(result.stdout.contains("row 3 (Nowhere Inc; 300; 2026-01-01; 2026-01-31; MRR; new, big): Account name not found"))
            #expect(result.stdout.contains("row 5 (Unknown Ltd; 99; 2026-02-01; 2026-02-01; One Time; fee): Account name not found"))
            #expect(result.stdout.contains("Partially Processed"))
            let read = try await runPython(try folder.write("read.py", """
                import csv, json, sys
                with open(sys.argv[1], newline="", encoding="utf-8") as f:
                    print(json.dumps({"rows": list(csv.reader(f))}))
                """), [folder.url.appendingPathComponent("rejected/accounts.rejected.csv").path])
            #expect(read["rows"] as? [[String]] == [
                ["account name", "revenue amount", "revenue start date", "revenue end date", "revenue type", "description", "problem"],
                ["Nowhere Inc", "300", "2026-01-01", "2026-01-31", "MRR", "new, big", "Account name not found"],
                ["Unknown Ltd", "99", "2026-02-01", "2026-02-01", "One Time", "fee", "Account name not found"],
            ])

            // Fixed in place (the problem column kept) and sent again: it goes as six columns.
            var fixed = try String(contentsOf: folder.url.appendingPathComponent("rejected/accounts.rejected.csv"), encoding: .utf8)
            fixed = fixed.replacingOccurrences(of: "Nowhere Inc", with: "Zeta AB").replacingOccurrences(of: "Unknown Ltd", with: "Eta Oy")
            let again = try folder.write("rejected/accounts.rejected.csv", fixed)
            let check = try await runCLI(["check", again.path], in: folder.url)
            #expect(check.status == 0, "\(check.stdout)")
            let resent = try await runCLI(arguments(sandbox, [again.path, "--wait", "--format", "json"]), in: folder.url, environment: apiKey)
            #expect(resent.status == 0, "\(resent.stderr)")
            let upload = try #require((try Self.json(resent.stdout)["uploads"] as? [[String: Any]])?.first)
            #expect(upload["status"] as? String == "Processed")
            #expect(upload["total_records"] as? Int == 2)
            let sent = Self.taken(server, named: "accounts.rejected.csv")
            #expect(sent.count == 1)
            let sixColumns = Self.csv(["Zeta AB,300,2026-01-01,2026-01-31,MRR,\"new, big\"", "Eta Oy,99,2026-02-01,2026-02-01,One Time,fee"])
            #expect(sent.first?.sha256 == sha256Hex(Data(sixColumns.utf8)))
        }
    }

    /// Each fault of the upload endpoint, in both formats: the sandbox holds exactly one upload
    /// of the file afterwards, and the run says it was taken.
    @Test(arguments: ["drop", "slow", "unavailable", "unavailable-without-retry-after"], ["json", "xml"])
    func aFlakyNightNeverDoublesAnUpload(fault: String, apiFormat: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = try folder.write("night.csv", Self.csv(["Acme Corp,1200,2026-01-01,2026-12-31,ARR,renewal"]))
        let options = Self.options { options in
            switch fault {
            case "drop": options.uploadDropFirst = 1
            case "slow": options.uploadSlowFirst = 1; options.uploadAnswerDelayMilliseconds = 20_000
            case "unavailable": options.uploadUnavailableFirst = 2
            default: options.uploadUnavailableFirst = 2; options.uploadRetryAfter = false
            }
        }
        try await withSandbox(options) { sandbox, server in
            // The client gives up on the slow answer after 10 s (the sandbox answers after 20 s); not
            // less: a loaded machine can keep the listing's answers that long.
            let timeout = fault == "slow" ? ["--timeout", "10"] : []
            let result = try await runCLI(arguments(sandbox, [file.path, "--wait", "--api-format", apiFormat, "--format", "json"] + timeout),
                                          in: folder.url, environment: apiKey)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(Self.taken(server, named: "night.csv").count == 1)
            let upload = try #require((try Self.json(result.stdout)["uploads"] as? [[String: Any]])?.first)
            #expect((upload["id"] as? Int).map(Int64.init) == Self.taken(server, named: "night.csv").first?.uploadID)
            switch fault {
            case "drop", "slow":
                #expect(server.uploadRequests.count == 1)
                #expect(result.stderr.contains("looking for it in the listing"))
            default:
                #expect(server.uploadRequests.map(\.outcome) == [.unavailable, .unavailable, .taken])
            }
        }
    }

    @Test(arguments: ["json", "xml"])
    func aRefusedFileIsExit1AndNotTaken(apiFormat: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = try folder.write("refused.csv", Self.csv(["Acme Corp,1200,2026-01-01,2026-12-31,ARR,renewal"]))
        try await withSandbox(Self.options { $0.uploadRefuse = true }) { sandbox, server in
            let result = try await runCLI(arguments(sandbox, [file.path, "--api-format", apiFormat]), in: folder.url, environment: apiKey)
            #expect(result.status == 1)
            #expect(result.stderr.contains("refused"))
            #expect(server.uploadRequests.map(\.outcome) == [.refused])
        }
    }

    @Test func aFileWithProblemsIsNeverSent() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox(Self.options()) { sandbox, server in
            let problems = packageRoot.appendingPathComponent("examples/revenue-files/problems.xlsx").path
            let result = try await runCLI(arguments(sandbox, [problems, "--format", "json"]), in: folder.url, environment: apiKey)
            #expect(result.status == 3)
            #expect(server.uploadRequests.isEmpty)
            #expect(result.stderr.contains("problems.xlsx:3: revenue amount"))
            let upload = try #require((try Self.json(result.stdout)["uploads"] as? [[String: Any]])?.first)
            #expect(upload["sent_as"] is NSNull && upload["id"] is NSNull)
            let rejected = try #require(upload["rejected"] as? [[String: Any]])
            #expect(rejected.allSatisfy { $0["by"] as? String == "check" })
            #expect(rejected.first?["row"] as? Int == 3)
        }
    }

    @Test func skippedRowsAndCustomerGaugesRowsMapBackToTheFileGiven() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = try folder.write("mixed.csv", Self.csv([
            "Acme Corp,1200,2026-01-01,2026-12-31,ARR,ok", "Beta GmbH,\"1,234\",2026-01-01,2026-12-31,ARR,separator",
            "Nowhere Inc,5,2026-01-01,2026-01-31,MRR,unknown", "Gamma Ltd,7,2026-01-01,2026-01-31,MRR,ok",
        ]))
        try await withSandbox(Self.options()) { sandbox, server in
            let result = try await runCLI(arguments(sandbox, [file.path, "--skip-invalid-rows", "--wait", "--format", "json", "--rejected-out", "out"]),
                                          in: folder.url, environment: apiKey)
            #expect(result.status == 3, "\(result.stderr)")
            let sent = Self.taken(server, named: "mixed.csv")
            #expect(sent.count == 1)
            #expect(sent.first?.sha256 == sha256Hex(Data(Self.csv(["Acme Corp,1200,2026-01-01,2026-12-31,ARR,ok", "Nowhere Inc,5,2026-01-01,2026-01-31,MRR,unknown",
                                                                   "Gamma Ltd,7,2026-01-01,2026-01-31,MRR,ok"]).utf8)))
            let upload = try #require((try Self.json(result.stdout)["uploads"] as? [[String: Any]])?.first)
            let rejected = try #require(upload["rejected"] as? [[String: Any]])
            // The sandbox names row 3 of what it got; that is row 4 of the file given.
            #expect(rejected.map { $0["row"] as? Int } == [3, 4])
            #expect(rejected.map { $0["by"] as? String } == ["check", "customergauge"])
            #expect(rejected[1]["values"] as? [String] == ["Nowhere Inc", "5", "2026-01-01", "2026-01-31", "MRR", "unknown"])
            let written = try String(contentsOf: folder.url.appendingPathComponent("out/mixed.rejected.csv"), encoding: .utf8)
            #expect(written.contains("Beta GmbH,\"1,234\",2026-01-01,2026-12-31,ARR,separator,") && written.contains("Nowhere Inc,5,"))
        }
    }

    @Test func aLargeFileGoesAsItsPartsWithSplit() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let rows = (0..<2_500).map { "Acme Corp,\($0),2026-01-01,2026-12-31,ARR,row \($0)" }
        let file = try folder.write("big.csv", Self.csv(rows))
        try await withSandbox(Self.options()) { sandbox, server in
            let refused = try await runCLI(arguments(sandbox, [file.path]), in: folder.url, environment: apiKey)
            #expect(refused.status == 3)
            #expect(server.uploadRequests.isEmpty)
            let result = try await runCLI(arguments(sandbox, [file.path, "--split", "--wait", "--format", "json"]), in: folder.url, environment: apiKey)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(server.uploadRequests.map(\.filename) == ["big.part-1-of-3.csv", "big.part-2-of-3.csv", "big.part-3-of-3.csv"])
            let uploads = try #require(try Self.json(result.stdout)["uploads"] as? [[String: Any]])
            #expect(uploads.map { $0["total_records"] as? Int } == [1000, 1000, 500])
        }
    }

    @Test func theHistoryRefusesBytesTakenBeforeAndSaysWhichFileSentAnUpload() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = try folder.write("once.csv", Self.csv(["Acme Corp,1200,2026-01-01,2026-12-31,ARR,renewal"]))
        try await withSandbox(Self.options()) { sandbox, server in
            let first = try await runCLI(arguments(sandbox, [file.path, "--history", "h.sqlite", "--format", "json"]), in: folder.url, environment: apiKey)
            #expect(first.status == 0, "\(first.stderr)")
            let id = try #require((try Self.json(first.stdout)["uploads"] as? [[String: Any]])?.first?["id"] as? Int)
            // The dry run says so too, reading the history without writing to it.
            let plan = try await runCLI(arguments(sandbox, [file.path, "--history", "h.sqlite", "--dry-run"]), in: folder.url, environment: apiKey)
            #expect(plan.status == 2 && plan.stdout.contains("were taken before: upload \(id)"), "\(plan.stdout)")
            let second = try await runCLI(arguments(sandbox, [file.path, "--history", "h.sqlite"]), in: folder.url, environment: apiKey)
            #expect(second.status == 2)
            #expect(second.stderr.contains("upload \(id)"))
            #expect(Self.taken(server, named: "once.csv").count == 1)
            let again = try await runCLI(arguments(sandbox, [file.path, "--history", "h.sqlite", "--again"]), in: folder.url, environment: apiKey)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(Self.taken(server, named: "once.csv").count == 2)

            let shown = try await runCLI(["history", "upload", String(id), "--history", "h.sqlite", "--format", "json"], in: folder.url)
            #expect(shown.status == 0, "\(shown.stderr)")
            let sent = try #require(try Self.json(shown.stdout)["sent"] as? [String: Any])
            #expect(sent["file"] as? String == file.path)
            #expect(sent["sha256"] as? String == sha256Hex(try Data(contentsOf: file)))
            #expect((sent["sent_at"] as? String)?.hasPrefix("20") == true)
            // Upload runs are not report runs.
            let runs = try await runCLI(["history", "runs", "--history", "h.sqlite", "--format", "json"], in: folder.url)
            #expect(runs.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]" || runs.stdout.contains("[\n]"))
            let independent = try await sqlite("h.sqlite", "SELECT count(*), min(upload_id) FROM sent_upload", in: folder).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(independent == "2|\(id)")
        }
    }

    @Test func anUnreachableAPIIsExit1WithNothingSentOrWritten() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = try folder.write("lost.csv", Self.csv(["Acme Corp,1200,2026-01-01,2026-12-31,ARR,renewal"]))
        let result = try await runCLI(["upload", file.path, "--base-url", "http://127.0.0.1:9", "--auth-url", "http://127.0.0.1:9", "--max-attempts", "2",
                                       "--rejected-out", "rejected", "--history", "h.sqlite"], in: folder.url, environment: apiKey)
        #expect(result.status == 1)
        #expect(result.stderr.contains("127.0.0.1:9"))
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("rejected").path))
        let recorded = try await sqlite("h.sqlite", "SELECT count(*) FROM sent_upload", in: folder).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(recorded == "0")
    }

    @Test func anExpiredTokenIsRenewedOnceAndTheFileStillGoesOnce() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = try folder.write("token.csv", Self.csv(["Acme Corp,1200,2026-01-01,2026-12-31,ARR,renewal"]))
        try await withSandbox(Self.options { $0.tokenUses = 1 }) { sandbox, server in
            let result = try await runCLI(arguments(sandbox, [file.path, "--wait"]), in: folder.url,
                                          environment: ["CG_CLIENT_ID": "sandbox-client", "CG_CLIENT_SECRET": "sandbox-secret"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(server.stats.tokenRequests > 1)
            #expect(server.uploadRequests.map(\.outcome) == [.unauthorised, .taken])
        }
    }

    @Test func waitingPastTheTimeoutIsExit1NamingTheUpload() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = try folder.write("slow.csv", Self.csv(["Acme Corp,1200,2026-01-01,2026-12-31,ARR,renewal"]))
        try await withSandbox(Self.options { $0.processingMilliseconds = 600_000 }) { sandbox, server in
            let result = try await runCLI(arguments(sandbox, [file.path, "--wait", "--wait-timeout", "3s"]), in: folder.url, environment: apiKey)
            #expect(result.status == 1)
            let id = try #require(Self.taken(server, named: "slow.csv").first?.uploadID)
            #expect(result.stderr.contains("upload \(id) is still Processing"))
        }
    }

    @Test func ctrlCWhileWaitingIsExit130NamingTheUpload() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = try folder.write("interrupted.csv", Self.csv(["Acme Corp,1200,2026-01-01,2026-12-31,ARR,renewal"]))
        try await withSandbox(Self.options { $0.processingMilliseconds = 600_000 }) { sandbox, server in
            let running = try RunningCLI(arguments(sandbox, [file.path, "--wait"]), in: folder.url, environment: apiKey)
            // Asked for by id: the id is known and the wait is on.
            #expect(try await running.waitForStderr(containing: "?id="))
            running.signal(SIGINT)
            let result = await running.finish()
            #expect(result.status == 130)
            let id = try #require(Self.taken(server, named: "interrupted.csv").first?.uploadID)
            #expect(result.stderr.contains("upload \(id)"))
        }
    }

    @Test func aDryRunSendsNothingAndNeedsNoCredentials() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let clean = packageRoot.appendingPathComponent("examples/revenue-files/clean.xlsx").path
        try await withSandbox(Self.options()) { sandbox, server in
            let without = try await runCLI(arguments(sandbox, [clean, "--dry-run"]), in: folder.url)
            #expect(without.status == 2)
            #expect(without.stdout.contains("no credentials"))
            let with = try await runCLI(arguments(sandbox, [clean, "--dry-run", "--history", "new.sqlite"]), in: folder.url, environment: apiKey)
            #expect(with.status == 0, "\(with.stdout)")
            #expect(!FileManager.default.fileExists(atPath: folder.path("new.sqlite").path), "a dry run makes no history")
            #expect(with.stdout.contains("sends clean.xlsx (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet): 5 record(s)"))
            #expect(with.stdout.contains("revenue_file_automate.json"))
            #expect(server.uploadRequests.isEmpty && server.stats.revenueRequests == 0)
        }
    }

    @Test func theUploadAnswerIsReadInBothFormats() throws {
        #expect(try UploadAnswer.read(Data(#"{"Data":{"data":1}}"#.utf8), format: .json, url: "u") == .taken)
        #expect(try UploadAnswer.read(Data(#"{"Data":false}"#.utf8), format: .json, url: "u") == .refused)
        #expect(try UploadAnswer.read(Data("<Data>false</Data>".utf8), format: .xml, url: "u") == .refused)
        #expect(try UploadAnswer.read(Data("<response><Data><data>1</data></Data></response>".utf8), format: .xml, url: "u") == .taken)
        #expect(throws: ReportError.self) { try UploadAnswer.read(Data(#"{"Error":{"Message":"Invalid arguments","Code":300001}}"#.utf8), format: .json, url: "u") }
        #expect(throws: ReportError.self) { try UploadAnswer.read(Data(#"{"ok":true}"#.utf8), format: .json, url: "u") }
    }

    @Test func multipartNamesTheFileAsBrowsersDo() {
        let file = OutgoingFile(source: "x", name: "Q1 \"approved\"\nrevenue.csv", contentType: "text/csv", bytes: Data("a,b\r\n".utf8),
                                sha256: "", records: 1, sourceRows: nil)
        let form = MultipartForm(file: file, boundary: "B")
        #expect(String(decoding: form.body, as: UTF8.self) ==
                "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"Q1 %22approved%22%0Arevenue.csv\"\r\nContent-Type: text/csv\r\n\r\na,b\r\n\r\n--B--\r\n")
        #expect(form.contentType == "multipart/form-data; boundary=B")
    }
}
