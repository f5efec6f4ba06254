import CustomerGaugeSandbox
import Foundation
import Testing
@testable import RevenueReport

/// Nothing a server or a replay folder sends may crash the tool, hang it, read a local file or
/// make a request: every row ends in a correct report or a named error.
@Suite struct HostileXMLTests {
    func parse(_ text: String) throws -> ParsedPage { try parsePage(text, format: .xml, origin: "hostile.xml") }

    @Test func anExternalEntityIsNeverRead() throws {
        let attack = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r><id>1</id><source_filename>&x;</source_filename></r>"
        do {
            _ = try parse(attack)
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("DOCTYPE"))
            #expect(!"\(error)".contains("root:x:0"))
        }
    }

    @Test func anExternalDTDOverHTTPIsNeverFetched() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox { sandbox, server in
            // The DTD URL points at a route the sandbox counts.
            try folder.write("pages/p.xml", """
                <?xml version="1.0"?>
                <!DOCTYPE Data SYSTEM "\(sandbox.url)/v4.1/file/company-revenue.json">
                <Data><record><id>1</id><date_upload>2026-01-01 00:00:00</date_upload></record></Data>
                """)
            await #expect(throws: ReportError.self) {
                _ = try await runReplay(folder.path("pages"), out: folder.path("out"))
            }
            // libxml2 loads a DTD synchronously while it parses, and waits for the answer: had it
            // asked, the sandbox would have counted the request before the parse ended.
            #expect(server.stats.revenueRequests == 0)
        }
    }

    @Test func billionLaughsIsRefused() {
        var bomb = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"ha\">"
        var previous = "a"
        for level in 1...12 {
            bomb += "<!ENTITY a\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">"
            previous = "a\(level)"
        }
        bomb += "]><l>&\(previous);</l>"
        #expect(throws: ReportError.self) { try parse(bomb) }
    }

    @Test func deepNestingIsBounded() {
        let deep = String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
        do {
            _ = try parse(deep)
            Issue.record("accepted")
        } catch {
            // libxml2's own limit (256 without XML_PARSE_HUGE) or ours, whichever comes first.
            #expect("\(error)".contains("nesting deeper than 256") || "\(error)".contains("Excessive depth in document: 256"), "\(error)")
        }
    }

    @Test func invalidUTF8IsAnErrorNamingThePage() {
        var bytes = Array("<Data><r><id>1</id><source_filename>".utf8)
        bytes += [0xC3, 0x28, 0xFF]
        bytes += Array("</source_filename></r></Data>".utf8)
        do {
            _ = try PageParser.parse(RawPage(origin: "bad-utf8.xml", format: .xml, bytes: Data(bytes)))
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("bad-utf8.xml"))
        }
    }

    @Test func aByteOrderMarkAndUTF16AreRead() throws {
        let record = "<Data><r><id>7</id><source_filename>Umsätze 🚀.xlsx</source_filename><date_upload>2026-01-01 00:00:00</date_upload></r></Data>"
        let plain = try parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + record)
        let bom = try PageParser.parse(RawPage(origin: "bom.xml", format: .xml, bytes: Data([0xEF, 0xBB, 0xBF] + Array(("<?xml version=\"1.0\"?>" + record).utf8))))
        var utf16 = Data([0xFF, 0xFE])
        utf16.append(("<?xml version=\"1.0\" encoding=\"UTF-16\"?>" + record).data(using: .utf16LittleEndian)!)
        let wide = try PageParser.parse(RawPage(origin: "utf16.xml", format: .xml, bytes: utf16))
        #expect(plain.records.map(\.fields) == bom.records.map(\.fields))
        #expect(plain.records.map(\.fields) == wide.records.map(\.fields))
        #expect(wide.records.first?.fields["source_filename"] == .string("Umsätze 🚀.xlsx"))
    }

    @Test func anOversizedReplayFileIsRefusedBeforeItIsRead() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("pages/big.xml", "<Data><r><id>1</id><source_filename>" + String(repeating: "x", count: 2_000_000) + "</source_filename></r></Data>")
        let source = ReplaySource(directory: folder.path("pages"), maxPageBytes: 1_000_000)
        var iterator = source.pages().makeAsyncIterator()
        do {
            _ = try await iterator.next()
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("more than the cap of 1000000"))
        }
    }
}

@Suite struct HostileJSONTests {
    func typed(_ text: String) throws -> [RecordTyper.Outcome] {
        let typer = RecordTyper(zone: .utc)
        return try parsePage(text, format: .json, origin: "hostile.json").records.map(typer.type)
    }

    func rejectionReason(_ outcome: RecordTyper.Outcome) -> String? {
        if case .rejected(let rejection, _) = outcome { return rejection.reason }
        return nil
    }

    @Test func aTruncatedBodyIsAnError() {
        let full = "[" + recordJSON(id: "1") + "]"
        for cut in [1, 10, full.count / 2, full.count - 1] {
            #expect(throws: ReportError.self) { try parsePage(String(full.prefix(cut)), format: .json) }
        }
    }

    @Test func hugeNumbersAreRejectedNotWrapped() throws {
        let outcomes = try typed("""
            [{"id":"99999999999999999999","date_upload":"2026-01-01 00:00:00"},
             {"id":"1","date_upload":"2026-01-01 00:00:00","total_records":1e999},
             {"id":"2","date_upload":"2026-01-01 00:00:00","successful_records":123456789012345678901234567890},
             {"id":"3","date_upload":"2026-01-01 00:00:00","unsuccessful_records":-1}]
            """)
        #expect(rejectionReason(outcomes[0])?.contains("id \"99999999999999999999\" is not a whole number") == true)
        #expect(rejectionReason(outcomes[1])?.contains("total_records \"1e999\"") == true)
        #expect(rejectionReason(outcomes[2])?.contains("successful_records") == true)
        #expect(rejectionReason(outcomes[3])?.contains("unsuccessful_records \"-1\"") == true)
    }

    @Test func duplicateKeysAreRefused() {
        #expect(throws: ReportError.self) { try parsePage(#"[{"id":"1","id":"2","date_upload":"2026-01-01 00:00:00"}]"#, format: .json) }
    }

    @Test func theWrongTypeInEveryFieldIsNamed() throws {
        let outcomes = try typed(#"""
            [{"id":true,"status":{"a":1},"source_filename":[1],"date_upload":5,"total_records":"x","successful_records":false,"unsuccessful_records":{},"logs":7},
             "a string where a record should be", 42, null]
            """#)
        let reason = try #require(rejectionReason(outcomes[0]))
        for field in ["id", "status", "source_filename", "date_upload", "total_records", "successful_records", "unsuccessful_records"] {
            #expect(reason.contains(field), "\(field) not named in: \(reason)")
        }
        for outcome in outcomes.dropFirst() {
            #expect(rejectionReason(outcome)?.contains("expected a record object") == true)
        }
    }

    @Test func anEmptyBodyAndAnHTMLPageAreErrorsShowingWhatCame() {
        #expect(throws: ReportError.self) { try parsePage("", format: .json) }
        do {
            _ = try parsePage("<html><head><title>502 Bad Gateway</title></head></html>", format: .json, origin: "p.json")
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("p.json"))
            #expect("\(error)".contains("502 Bad Gateway"))
        }
    }

    /// Every input kept in Fuzz/regressions (crashers the fuzzer found, and hand-made hard
    /// cases) goes through Parse and typing again; each must end in a value or a named error.
    @Test func everyKeptRegressionInputIsHandled() async throws {
        let crashers = packageRoot.appendingPathComponent("Fuzz/regressions")
        var replayed = 0
        for target in ["FuzzJSONPage", "FuzzXMLPage"] {
            let folder = crashers.appendingPathComponent(target)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for name in names where !name.hasPrefix(".") {
                let bytes = try Data(contentsOf: folder.appendingPathComponent(name))
                let page = RawPage(origin: name, format: target == "FuzzJSONPage" ? .json : .xml, bytes: bytes)
                do {
                    let parsed = try PageParser.parse(page)
                    for record in parsed.records { _ = RecordTyper(zone: .utc).type(record) }
                } catch let error as ReportError {
                    #expect(error.description.contains(name), "an error must name the page: \(error)")
                }
                replayed += 1
            }
        }
        // The revenue file readers' own: each through `check` as a file of its target's format, in
        // this process (the XLS reader is our own: a crash here would end the test process).
        let scratch = try TemporaryFolder()
        defer { scratch.cleanUp() }
        for format in RevenueFileFormat.allCases {
            let folder = crashers.appendingPathComponent("FuzzRevenue\(format.rawValue.uppercased())")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for name in names where !name.hasPrefix(".") {
                let copy = scratch.path("\(replayed).\(format.rawValue)")
                try FileManager.default.copyItem(at: folder.appendingPathComponent(name), to: copy)
                let check = try RevenueFileChecker.check(copy.path)
                #expect(check.records >= 0 && (check.problems + check.warnings).allSatisfy { !$0.rule.isEmpty }, "\(name)")
                replayed += 1
            }
        }
        #expect(replayed >= 15)
    }
}
