import CustomerGaugeSandbox
import Foundation
import Testing
@testable import RevenueReport

/// End to end against the sandbox on an ephemeral loopback port, in JSON and in XML.
@Suite struct LiveAPITests {
    static let formats: [WireFormat] = [.json, .xml]

    func smallData() -> SandboxOptions {
        sandboxOptions(uploads: 450, from: "2026-01-01", to: "2026-03-31")
    }

    @Test(arguments: formats)
    func severalPagesAndConcurrencyOneAndEightGiveIdenticalBytes(format: WireFormat) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox(smallData()) { sandbox, server in
            let one = try await runLive(sandbox, format: format, pageSize: 40, concurrency: 1, out: folder.path("c1"))
            let eight = try await runLive(sandbox, format: format, pageSize: 40, concurrency: 8, out: folder.path("c8"))
            #expect(one == eight)
            #expect(one[.ndjson]!.split(separator: "\n").count == 450)
            // 12 pages (11 full, 1 short) per run, plus what --concurrency 8 sends past the end.
            #expect(server.stats.successfulPages == 24)
        }
    }

    @Test func liveGivesTheSameBytesAsTheBundledRecordedPages() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let filter = RecordFilter(from: CivilDate("2026-01-01"), to: CivilDate("2026-06-30"))
        let replayed = try await runReplay(packageRoot.appendingPathComponent("examples/responses"), filter: filter, outputs: [.csv, .ndjson], out: folder.path("r"))
        try await withSandbox { sandbox, _ in
            for format in Self.formats {
                let live = try await runLive(sandbox, format: format, filter: filter, out: folder.path("l-\(format)"))
                #expect(live == replayed)
            }
        }
    }

    @Test(arguments: formats)
    func oneUploadById(format: WireFormat) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox(smallData()) { sandbox, server in
            let result = try await runLive(sandbox, format: format, filter: RecordFilter(id: 1100), out: folder.url)
            let rows = result[.csv]!.split(separator: "\r\n")
            #expect(rows.count == 2)
            #expect(rows[1].hasPrefix("1100,"))
            #expect(server.stats.revenueRequests == 1)
        }
    }

    @Test(arguments: formats)
    func dateFilteringIsExactThoughTheServerReadsDateRangeToExclusively(format: WireFormat) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let filter = RecordFilter(from: CivilDate("2026-02-01"), to: CivilDate("2026-02-28"))
        let generated = UploadGenerator(seed: 2026, count: 450, from: CivilDate("2026-01-01")!, to: CivilDate("2026-03-31")!).uploads()
        let expectedIDs = generated.filter { $0.day >= "2026-02-01" && $0.day <= "2026-02-28" }.map { String($0.id) }
        try await withSandbox(smallData()) { sandbox, _ in
            let csv = try await runLive(sandbox, format: format, filter: filter, pageSize: 50, out: folder.url)[.csv]!
            let ids = csv.split(separator: "\r\n").dropFirst().map { String($0.prefix(while: { $0 != "," })) }
            #expect(!expectedIDs.isEmpty)
            #expect(ids == expectedIDs)
        }
    }

    @Test(arguments: formats)
    func tooManyRequestsWithRetryAfterThenSuccess(format: WireFormat) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var options = smallData()
        options.rateLimitFirst = 2
        options.retryAfterSeconds = 1
        try await withSandbox(options) { sandbox, server in
            let started = Date()
            let result = try await runLive(sandbox, format: format, concurrency: 1, out: folder.url)
            #expect(result[.ndjson]!.split(separator: "\n").count == 450)
            // 2 refused, then the one page of 450, then the empty page that proves the end.
            #expect(server.stats.revenueRequests == 4)
            // Retry-After: 1 was honoured twice, although the backoff alone would wait ~10 ms.
            #expect(Date().timeIntervalSince(started) >= 2)
        }
    }

    @Test(arguments: formats)
    func aBurstOf503ThenSuccess(format: WireFormat) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var options = smallData()
        options.failFirst = 3
        options.failStatus = 503
        try await withSandbox(options) { sandbox, server in
            let result = try await runLive(sandbox, format: format, pageSize: 100, concurrency: 1, out: folder.url)
            #expect(result[.ndjson]!.split(separator: "\n").count == 450)
            // 3 refused, 5 pages (the last short), and the empty page that proves the end.
            #expect(server.stats.revenueRequests == 3 + 5 + 1)
        }
    }

    @Test(arguments: formats)
    func droppedConnectionsAreRetried(format: WireFormat) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var options = smallData()
        options.dropFirst = 2
        try await withSandbox(options) { sandbox, server in
            let result = try await runLive(sandbox, format: format, pageSize: 100, concurrency: 1, out: folder.url)
            #expect(result[.ndjson]!.split(separator: "\n").count == 450)
            // The drops did happen, and each was asked again: 2 cut off, 5 pages, 1 empty page.
            #expect(server.stats.droppedResponses == 2)
            #expect(server.stats.revenueRequests == 2 + 5 + 1)
        }
    }

    @Test(arguments: formats)
    func aPersistent500FailsWithNoOutputAndEarlierOutputsIntact(format: WireFormat) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let earlier = try await withSandbox(smallData()) { sandbox, _ in
            try await runLive(sandbox, format: format, outputs: [.csv, .ndjson, .html], out: folder.url)
        }
        var broken = smallData()
        broken.failAfter = 0
        broken.failStatus = 500
        try await withSandbox(broken) { sandbox, server in
            await #expect(throws: ReportError.self) {
                _ = try await runLive(sandbox, format: format, outputs: [.csv, .ndjson, .html], out: folder.url)
            }
            #expect(server.stats.revenueRequests == 5)  // --max-attempts
        }
        #expect(try folder.read("report.csv") == earlier[.csv])
        #expect(try folder.read("report.ndjson") == earlier[.ndjson])
        #expect(try folder.listing() == ["report.csv", "report.html", "report.manifest.json", "report.ndjson"])
    }

    @Test(arguments: formats)
    func aTokenThatExpiresMidRunIsRenewed(format: WireFormat) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var options = smallData()
        options.tokenUses = 2
        try await withSandbox(options) { sandbox, server in
            let result = try await runLive(sandbox, format: format, pageSize: 50, concurrency: 1, out: folder.url)
            #expect(result[.ndjson]!.split(separator: "\n").count == 450)
            #expect(server.stats.tokenRequests >= 4)
        }
    }

    @Test(arguments: formats)
    func apiKeyAuthentication(format: WireFormat) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox(smallData()) { sandbox, server in
            let result = try await runLive(sandbox, format: format, credentials: .apiKey(Secret("sandbox-api-key")), out: folder.url)
            #expect(result[.ndjson]!.split(separator: "\n").count == 450)
            #expect(server.stats.tokenRequests == 0)
            await #expect(throws: ReportError.self) {
                _ = try await runLive(sandbox, format: format, credentials: .apiKey(Secret("wrong-key")), out: folder.path("x"))
            }
        }
    }

    @Test(arguments: formats)
    func aServerIgnoringStartIsStoppedNotLoopedOn(format: WireFormat) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var options = smallData()
        options.ignoreStart = true
        try await withSandbox(options) { sandbox, server in
            do {
                _ = try await runLive(sandbox, format: format, pageSize: 100, concurrency: 4, out: folder.url)
                Issue.record("a server ignoring start was accepted")
            } catch let error as ReportError {
                guard case .repeatedPage = error else { Issue.record("unexpected \(error)"); return }
                #expect(error.description.contains("start=100"))
            }
            // The first page, then at most the pages typed ahead plus the source's window of 4.
            #expect(server.stats.revenueRequests <= 1 + CollectStage.typingWidth + 4)
            #expect(try folder.listing().isEmpty)
        }
    }

    @Test(arguments: formats)
    func archivedPagesReplayToIdenticalOutputs(format: WireFormat) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox(smallData()) { sandbox, _ in
            let live = try await runLive(sandbox, format: format, pageSize: 100, concurrency: 3, archive: folder.path("archive"), out: folder.path("live"))
            let replayed = try await runReplay(folder.path("archive"), outputs: [.csv, .ndjson], out: folder.path("replay"))
            #expect(live == replayed)
            let files = try folder.listing("archive")
            #expect(files.contains("page-0001.\(format.rawValue)") && files.contains("page-0005.\(format.rawValue)") && files.contains("page-0005.meta.json"))
            let sidecar = try folder.read("archive/page-0001.meta.json")
            let page = try Data(contentsOf: folder.path("archive/page-0001.\(format.rawValue)"))
            #expect(sidecar.contains(sha256Hex(page)))
            #expect(sidecar.contains("\"status\":200"))
            #expect(sidecar.contains("start=0"))
            #expect(!sidecar.lowercased().contains("authorization"))
            #expect(!sidecar.contains("sandbox-token"))
        }
    }

    @Test(arguments: [PageRenderer.JSONShape.dataObject, .lowercaseData, .singleObject])
    func everyJSONListShapeFromTheServer(shape: PageRenderer.JSONShape) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var options = smallData()
        options.jsonShape = shape
        options.numbersAsNumbers = true
        options.noDataStatus = 200
        let expected = try await withSandbox(smallData()) { sandbox, _ in
            try await runLive(sandbox, format: .json, filter: RecordFilter(from: CivilDate("2026-01-01"), to: CivilDate("2026-01-05")), pageSize: 1, concurrency: 2, out: folder.path("plain"))
        }
        try await withSandbox(options) { sandbox, _ in
            let result = try await runLive(sandbox, format: .json, filter: RecordFilter(from: CivilDate("2026-01-01"), to: CivilDate("2026-01-05")), pageSize: 1, concurrency: 2, out: folder.path("shaped"))
            #expect(result == expected)
            #expect(result[.csv]!.split(separator: "\r\n").count > 3)
        }
    }
}
