import CustomerGaugeSandbox
import Foundation
import Testing
@testable import RevenueReport

/// Pagination loses nothing: `start` advances by the records each page held, and only an empty
/// page or 400184 ends the listing, also when the server serves fewer records than `limit` asks.
@Suite struct PaginationTests {
    static let cases: [(WireFormat, Int)] = [(.json, 1), (.json, 8), (.xml, 1), (.xml, 8)]

    @Test(arguments: cases)
    func aServerThatCapsLimitLosesNothing(format: WireFormat, concurrency: Int) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var options = sandboxOptions(uploads: 1_000, from: "2026-01-01", to: "2026-03-31")
        options.maxLimit = 300
        let generated = UploadGenerator(seed: options.seed, count: 1_000, from: options.from, to: options.to).uploads()
        try await withSandbox(options) { sandbox, server in
            let csv = try await runLive(sandbox, format: format, pageSize: 1000, concurrency: concurrency, out: folder.url)[.csv]!
            let ids = Set(csv.split(separator: "\r\n").dropFirst().map { Int64($0.prefix(while: { $0 != "," }))! })
            #expect(ids.count == 1_000)
            #expect(ids == Set(generated.map(\.id)))
            // 300 + 300 + 300 + 100, and the page after the short one, empty, proves the end;
            // pages asked ahead at the wrong offsets may add a few more, never a missed one.
            #expect(server.stats.revenueRequests >= 5)
            if concurrency == 1 { #expect(server.stats.revenueRequests == 5) }
        }
    }

    @Test func aFullLastPageIsFollowedByOneEmptyPage() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox(sandboxOptions(uploads: 400, from: "2026-01-01", to: "2026-03-31")) { sandbox, server in
            let csv = try await runLive(sandbox, format: .json, pageSize: 100, concurrency: 1, out: folder.url)[.csv]!
            #expect(csv.split(separator: "\r\n").count == 401)
            #expect(server.stats.revenueRequests == 5)
        }
    }

    @Test func theWindowAsksAheadAtTheStepItHasSeen() {
        var window = PageWindow(pageSize: 1000, concurrency: 4)
        #expect(window.launches(inFlight: []) == [0])  // the first page goes alone
        #expect(window.delivered(start: 0, records: 300) == .replan)  // capped: asked 1000, got 300
        #expect(window.nextToDeliver == 300)
        #expect(window.launches(inFlight: []) == [300])  // the next goes alone from where it ended
        #expect(window.delivered(start: 300, records: 300) == .keep)  // as long: the cap is 300
        #expect(window.launches(inFlight: []) == [600, 900, 1200, 1500])
        #expect(window.delivered(start: 600, records: 300) == .keep)
        #expect(window.launches(inFlight: [900, 1200, 1500]) == [1800])
        #expect(window.delivered(start: 900, records: 120) == .replan)  // short: maybe the end
        #expect(window.launches(inFlight: []) == [1020])
        #expect(window.delivered(start: 1020, records: 0) == .replan)  // empty: the end
        #expect(window.nextToDeliver == nil)
        #expect(window.launches(inFlight: []) == [])
    }

    @Test func aQueryByIdIsOneRequest() {
        var window = PageWindow(pageSize: 1000, concurrency: 4, singleRequest: true)
        #expect(window.launches(inFlight: []) == [0])
        _ = window.delivered(start: 0, records: 1)
        #expect(window.nextToDeliver == nil)
    }

    @Test func aServerIgnoringStartIsStoppedNotLooped() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var options = sandboxOptions(uploads: 450, from: "2026-01-01", to: "2026-03-31")
        options.ignoreStart = true
        options.maxLimit = 100
        _ = try await withSandbox(options) { sandbox, _ in
            await #expect(throws: ReportError.self) {
                _ = try await runLive(sandbox, format: .json, pageSize: 1000, concurrency: 4, out: folder.url)
            }
        }
        #expect(try folder.listing().isEmpty)
    }
}
