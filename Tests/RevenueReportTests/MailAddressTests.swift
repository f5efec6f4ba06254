import Foundation
import Testing
@testable import RevenueReport

/// `--mail-to` and `--mail-from` read as RFC 5322 address lists, and the `To:` header written so
/// that Python's `email` (a parser we did not write) reads the same list back.
@Suite struct MailAddressTests {
    @Test(arguments: [
        ("finance@example.com", [MailAddress(address: "finance@example.com")]),
        ("Finance <finance@example.com>", [MailAddress(displayName: "Finance", address: "finance@example.com")]),
        (#""Doe, John" <john@example.com>"#, [MailAddress(displayName: "Doe, John", address: "john@example.com")]),
        (#""Doe, John" <john@example.com>, ops@example.com"#,
         [MailAddress(displayName: "Doe, John", address: "john@example.com"), MailAddress(address: "ops@example.com")]),
        (#"a@example.com (Alice, finance), "Q \"the\" Boss" <q@example.com>"#,
         [MailAddress(address: "a@example.com"), MailAddress(displayName: #"Q "the" Boss"#, address: "q@example.com")]),
    ])
    func addressListsSplitOnlyBetweenMailboxes(text: String, expected: [MailAddress]) throws {
        #expect(try MailAddress.parseList(text) == expected)
    }

    @Test(arguments: ["not-an-address", "<a@example.com", "\"open <a@example.com>", "a@example.com\r\nBcc: x@example.com", "a@@example.com", "A <a@example.com> trailing"])
    func badAddressesAreRefused(text: String) {
        #expect(throws: SettingProblem.self) { try MailAddress.parseList(text) }
    }

    @Test func pythonsEmailReadsTheSameRecipientsBack() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let run = try await runCLI(["report", "--replay", packageRoot.appendingPathComponent("examples/responses").path, "--range", "2026-03",
                                    "--emit", "eml", "--out", "out", "--name", "r", "--now", "2026-04-01T00:00:00Z",
                                    "--mail-to", #""Doe, John" <john@example.com>, ops@example.com"#, "--mail-to", "Zoë <zoe@example.com>",
                                    "--mail-from", #""Reports, Nightly" <reports@example.com>"#], in: folder.url)
        #expect(run.status == 0, "\(run.stderr)")
        let script = """
            import email, email.policy, email.utils, json, sys
            message = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
            print(json.dumps({'to': email.utils.getaddresses([str(message['to'])]), 'from': email.utils.getaddresses([str(message['from'])]),
                              'defects': len(message.defects) + sum(len(h.defects) for h in [message['to'], message['from']])}))
            """
        try folder.write("parse.py", script)
        let parsed = try await runPython(folder.path("parse.py"), [folder.path("out/r.eml").path])
        #expect(parsed["to"] as? [[String]] == [["Doe, John", "john@example.com"], ["", "ops@example.com"], ["Zoë", "zoe@example.com"]])
        #expect(parsed["from"] as? [[String]] == [["Reports, Nightly", "reports@example.com"]])
        #expect(parsed["defects"] as? Int == 0)
    }
}

/// Runs a Python script and reads the JSON object it prints (`runTool`: off the cooperative pool).
func runPython(_ script: URL, _ arguments: [String]) async throws -> [String: Any] {
    let run = try await runTool("/usr/bin/env", ["python3", script.path] + arguments)
    guard run.status == 0 else {
        throw ReportError.io("python3 \(script.lastPathComponent) exited \(run.status): \(String(decoding: run.stderr, as: UTF8.self).suffix(2000))")
    }
    return try JSONSerialization.jsonObject(with: run.stdout) as! [String: Any]
}

