import CustomerGaugeSandbox
import Foundation
import Testing
import RevenueReport

/// The built binary against the sandbox: what a user sees on the terminal and in exit codes.
@Suite struct LiveCommandLineTests {
    let oauth = ["CG_CLIENT_ID": "sandbox-client", "CG_CLIENT_SECRET": "sandbox-secret"]

    func arguments(_ sandbox: RunningSandbox, _ extra: [String]) -> [String] {
        ["report", "--base-url", sandbox.url, "--auth-url", sandbox.url, "--out", "out"] + extra
    }

    @Test(arguments: ["json", "xml"])
    func aWholeRunThroughTheCommandLine(format: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox { sandbox, _ in
            let result = try await runCLI(arguments(sandbox, ["--format", format, "--from", "2026-01-01", "--to", "2026-06-30", "--concurrency", "8", "--log-level", "debug"]),
                                    in: folder.url, environment: oauth)
            #expect(result.status == 0, "\(result.stderr)")
            let replay = try await runCLI(["report", "--replay", packageRoot.appendingPathComponent("examples/responses").path, "--from", "2026-01-01", "--to", "2026-06-30", "--out", "replay"], in: folder.url)
            #expect(replay.status == 0)
            let name = "revenue-uploads_2026-01-01_2026-06-30"
            #expect(try folder.read("out/\(name).csv") == (try folder.read("replay/\(name).csv")))
            #expect(try folder.read("out/\(name).ndjson") == (try folder.read("replay/\(name).ndjson")))
            #expect(!result.stderr.contains("sandbox-secret"))
            #expect(!result.stderr.contains("sandbox-token"))
        }
    }

    @Test func wrongCredentialsExit1WithTheServersMessageAndNoSecret() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox { sandbox, _ in
            let secret = "not-the-secret-42"
            let result = try await runCLI(arguments(sandbox, ["--log-level", "trace"]), in: folder.url,
                                    environment: ["CG_CLIENT_ID": "sandbox-client", "CG_CLIENT_SECRET": secret])
            #expect(result.status == 1)
            #expect(result.stderr.contains("invalid_client"))
            #expect(result.stderr.contains("Client authentication failed"))
            #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret))
            #expect(try folder.listing("out").isEmpty)

            let key = try await runCLI(arguments(sandbox, ["--log-level", "trace"]), in: folder.url, environment: ["CG_API_KEY": "wrong-key-99"])
            #expect(key.status == 1)
            #expect(key.stderr.contains("Invalid API key"))
            #expect(!key.stderr.contains("wrong-key-99"))
        }
    }

    @Test func missingCredentialsExit2NamingTheVariables() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        // Unprefixed names already in someone's shell must not count.
        let result = try await runCLI(["report", "--base-url", "http://127.0.0.1:9"], in: folder.url, environment: ["CLIENT_SECRET": "x", "API_KEY": "y"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("CG_CLIENT_ID") && result.stderr.contains("CG_CLIENT_SECRET") && result.stderr.contains("CG_API_KEY"))
    }

    @Test(arguments: [
        (["--base-url", "http://api.example.com"], "--base-url"),
        (["--auth-url", "http://auth.example.com"], "--auth-url"),
        (["--page-size", "1001"], "--page-size"),
        (["--page-size", "0"], "--page-size"),
        (["--concurrency", "0"], "--concurrency"),
        (["--region", "mars"], "--region"),
        (["--format", "csv"], "--format"),
    ])
    func badLiveOptionsExit2(extra: [String], named: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let result = try await runCLI(["report"] + extra, in: folder.url, environment: oauth)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(named))
    }

    @Test func environmentPicksTheServerButFlagsWin() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox { sandbox, _ in
            var environment = oauth
            environment["CG_BASE_URL"] = sandbox.url
            environment["CG_AUTH_URL"] = sandbox.url
            let fromEnvironment = try await runCLI(["report", "--id", "1500", "--out", "out"], in: folder.url, environment: environment)
            #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
            environment["CG_BASE_URL"] = "http://api.example.com"  // refused, unless the flag replaces it
            let flagWins = try await runCLI(["report", "--id", "1500", "--out", "out2", "--base-url", sandbox.url], in: folder.url, environment: environment)
            #expect(flagWins.status == 0, "\(flagWins.stderr)")
        }
    }
}
