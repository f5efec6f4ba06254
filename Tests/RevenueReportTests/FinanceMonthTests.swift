import CustomerGaugeSandbox
import Foundation
import Testing
@testable import RevenueReport

/// A finance user's month (DESIGN.md, "Revenue files as finance makes them"), with files saved by
/// LibreOffice (`scripts/make-finance-files.py`, committed under `Fixtures/finance/`): headers read
/// by their names, every problem of a row at once, the encoding and date-time warnings, honest
/// waits and exits. What was sent is read back by the sandbox's record and by Python's csv.
@Suite struct FinanceMonthTests {
    static let folder = packageRoot.appendingPathComponent("Tests/RevenueReportTests/Fixtures/finance")
    static func fixture(_ name: String) -> String { folder.appendingPathComponent(name).path }
    let apiKey = ["CG_API_KEY": "sandbox-api-key"]

    /// As `UploadTests` runs upload against the sandbox (files processed as soon as listed again).
    func arguments(_ sandbox: RunningSandbox, _ extra: [String]) -> [String] { UploadTests().arguments(sandbox, extra) }
    static func options(_ change: (inout SandboxOptions) -> Void = { _ in }) -> SandboxOptions { UploadTests.options(change) }

    func keys(_ findings: [Finding]) -> [String] {
        findings.map { "\($0.rule)|\($0.row.map(String.init) ?? "nil")|\($0.column ?? "nil")|\($0.value ?? "nil")" }
    }

    // MARK: the header by its names

    /// The same sheet saved by LibreOffice as CSV (comma and semicolon), XLSX and XLS: read by its
    /// names, one `column-order` and one `extra-column` warning on row 1, no problem.
    @Test(arguments: ["reordered.csv", "reordered-semicolon.csv", "reordered.xlsx", "reordered.xls"])
    func aHeaderInAnotherOrderWithNotesIsReadByItsNames(file: String) throws {
        var records: [[String]] = []
        let check = try RevenueFileChecker.check(Self.fixture(file)) { records.append($0.cells.map(\.text)) }
        #expect(check.problems.isEmpty, "\(check.problems)")
        #expect(check.header && check.records == 3 && check.reordered)
        #expect(check.warnings.map(\.rule) == ["column-order", "extra-column"])
        #expect(check.warnings.allSatisfy { $0.row == 1 })
        let order = try #require(check.warnings.first?.message)
        #expect(order.contains("this file has account name, revenue amount, revenue type, revenue start date, revenue end date, description"))
        #expect(order.contains("CustomerGauge reads account name, revenue amount, revenue start date, revenue end date, revenue type, description"))
        #expect(check.warnings[1].message.hasPrefix("\"Notes\" (column G)"))
        // The fields in CustomerGauge's order, the notes gone.
        #expect(records == [
            ["Acme Corp", "1200", "2026-01-01", "2026-12-31", "ARR", "renewal"],
            ["Beta GmbH", "450", "2026-01-01", "2026-01-31", "MRR", "monthly plan"],
            ["Gamma Ltd", "9800", "2026-02-15", "2026-02-15", "One Time", "setup fee"],
        ])
    }

    @Test func aliasesAnyCaseAndSpacingNameTheFields() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        // CustomerGauge's own order under other names: nothing to say, the file goes as it is.
        let same = try folder.write("same.csv", "Company;Amount;Start;End;Type;Desc\nAcme Corp;1200;2026-01-01;2026-12-31;ARR;x\n")
        let sameCheck = try RevenueFileChecker.check(same.path)
        #expect(sameCheck.header && !sameCheck.reordered && sameCheck.problems.isEmpty && sameCheck.warnings.isEmpty, "\(sameCheck.warnings)")
        // No description, columns moved, names in other spellings.
        let moved = try folder.write("moved.csv", "revenue_type,CUSTOMER,Revenue End Date,revenueamount,start date\nMRR,Acme Corp,2026-01-31,450,2026-01-01\nARR,Beta GmbH,2026-12-31,12.5,2026-01-01\n")
        let movedCheck = try RevenueFileChecker.check(moved.path)
        #expect(keys(movedCheck.problems) == ["amount|3|revenue amount|12.5"])
        #expect(movedCheck.warnings.map(\.rule) == ["column-order"])
        // A header that names a field twice, or leaves one out, is one problem on row 1, not one a cell.
        let twice = try folder.write("twice.csv", "Account,Amount,Revenue,Start,End,Type\nAcme Corp,1,2,2026-01-01,2026-01-31,ARR\n")
        let twiceCheck = try RevenueFileChecker.check(twice.path)
        // (The rows below are then read by position, as CustomerGauge reads them.)
        #expect(keys(twiceCheck.problems).first == "columns|1|nil|nil")
        #expect(twiceCheck.problems.first?.message.contains("names revenue amount twice (columns B and C)") == true)
        let missing = try folder.write("missing.csv", "Account,Amount,Start,End,Notes\nAcme Corp,1,2026-01-01,2026-01-31,ARR\n")
        let missingCheck = try RevenueFileChecker.check(missing.path)
        #expect(missingCheck.problems.first?.message.contains("does not name revenue type") == true, "\(missingCheck.problems)")
        #expect(missingCheck.records == 1 && missingCheck.problems.count == 1)
        // Behind a header with a notes column, `columns` counts only the six.
        let notes = try folder.write("notes.csv", "Notes,Account,Amount,Start,End,Type,Description,Currency\nx,Acme Corp,1,2026-01-01,2026-01-31,ARR,,EUR\ny,Beta GmbH,2,2026-01-01,2026-01-31,ARR\n")
        let notesCheck = try RevenueFileChecker.check(notes.path)
        #expect(notesCheck.problems.isEmpty, "\(notesCheck.problems)")
        #expect(notesCheck.warnings.map(\.rule) == ["extra-column"])
        #expect(notesCheck.warnings.first?.message.contains("\"Notes\" (column A), \"Currency\" (column H)") == true)
    }

    /// `upload` sends a CSV it makes, in CustomerGauge's order, without the notes; with the
    /// standard header, whatever format the user saved.
    @Test(arguments: ["reordered.xlsx", "reordered-semicolon.csv"])
    func uploadSendsAMadeCSVInCustomerGaugesOrder(file: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox(Self.options()) { sandbox, server in
            let plan = try await runCLI(arguments(sandbox, [Self.fixture(file), "--dry-run"]), in: folder.url, environment: apiKey)
            let stem = (file as NSString).deletingPathExtension
            #expect(plan.status == 0 && plan.stdout.contains("sends \(stem).csv (text/csv): 3 record(s)"), "\(plan.stdout)")
            let result = try await runCLI(arguments(sandbox, [Self.fixture(file), "--wait", "--format", "json"]), in: folder.url, environment: apiKey)
            #expect(result.status == 0, "\(result.stderr)")
            let sent = try #require(server.uploadRequests.first { $0.filename == "\(stem).csv" })
            let expected = UploadTests.csv(["Acme Corp,1200,2026-01-01,2026-12-31,ARR,renewal", "Beta GmbH,450,2026-01-01,2026-01-31,MRR,monthly plan",
                                            "Gamma Ltd,9800,2026-02-15,2026-02-15,One Time,setup fee"])
            #expect(sent.sha256 == sha256Hex(Data(expected.utf8)))
            #expect(sent.contentType == "text/csv")
        }
    }

    // MARK: every problem at once

    @Test(arguments: ["three-problems.csv", "three-problems.xlsx"])
    func aRowWithThreeProblemsIsSaidWithAllThree(file: String) throws {
        let check = try RevenueFileChecker.check(Self.fixture(file))
        #expect(keys(check.problems) == ["amount|3|revenue amount|1,234", "start-date|3|revenue start date|2026-02-30", "revenue-type|3|revenue type|Yearly"])
    }

    @Test func uploadSaysEveryProblemOfARowInTextJSONAndTheRejectedFile() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = Self.fixture("three-problems.xlsx")
        try await withSandbox(Self.options()) { sandbox, server in
            // Not sent: every problem of row 3 in the JSON, one entry each.
            let refused = try await runCLI(arguments(sandbox, [file, "--format", "json"]), in: folder.url, environment: apiKey)
            #expect(refused.status == 3)
            #expect(server.uploadRequests.isEmpty)
            let upload = try #require((try UploadTests.json(refused.stdout)["uploads"] as? [[String: Any]])?.first)
            let rejected = try #require(upload["rejected"] as? [[String: Any]])
            #expect(rejected.map { $0["row"] as? Int } == [3, 3, 3])
            #expect(rejected.map { $0["cause"] as? String } == ["amount", "start-date", "revenue-type"])

            // The others sent; the row's three problems on three lines, and on one line of the rejected file.
            let skipped = try await runCLI(arguments(sandbox, [file, "--skip-invalid-rows", "--wait", "--rejected-out", "out"]),
                                           in: folder.url, environment: apiKey)
            #expect(skipped.status == 3, "\(skipped.stderr)")
            let lines = skipped.stdout.split(separator: "\n").filter { $0.contains("row 3 (Beta GmbH") }
            #expect(lines.count == 3, "\(skipped.stdout)")
            #expect(skipped.stdout.contains("2 record(s) sent: 2 successful, 0 unsuccessful; 1 row(s) not sent: the check found problems in them"),
                    "\(skipped.stdout)")
            let read = try await runPython(try folder.write("read.py", """
                import csv, json, sys
                with open(sys.argv[1], newline="", encoding="utf-8") as f:
                    print(json.dumps({"rows": list(csv.reader(f))}))
                """), [folder.path("out/three-problems.rejected.csv").path])
            let rows = try #require(read["rows"] as? [[String]])
            #expect(rows.count == 2)
            #expect(Array(rows[1].prefix(6)) == ["Beta GmbH", "1,234", "2026-02-30", "2026-12-31", "Yearly", "three problems"])
            let problems = rows[1][6].components(separatedBy: "; ")
            #expect(problems.count == 3 && problems[0].hasPrefix("revenue amount: ") && problems[1].hasPrefix("revenue start date: ")
                    && problems[2].hasPrefix("revenue type: "), "\(rows[1][6])")
        }
    }

    // MARK: the new warnings

    /// LibreOffice's default import of a UTF-8 CSV, saved again: each mis-encoded cell is named
    /// with what it most likely was.
    @Test func misEncodedTextIsAWarningNamingTheLikelyOriginal() throws {
        let check = try RevenueFileChecker.check(Self.fixture("mojibake.csv"))
        #expect(check.problems.isEmpty)
        #expect(keys(check.warnings) == ["encoding|2|account name|SociÃ©tÃ© GÃ©nÃ©rale", "encoding|2|description|Ã\u{9C}berweisung"])
        #expect(check.warnings[0].message.contains("most likely \"Société Générale\""))
        #expect(check.warnings[1].message.contains("most likely \"Überweisung\""))
        // Text that is what it says stays quiet.
        for text in ["Société Générale", "Café", "Müller GmbH", "Łódź", "東京", "plain", "Â"] {
            #expect(MisencodedText.likelyOriginal(of: text) == nil, "\(text)")
        }
        #expect(MisencodedText.likelyOriginal(of: "â‚¬ 12") == "€ 12")
    }

    @Test(arguments: ["date-time.xlsx", "date-time.xls"])
    func aDateCellHoldingATimeIsAWarning(file: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let check = try RevenueFileChecker.check(Self.fixture(file), splitInto: folder.url)
        #expect(check.problems.isEmpty)
        #expect(keys(check.warnings) == ["date-time|2|revenue start date|2026-01-01 09:30:00"])
        #expect(check.warnings.first?.message.contains("CustomerGauge keeps 2026-01-01 and drops the time") == true)
        // What goes is the day.
        let part = try folder.read("date-time.part-1-of-1.csv")
        #expect(part.contains("Acme Corp,1200,2026-01-01,2026-12-31,ARR,renewal"))
    }

    /// A formula is its saved value; a number its value, not its display format (`€1,200.00`).
    @Test func formulasAndFormattedNumbersAreTheirValues() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let check = try RevenueFileChecker.check(Self.fixture("formulas.xlsx"), splitInto: folder.url)
        #expect(check.problems.isEmpty && check.warnings.isEmpty, "\(check.problems)")
        let read = try await runPython(try folder.write("read.py", """
            import csv, json, sys
            with open(sys.argv[1], newline="", encoding="utf-8") as f:
                print(json.dumps({"rows": list(csv.reader(f))}))
            """), [folder.path("formulas.part-1-of-1.csv").path])
        #expect(read["rows"] as? [[String]] == [
            ["account name", "revenue amount", "revenue start date", "revenue end date", "revenue type", "description"],
            ["Acme Corp", "1200", "2026-03-01", "2026-03-31", "Other", "euro format"],
            ["Gamma Ltd", "1190", "2026-03-01", "2026-03-31", "Other", "formula"],
        ])
    }

    // MARK: several files, and the small things

    @Test func everyFileThatCanBeReadIsCheckedWhenOneIsMissing() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let clean = packageRoot.appendingPathComponent("examples/revenue-files/clean.csv").path
        let problems = packageRoot.appendingPathComponent("examples/revenue-files/problems.csv").path
        let result = try await runCLI(["check", clean, "missing.csv", problems], in: folder.url)
        #expect(result.status == 2)
        #expect(result.stderr.contains("missing.csv: no such file"))
        #expect(result.stdout.contains("\(clean): 5 record(s)") && result.stdout.contains("\(problems): 16 record(s)"), "\(result.stdout)")
        let json = try await runCLI(["check", "--format", "json", "missing.csv", clean], in: folder.url)
        #expect(json.status == 2)
        let files = try #require(try UploadTests.json(json.stdout)["files"] as? [[String: Any]])
        #expect(files.map { $0["file"] as? String } == [clean])
    }

    @Test func aFindingOfBytesThatAreNotUTF8NamesItsRow() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var bytes = Data("Account,Amount,Start,End,Type\nAcme Corp,1,2026-01-01,2026-01-31,ARR\n".utf8)
        bytes += Data([0x53, 0x6F, 0x63, 0x69, 0xE9, 0x74, 0xE9]) + Data(",2,2026-01-01,2026-01-31,ARR\n".utf8)
        let file = folder.path("latin1.csv")
        try bytes.write(to: file)
        let result = try await runCLI(["check", "--format", "json", file.path], in: folder.url)
        #expect(result.status == 3)
        let files = try #require(try UploadTests.json(result.stdout)["files"] as? [[String: Any]])
        let problem = try #require((files.first?["problems"] as? [[String: Any]])?.first)
        #expect(problem["rule"] as? String == "file-type" && problem["row"] as? Int == 3, "\(problem)")
        #expect((problem["message"] as? String)?.contains("not UTF-8") == true)
    }

    @Test func rejectedOutNamesAFolderAndUploadsHelpSpeaksOfUpload() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let clean = packageRoot.appendingPathComponent("examples/revenue-files/clean.csv").path
        let csv = try await runCLI(["upload", clean, "--rejected-out", "rejected.csv", "--base-url", "http://127.0.0.1:9", "--auth-url", "http://127.0.0.1:9"],
                                   in: folder.url, environment: apiKey)
        #expect(csv.status == 2 && csv.stderr.contains("--rejected-out rejected.csv: a folder, not a file"), "\(csv.stderr)")
        #expect(!folder.exists("rejected.csv"))
        let help = try await runCLI(["upload", "--help"], in: folder.url)
        #expect(help.stdout.contains("revenue_file_automate"))
        #expect(help.stdout.contains("Record each file sent") && !help.stdout.contains("Since the last run"))
        // No credentials: said without suggesting --replay, which upload does not have.
        let plan = try await runCLI(["upload", clean, "--dry-run"], in: folder.url)
        #expect(plan.status == 2 && plan.stdout.contains("no credentials") && !plan.stdout.contains("--replay"), "\(plan.stdout)")
    }

    // MARK: honest exits and waits

    @Test func aRefusalIsSaidInWordsAndEveryRowRejectedIsExit3() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let unknown = try folder.write("unknown.csv", UploadTests.csv(["Nowhere Inc,300,2026-01-01,2026-01-31,MRR,new", "Unknown Ltd,99,2026-02-01,2026-02-01,One Time,fee"]))
        try await withSandbox(Self.options()) { sandbox, _ in
            // Failed, with a cause for each row: the file needs fixing, not the network.
            let failed = try await runCLI(arguments(sandbox, [unknown.path, "--wait"]), in: folder.url, environment: apiKey)
            #expect(failed.status == 3, "\(failed.stderr)")
            #expect(failed.stdout.contains("Failed, 2 record(s): 0 successful, 2 unsuccessful"))
            #expect(failed.stdout.contains("row 2 (Nowhere Inc; 300; 2026-01-01; 2026-01-31; MRR; new): Account name not found"))
            // The listing's "past the end" is not news at info.
            #expect(!failed.stderr.contains("-> 400"), "\(failed.stderr)")
        }
        try await withSandbox(Self.options { $0.uploadFailWithoutReason = true }) { sandbox, server in
            let clean = try folder.write("clean.csv", UploadTests.csv(["Acme Corp,1200,2026-01-01,2026-12-31,ARR,renewal"]))
            let silent = try await runCLI(arguments(sandbox, [clean.path, "--wait"]), in: folder.url, environment: apiKey)
            #expect(silent.status == 1)
            let id = try #require(server.uploadRequests.first?.uploadID)
            #expect(silent.stderr.contains("CustomerGauge marked upload \(id) Failed and gave no reason"), "\(silent.stderr)")
        }
        try await withSandbox(Self.options { $0.uploadRefuse = true }) { sandbox, _ in
            let clean = try folder.write("refused.csv", UploadTests.csv(["Acme Corp,1200,2026-01-01,2026-12-31,ARR,renewal"]))
            let refused = try await runCLI(arguments(sandbox, [clean.path]), in: folder.url, environment: apiKey)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("CustomerGauge refused the file and gave no reason") && !refused.stderr.contains("{\"Data\""), "\(refused.stderr)")
        }
    }

    /// Processed 9 s after it was taken: seen by an ask within 3 s of it, the asks 2 s apart.
    @Test func aQuickOutcomeIsSeenWithinThreeSeconds() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = try folder.write("nine.csv", UploadTests.csv(["Acme Corp,1200,2026-01-01,2026-12-31,ARR,renewal"]))
        try await withSandbox(Self.options { $0.processingMilliseconds = 9_000 }) { sandbox, server in
            let result = try await runCLI(arguments(sandbox, [file.path, "--wait"]), in: folder.url, environment: apiKey)
            #expect(result.status == 0, "\(result.stderr)")
            let taken = try #require(server.uploadRequests.first { $0.wasTaken })
            let due = try #require(taken.takenAt).addingTimeInterval(9)
            let asks = server.stats.askedByID.filter { $0.id == taken.uploadID }
            let seen = try #require(asks.first { $0.status == "Processed" })
            // The first ask once it was due saw it; the asks are 2 s apart in the first two minutes
            // (the schedule itself: `theWaitAsksEveryTwoSecondsForTwoMinutesThenDoubling`). By
            // events, not a wall-clock bound: a loaded machine stretches every pause and request.
            #expect(asks.first { $0.at >= due }?.at == seen.at, "\(asks.map { $0.at.timeIntervalSince(due) })")
            let gaps = zip(asks.dropFirst(), asks).map { $0.at.timeIntervalSince($1.at) }
            #expect(gaps.allSatisfy { $0 >= 1.9 }, "\(gaps)")
        }
    }

    @Test func theWaitAsksEveryTwoSecondsForTwoMinutesThenDoubling() {
        var pauses: [Duration] = [], elapsed = Duration.zero, previous: Duration?
        while elapsed < .seconds(400) {
            let pause = UploadWatcher.pause(after: previous, sinceTaken: elapsed)
            pauses.append(pause)
            previous = pause
            elapsed += pause
        }
        // 2 s apart up to two minutes (60 asks), then 4, 8, 16, 32, 60, 60, …
        #expect(pauses.prefix(60).allSatisfy { $0 == .seconds(2) })
        #expect(Array(pauses.dropFirst(60).prefix(7)) == [.seconds(4), .seconds(8), .seconds(16), .seconds(32), .seconds(60), .seconds(60), .seconds(60)])
    }

    /// Never processed: `--wait-timeout 10s` is waited in full (the last ask at its end), then
    /// exit 1 naming the upload.
    @Test func theWaitTimeoutIsWaitedInFull() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = try folder.write("sixty.csv", UploadTests.csv(["Acme Corp,1200,2026-01-01,2026-12-31,ARR,renewal"]))
        try await withSandbox(Self.options { $0.processingMilliseconds = 60_000 }) { sandbox, server in
            let result = try await runCLI(arguments(sandbox, [file.path, "--wait", "--wait-timeout", "10s"]), in: folder.url, environment: apiKey)
            let ended = Date()
            #expect(result.status == 1)
            let taken = try #require(server.uploadRequests.first { $0.wasTaken })
            let takenAt = try #require(taken.takenAt)
            #expect(result.stderr.contains("upload \(try #require(taken.uploadID)) is still Processing after --wait-timeout 10s"), "\(result.stderr)")
            let asks = server.stats.askedByID
            let last = try #require(asks.last)
            // Never less than the time allowed: the last ask is at its end; and at most one ask
            // more than every 2 s gives (a loaded machine stretches the pauses, never adds asks).
            #expect(last.at.timeIntervalSince(takenAt) >= 10, "the last ask \(last.at.timeIntervalSince(takenAt)) s after it was taken")
            #expect(asks.count <= 7, "\(asks.map { $0.at.timeIntervalSince(takenAt) })")
            #expect(ended >= last.at)
        }
    }

    @Test func theWaitShowsAProgressLineOnATerminalOnly() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = try folder.write("tty.csv", UploadTests.csv(["Acme Corp,1200,2026-01-01,2026-12-31,ARR,renewal"]))
        let binary = try cgRevenueBinary().path
        try await withSandbox(Self.options { $0.processingMilliseconds = 3_000 }) { sandbox, server in
            // `script` gives the command a terminal; its transcript is what the user saw.
            func onTerminal(_ extra: [String]) async throws -> String {
                let command = ([binary] + arguments(sandbox, [file.path, "--wait"] + extra)).map { "'\($0)'" }.joined(separator: " ")
                let run = try await runTool("/usr/bin/script", ["-qec", command, "/dev/null"], in: folder.url,
                                            environment: ["PATH": "/usr/bin:/bin", "TERM": "xterm", "CG_API_KEY": "sandbox-api-key"])
                #expect(run.status == 0, "\(String(decoding: run.stdout, as: UTF8.self))")
                return String(decoding: run.stdout, as: UTF8.self)
            }
            let shown = try await onTerminal([])
            let id = try #require(server.uploadRequests.last?.uploadID)
            // The line names the upload, its status as last seen (Processing, or already Processed
            // on a loaded machine) and the time waited.
            let line = try #require(shown.components(separatedBy: "upload \(id) (tty.csv): ").dropFirst().first, "\(shown)")
            #expect(line.hasPrefix("Processing, waited ") || line.hasPrefix("Processed, waited "), "\(shown)")
            let quiet = try await onTerminal(["--quiet"])
            #expect(!quiet.contains(", waited "), "\(quiet)")
            // Not a terminal: no progress line in what cron mails.
            let piped = try await runCLI(arguments(sandbox, [file.path, "--wait"]), in: folder.url, environment: apiKey)
            #expect(piped.status == 0 && !piped.stderr.contains("waited"), "\(piped.stderr)")
        }
    }
}
