import CustomerGaugeSandbox
import Foundation
import Testing
@testable import RevenueReport

/// The fault matrix against the sandbox: each row ends in a correct report or exit 1 with
/// nothing written and earlier outputs untouched.
@Suite struct FaultMatrixTests {
    static let formats: [WireFormat] = [.json, .xml]

    func small() -> SandboxOptions {
        sandboxOptions(uploads: 200, from: "2026-01-01", to: "2026-01-31")
    }

    let fastRetry = RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.05)

    /// Runs once against a healthy sandbox, then against `broken`, and checks the second run
    /// failed with `expected` in its message and left the first run's files as they were.
    func expectFailureLeavesEarlierOutputs(_ broken: SandboxOptions, format: WireFormat, expected: String,
                                           timeout: Double = 5, maxPageBytes: Int = 64 * 1024 * 1024) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let earlier = try await withSandbox(small()) { sandbox, _ in
            try await runLive(sandbox, format: format, out: folder.url)
        }
        try await withSandbox(broken) { sandbox, _ in
            do {
                _ = try await runLive(sandbox, format: format, pageSize: 50, concurrency: 2, retry: fastRetry, timeout: timeout,
                                      maxPageBytes: maxPageBytes, out: folder.url)
                Issue.record("the run succeeded")
            } catch let error as ReportError {
                #expect(error.exitCode == 1)
                #expect(error.description.contains(expected), "\(error)")
            }
        }
        #expect(try folder.read("report.csv") == earlier[.csv])
        #expect(try folder.read("report.ndjson") == earlier[.ndjson])
        #expect(try folder.listing() == ["report.csv", "report.manifest.json", "report.ndjson"])
    }

    @Test(arguments: formats)
    func responsesSlowerThanTheTimeout(format: WireFormat) async throws {
        var options = small()
        options.bodyDelayMilliseconds = 1500
        try await expectFailureLeavesEarlierOutputs(options, format: format, expected: "timed out", timeout: 0.3)
    }

    @Test(arguments: formats)
    func connectionResetMidBody(format: WireFormat) async throws {
        var options = small()
        options.dropFirst = 1000
        try await expectFailureLeavesEarlierOutputs(options, format: format, expected: "gave up after 3 attempts")
    }

    @Test(arguments: formats)
    func tooManyRequestsBeyondTheRetryBudget(format: WireFormat) async throws {
        var options = small()
        options.rateLimitFirst = 1000
        options.retryAfterSeconds = 0
        try await expectFailureLeavesEarlierOutputs(options, format: format, expected: "HTTP 429")
    }

    @Test(arguments: formats)
    func serverErrorsAfterSomePagesSucceeded(format: WireFormat) async throws {
        var options = small()
        options.failAfter = 2
        options.failStatus = 502
        try await expectFailureLeavesEarlierOutputs(options, format: format, expected: "HTTP 502")
    }

    @Test(arguments: formats)
    func theTokenEndpointIsDown(format: WireFormat) async throws {
        var options = small()
        options.tokenEndpointDown = true
        try await expectFailureLeavesEarlierOutputs(options, format: format, expected: "token request failed: HTTP 503")
    }

    @Test(arguments: formats)
    func anHTMLErrorPageWithStatus200(format: WireFormat) async throws {
        var options = small()
        options.bodyOverride = Array("<html><body><h1>502 Bad Gateway</h1></body></html>".utf8)
        try await expectFailureLeavesEarlierOutputs(options, format: format, expected: format == .json ? "502 Bad Gateway" : "company-revenue.xml")
    }

    @Test(arguments: formats)
    func anEmptyBodyWithStatus200(format: WireFormat) async throws {
        var options = small()
        options.bodyOverride = []
        try await expectFailureLeavesEarlierOutputs(options, format: format, expected: "the body is empty")
    }

    @Test func aHundredMegabyteTextNodeIsRefusedByThePageCap() async throws {
        var options = small()
        var body = Array(#"[{"id":"1","date_upload":"2026-01-02 00:00:00","source_filename":""#.utf8)
        body += [UInt8](repeating: UInt8(ascii: "x"), count: 100 * 1024 * 1024)
        body += Array(#""}]"#.utf8)
        options.bodyOverride = body
        try await expectFailureLeavesEarlierOutputs(options, format: .json, expected: "larger than the page size cap of 67108864 bytes")
    }

    @Test(arguments: formats)
    func aContentTypeThatLiesChangesNothing(format: WireFormat) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let honest = try await withSandbox(small()) { sandbox, _ in try await runLive(sandbox, format: format, out: folder.path("a")) }
        var options = small()
        options.contentTypeOverride = format == .json ? "text/xml" : "application/json"
        let lying = try await withSandbox(options) { sandbox, _ in try await runLive(sandbox, format: format, out: folder.path("b")) }
        #expect(honest == lying)
    }

    @Test func nothingListeningIsAFailureAfterRetries() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        // An unresolvable host would send a DNS query off this machine; a closed loopback port
        // exercises the same path (connect fails, retried, exit 1) without leaving loopback.
        let closed = try await withSandbox(small()) { sandbox, _ in sandbox }  // started and stopped: its port is free now
        do {
            _ = try await runLive(closed, format: .json, retry: fastRetry, out: folder.url)
            Issue.record("the run succeeded")
        } catch let error as ReportError {
            #expect(error.description.contains("gave up after 3 attempts"), "\(error)")
        }
        #expect(try folder.listing().isEmpty)
    }

    @Test func anUnwritableOutputFolderFailsBeforeAnyFileIsMade() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("not-a-folder", "x")
        await #expect(throws: ReportError.self) {
            _ = try await runReplay(packageRoot.appendingPathComponent("examples/responses"), out: folder.path("not-a-folder/out"))
        }
        #expect(try folder.read("not-a-folder") == "x")
    }

    static var canMountTmpfs: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount")
    }

    @Test(.enabled(if: canMountTmpfs, "needs root to mount a small tmpfs"))
    func aFullDiskLeavesNoPartialFileAndEarlierOutputsIntact() async throws {
        let folder = try TemporaryFolder()
        defer {
            _ = try? shell("/bin/umount", [folder.path("disk").path])
            folder.cleanUp()
        }
        try FileManager.default.createDirectory(at: folder.path("disk"), withIntermediateDirectories: true)
        guard try shell("/bin/mount", ["-t", "tmpfs", "-o", "size=600k", "tmpfs", folder.path("disk").path]) == 0 else {
            Issue.record("mount failed")
            return
        }
        let examples = packageRoot.appendingPathComponent("examples/responses")
        // A small report fits...
        let filter = RecordFilter(from: CivilDate("2026-03-01"), to: CivilDate("2026-03-07"))
        let earlier = try await runReplay(examples, filter: filter, outputs: [.csv, .ndjson], out: folder.path("disk"))
        // ...the whole data set does not.
        do {
            _ = try await runReplay(examples, outputs: [.csv, .ndjson], out: folder.path("disk"))
            Issue.record("the run succeeded on a full disk")
        } catch let error as ReportError {
            #expect(error.description.contains("No space left on device"), "\(error)")
        }
        #expect(try folder.listing("disk") == ["report.csv", "report.manifest.json", "report.ndjson"])
        #expect(try folder.read("disk/report.csv") == earlier[.csv])
    }

    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func aSignalMidRunRemovesTemporaryFilesAndExitsNonZero(signal: Int32, expected: Int32) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var options = small()
        options.latencyMilliseconds = 4000
        try await withSandbox(options) { sandbox, server in
            let status = try await runLiveCLIAndSignal(signal, sandbox: sandbox, server: server, in: folder.url)
            #expect(server.stats.revenueRequests > 0)
            #expect(status == expected)
        }
        #expect(try folder.listing("out").isEmpty)
    }
}

@discardableResult
func shell(_ tool: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}
