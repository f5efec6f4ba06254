import Foundation
import Testing
@testable import RevenueReport

/// `--dry-run` needs no credentials: the whole plan, then each problem found; exit 2 if any.
@Suite struct DryRunTests {
    @Test func theReadmesNightlyDryRunWorksWithoutCredentials() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let config = packageRoot.appendingPathComponent("examples/nightly.yaml").path
        let bare = try await runCLI(["report", "--config", config, "--dry-run"], in: folder.url)
        #expect(bare.status == 2)
        #expect(bare.stdout.contains("settings:"))
        #expect(bare.stdout.contains("request: GET https://api.eu.customergauge.com/v4.1/file/company-revenue.json?"))
        #expect(bare.stdout.contains("1 problem(s), exit 2:\n  - no credentials"))
        let withKey = try await runCLI(["report", "--config", config, "--dry-run"], in: folder.url, environment: ["CG_API_KEY": "k-secret-1"])
        #expect(withKey.status == 0, "\(withKey.stdout)")
        #expect(withKey.stdout.contains("no problems found"))
        #expect(!withKey.stdout.contains("k-secret-1"))
    }

    @Test func everyProblemIsListedAfterThePlan() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let result = try await runCLI(["report", "--dry-run", "--page-size", "abc", "--region", "mars", "--from", "2026-13-01"], in: folder.url)
        #expect(result.status == 2)
        #expect(result.stdout.contains("--page-size abc: must be a whole number from 1 to 1000"))
        #expect(result.stdout.contains("--region mars: choose eu, us or au"))
        #expect(result.stdout.contains("--from 2026-13-01: there is no month 13"))
        #expect(result.stdout.contains("no credentials"))
        #expect(result.stdout.contains("4 problem(s)"))
    }

    @Test func aLoopbackAPIWithTheRegionsAuthServerIsCaughtBeforeAnyRequest() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let environment = ["CG_CLIENT_ID": "a", "CG_CLIENT_SECRET": "b"]
        let result = try await runCLI(["report", "--base-url", "http://127.0.0.1:9", "--out", "out"], in: folder.url, environment: environment)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--auth-url is probably missing"))
        #expect(!folder.exists("out"))
        // An API key needs no token server: nothing is missing then.
        let dry = try await runCLI(["report", "--base-url", "http://127.0.0.1:9", "--dry-run"], in: folder.url, environment: ["CG_API_KEY": "k"])
        #expect(dry.status == 0, "\(dry.stdout)")
    }

    @Test func compareNoneAsksOnlyForTheRange() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let environment = ["CG_API_KEY": "k"]
        let both = try await runCLI(["report", "--from", "2026-03-01", "--to", "2026-03-31", "--dry-run"], in: folder.url, environment: environment)
        #expect(both.stdout.contains("date_range_from=2026-01-29&date_range_to=2026-04-01"))
        #expect(both.stdout.contains("compared with: 2026-01-29 to 2026-02-28"))
        let none = try await runCLI(["report", "--from", "2026-03-01", "--to", "2026-03-31", "--compare", "none", "--dry-run"], in: folder.url, environment: environment)
        #expect(none.status == 0)
        #expect(none.stdout.contains("date_range_from=2026-03-01&date_range_to=2026-04-01"))
        #expect(!none.stdout.contains("compared with"))
        // And the report then compares with nothing.
        let replay = try await runCLI(["report", "--replay", packageRoot.appendingPathComponent("examples/responses").path, "--range", "2026-03",
                                       "--compare", "none", "--out", "out", "--name", "r"], in: folder.url)
        #expect(replay.status == 0)
        #expect(!(try folder.read("out/r.html")).contains("Changes against"))
    }
}
