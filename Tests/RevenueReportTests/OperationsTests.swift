import CustomerGaugeSandbox
import Foundation
import Hummingbird
import Testing
@testable import RevenueReport

/// `--metrics-file` and `--ping-url`, through the built binary: the file promtool reads, its
/// values against the manifest, the last success carried over a failure, SIGTERM; the pings as a
/// real loopback HTTP server records them, and a monitor that is down, slow or failing.
@Suite struct OperationsTests {
    let examples = packageRoot.appendingPathComponent("examples/responses").path

    /// `promtool check metrics` on the file: nil when it passes, else what it said.
    func promtoolProblems(_ file: URL) async throws -> String? {
        let candidates = ["/usr/bin/promtool", "/usr/local/bin/promtool", "/bin/promtool"]
        guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return "promtool is not installed (Debian package prometheus; .ci/run installs it)"
        }
        let run = try await runTool(tool, ["check", "metrics"], input: try Data(contentsOf: file))
        let said = run.output + String(decoding: run.stderr, as: UTF8.self)
        return run.status == 0 && said.isEmpty ? nil : said
    }

    /// The samples of a metrics file: `name{labels}` → value.
    func samples(_ text: String) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            // The value follows the last space (a label value may hold spaces).
            guard let space = line.lastIndex(of: " ") else { continue }
            values[String(line[..<space])] = Double(line[line.index(after: space)...])
        }
        return values
    }

    @Test func aSuccessfulRunWritesMetricsThatMatchTheManifest() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try FileManager.default.createDirectory(at: folder.path("textfile"), withIntermediateDirectories: true)
        let before = Date().timeIntervalSince1970
        let result = try await runCLI(["report", "--replay", examples, "--range", "2026-03", "--out", "out", "--name", "r",
                                       "--metrics-file", "textfile/cg_revenue.prom", "--now", "2020-01-01T00:00:00Z"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        let text = try folder.read("textfile/cg_revenue.prom")
        #expect(try await promtoolProblems(folder.path("textfile/cg_revenue.prom")) == nil)
        #expect(try folder.listing("textfile") == ["cg_revenue.prom"])  // no temporary file left
        let values = samples(text)
        let manifest = try JSONParser.parse(Data(try folder.read("out/r.manifest.json").utf8))
        #expect(values["cg_revenue_last_run_exit_code"] == 0)
        #expect(values["cg_revenue_pages"] == Double(manifest["counts"]?["pages"]?.numberText ?? ""))
        let uploads = values.filter { $0.key.hasPrefix("cg_revenue_uploads{") }.values.reduce(0, +)
        #expect(uploads == Double(manifest["counts"]?["in_range"]?.numberText ?? ""))
        // The real clock, not --now: when the run happened.
        let lastRun = try #require(values["cg_revenue_last_run_timestamp_seconds"])
        #expect(lastRun >= before && lastRun <= Date().timeIntervalSince1970 + 1)
        #expect(values["cg_revenue_last_success_timestamp_seconds"] == lastRun)
        #expect(values["cg_revenue_http_requests{code=\"200\"}"] == nil)  // a replay makes no request
        // The HTML's KPIs and the metrics agree.
        let html = try folder.read("out/r.html")
        #expect(html.contains("Needs attention (\(Int(values["cg_revenue_attention_uploads"] ?? -1)))"))
    }

    @Test func aFailedRunCarriesTheLastSuccessOverAndAForeignFileIsReplaced() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("bad/p.json", "[{\"id\": ")
        let ok = try await runCLI(["report", "--replay", examples, "--out", "out", "--metrics-file", "m.prom"], in: folder.url)
        #expect(ok.status == 0)
        let success = try #require(samples(try folder.read("m.prom"))["cg_revenue_last_success_timestamp_seconds"])
        let failed = try await runCLI(["report", "--replay", "bad", "--out", "out", "--metrics-file", "m.prom"], in: folder.url)
        #expect(failed.status == 1)
        let after = samples(try folder.read("m.prom"))
        #expect(after["cg_revenue_last_run_exit_code"] == 1)
        #expect(after["cg_revenue_last_success_timestamp_seconds"] == success)
        #expect(after["cg_revenue_last_run_timestamp_seconds"]! >= success)
        #expect(after["cg_revenue_pages"] == nil)  // no figures are claimed for a run that failed
        #expect(try await promtoolProblems(folder.path("m.prom")) == nil)
        // A file that is not ours: replaced, and the last success is unknown, not invented.
        try folder.write("m.prom", "cg_revenue_last_success_timestamp_seconds 12345\n")
        let again = try await runCLI(["report", "--replay", "bad", "--out", "out", "--metrics-file", "m.prom"], in: folder.url)
        #expect(again.status == 1)
        let replaced = samples(try folder.read("m.prom"))
        #expect(replaced["cg_revenue_last_success_timestamp_seconds"] == nil)
        #expect(replaced["cg_revenue_last_run_exit_code"] == 1)
    }

    @Test func twoRunsWithTheSameFiguresGiveTheSameFamiliesInTheSameOrder() throws {
        let figures = ReportFigures(uploadsByStatus: ["Processed": 3, "Failed": 1, "Processing": 2, "Partially Processed": 4],
                                    successfulRecords: 10, unsuccessfulRecords: 2, attentionUploads: 7, pages: 3)
        let run = RunFigures(finishedAt: Date(timeIntervalSince1970: 1_800_000_000), durationSeconds: 1.5, exitCode: 0, report: figures,
                             requests: (["200": 3, "429": 1, "none": 1], 2))
        let file = MetricsFile(url: URL(fileURLWithPath: "/nonexistent/m.prom"))
        let texts = (0..<5).map { _ in file.render(run) }
        #expect(Set(texts).count == 1)
        let names = texts[0].split(separator: "\n").filter { $0.hasPrefix("# TYPE") }.map { $0.split(separator: " ")[2] }
        #expect(names == names.sorted())
        #expect(texts[0].contains("cg_revenue_http_requests{code=\"429\"} 1"))
        #expect(texts[0].contains("cg_revenue_http_retries 2"))
    }

    @Test func aRunStoppedBySIGTERMStillWritesItsMetrics() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var options = sandboxOptions(uploads: 200, from: "2026-01-01", to: "2026-01-31")
        options.latencyMilliseconds = 4000
        try await withSandbox(options) { sandbox, server in
            let status = try await runLiveCLIAndSignal(SIGTERM, sandbox: sandbox, server: server, extraArguments: ["--metrics-file", "m.prom"],
                                                       in: folder.url)
            #expect(status == 143)
        }
        let values = samples(try folder.read("m.prom"))
        #expect(values["cg_revenue_last_run_exit_code"] == 143)
        #expect(values["cg_revenue_last_success_timestamp_seconds"] == nil)
        #expect(try await promtoolProblems(folder.path("m.prom")) == nil)
        #expect(try folder.listing().filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test func anAPIRunCountsItsRequestsByCodeAndItsRetries() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var options = sandboxOptions(uploads: 250, from: "2026-01-01", to: "2026-01-31")
        options.rateLimitFirst = 1
        options.retryAfterSeconds = 0
        try await withSandbox(options) { sandbox, server in
            let result = try await runCLI(["report", "--base-url", sandbox.url, "--auth-url", sandbox.url, "--out", "out", "--name", "r",
                                           "--page-size", "100", "--concurrency", "1", "--metrics-file", "m.prom"],
                                          in: folder.url, environment: ["CG_API_KEY": "sandbox-api-key"])
            #expect(result.status == 0, "\(result.stderr)")
            let values = samples(try folder.read("m.prom"))
            // 1 refused (429), 3 pages, and the 400184 answer (HTTP 400) that ends the listing.
            #expect(values["cg_revenue_http_requests{code=\"429\"}"] == 1)
            #expect(values["cg_revenue_http_requests{code=\"200\"}"] == 3)
            #expect(values["cg_revenue_http_requests{code=\"400\"}"] == 1)
            #expect(values["cg_revenue_http_retries"] == 1)
            #expect(values.filter { $0.key.hasPrefix("cg_revenue_http_requests") }.values.reduce(0, +) == Double(server.stats.revenueRequests))
            #expect(values["cg_revenue_pages"] == 4)
            #expect(try await promtoolProblems(folder.path("m.prom")) == nil)
        }
    }

    @Test func anUnwritableMetricsFolderStopsTheRunBeforeAnyRequest() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withSandbox(sandboxOptions(uploads: 10, from: "2026-01-01", to: "2026-01-31")) { sandbox, server in
            let result = try await runCLI(["report", "--base-url", sandbox.url, "--auth-url", sandbox.url, "--out", "out",
                                           "--metrics-file", "missing/folder/m.prom"], in: folder.url, environment: ["CG_API_KEY": "sandbox-api-key"])
            #expect(result.status == 2)
            #expect(result.stderr.contains("missing/folder/m.prom"))
            #expect(server.stats.revenueRequests == 0)
        }
    }

    // MARK: pings

    @Test func pingsStartAndTheExitCodeWithTheLastLogLines() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withPingServer { monitor in
            let url = "\(monitor.url)/ping/abc-secret-check"
            let ok = try await runCLI(["report", "--replay", examples, "--out", "out", "--ping-url", url], in: folder.url)
            #expect(ok.status == 0)
            try folder.write("bad/p.json", "[{\"id\": ")
            let failed = try await runCLI(["report", "--replay", "bad", "--out", "out", "--ping-url", url], in: folder.url)
            #expect(failed.status == 1)
            // A ping whose answer came after its 10 s (a loaded machine) is sent once more, as
            // designed: the monitor may see it twice in a row, never out of order.
            var pings = monitor.received
            pings = pings.enumerated().filter { index, ping in index == 0 || pings[index - 1].path != ping.path }.map(\.element)
            #expect(pings.map(\.path) == ["/ping/abc-secret-check/start", "/ping/abc-secret-check/0", "/ping/abc-secret-check/start", "/ping/abc-secret-check/1"])
            #expect(pings.map(\.method) == ["POST", "POST", "POST", "POST"])
            #expect(pings[1].body.contains("wrote "))
            #expect(pings[3].body.contains("p.json"))  // the error that ended the run
            #expect(pings.allSatisfy { $0.body.utf8.count <= HealthcheckPing.maxBodyBytes })
            // The ping URL names the check: it is nowhere in what the run showed or wrote.
            #expect(!ok.stderr.contains("abc-secret-check") && !failed.stderr.contains("abc-secret-check"))
            let manifest = try folder.read("out/revenue-uploads_all.manifest.json")
            #expect(!manifest.contains("abc-secret-check"))
            #expect(manifest.contains("\"ping-url\": \"********\""))
            let dry = try await runCLI(["report", "--replay", examples, "--ping-url", url, "--dry-run"], in: folder.url)
            #expect(!dry.stdout.contains("abc-secret-check"))
        }
    }

    @Test(arguments: [500, 302])
    func aMonitorThatFailsChangesNothingButAWarning(status: Int) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try await withPingServer(status: status) { monitor in
            let url = "\(monitor.url)/ping/abc-secret-check"
            let result = try await runCLI(["report", "--replay", examples, "--out", "out", "--name", "r", "--ping-url", url], in: folder.url)
            #expect(result.status == 0)
            #expect(try folder.listing("out").count == 4)
            let warnings = result.stderr.split(separator: "\n").filter { $0.contains("ping") }
            #expect(warnings.count == 2)  // start and end, one line each
            // Each names the monitor's answer; on a loaded machine an answer may come after the
            // ping's 10 s, and the warning then says it timed out: the outcome is the same.
            #expect(warnings.allSatisfy { ($0.contains("HTTP \(status)") || $0.contains("timed out")) && $0.contains("outcome is unchanged") }, "\(warnings)")
            #expect(!result.stderr.contains("abc-secret-check") && !result.stderr.contains("127.0.0.1"))
            #expect(monitor.received.count == 4)  // 2 tries each
        }
    }

    @Test func aMonitorThatIsDownChangesNothing() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        // A port that was just free: nothing listens there.
        let port = try await withPingServer { monitor in monitor.port }
        let arguments = ["report", "--replay", examples, "--out", "out", "--fail-on", "not-processed", "--log-level", "warning"]
        var started = Date()
        _ = try await runCLI(arguments, in: folder.url)
        let alone = Date().timeIntervalSince(started)
        started = Date()
        let result = try await runCLI(arguments + ["--ping-url", "http://127.0.0.1:\(port)/ping/abc-secret-check"], in: folder.url)
        let withDeadMonitor = Date().timeIntervalSince(started)
        #expect(result.status == 3)  // the run's own outcome
        #expect(!result.stderr.contains("abc-secret-check"))
        #expect(result.stderr.contains("ping to /start was not taken") && result.stderr.contains("ping to /3 was not taken"), "\(result.stderr)")
        // A refused connection ends each try at once: 3 s is the promise, 10 s a ceiling a busy
        // machine cannot reach by chance (it took 40 s when each try waited for its connect timeout).
        #expect(withDeadMonitor < alone + 10, "\(withDeadMonitor) s with a dead monitor against \(alone) s without")
    }

    /// A monitor that takes the connection and never answers: each try is cut at its timeout,
    /// and the run's own ping gets 10 s a try.
    @Test func aMonitorThatNeverAnswersIsCutAtTheTimeoutOfEachTry() async throws {
        #expect(HealthcheckPing(url: URL(string: "http://127.0.0.1/x")!).timeout == 10)
        let listener = try SilentListener()
        defer { listener.close() }
        let started = Date()
        let problem = await HealthcheckPing(url: URL(string: "http://127.0.0.1:\(listener.port)/ping/abc-secret-check")!, timeout: 1, tries: 2).start()
        let elapsed = Date().timeIntervalSince(started)
        #expect(problem?.contains("timed out") == true, "\(problem ?? "taken")")
        #expect(problem.map { !$0.contains("abc-secret-check") && !$0.contains("127.0.0.1") } == true)
        // At least the two timeouts; the ceiling is generous because other suites' blocking waits
        // can hold this task's resumption on 2 busy cores (an uncut try would never end).
        #expect(elapsed >= 1.9 && elapsed < 60, "2 tries of 1 s took \(elapsed) s")
    }

    @Test func aSlowMonitorIsGivenUpOnAfterItsTimeout() async throws {
        try await withPingServer(delaySeconds: 3) { monitor in
            let ping = HealthcheckPing(url: URL(string: "\(monitor.url)/ping/abc-secret-check")!, timeout: 0.5, tries: 2)
            let problem = await ping.start()
            #expect(problem != nil)
            #expect(problem.map { !$0.contains("abc-secret-check") && !$0.contains("127.0.0.1") } == true)
            #expect(monitor.received.count >= 1)  // it reached the monitor, and gave up waiting
        }
    }

    @Test func plainHTTPToANonLoopbackPingHostIsRefused() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let result = try await runCLI(["report", "--replay", examples, "--out", "out", "--ping-url", "http://hc.example.com/abc-secret-check"], in: folder.url)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--ping-url ********: plain http"))
        #expect(!result.stderr.contains("abc-secret-check"))
        #expect(!folder.exists("out"))
    }
}

/// A loopback HTTP server standing in for healthchecks.io: records every request, answers
/// `status` after `delaySeconds`.
final class PingRecorder: @unchecked Sendable {
    struct Ping: Sendable {
        var method: String
        var path: String
        var body: String
    }

    private let lock = NSLock()
    private var pings: [Ping] = []
    var port = 0
    var url: String { "http://127.0.0.1:\(port)" }
    var received: [Ping] { lock.withLock { pings } }

    func record(_ ping: Ping) { lock.withLock { pings.append(ping) } }
}

func withPingServer<T: Sendable>(status: Int = 200, delaySeconds: Double = 0, _ body: @Sendable (PingRecorder) async throws -> T) async throws -> T {
    let recorder = PingRecorder()
    let router = Router()
    router.post("**") { request, context -> Response in
        let bytes = try await request.body.collect(upTo: 1 << 20)
        recorder.record(.init(method: request.method.rawValue, path: request.uri.path, body: String(buffer: bytes)))
        if delaySeconds > 0 { try await Task.sleep(nanoseconds: UInt64(delaySeconds * 1e9)) }
        var headers = HTTPFields()
        if status == 302 { headers[.location] = "http://127.0.0.1:1/elsewhere" }
        return Response(status: .init(code: status), headers: headers)
    }
    return try await withLoopbackServer(router) { port in
        recorder.port = port
        return try await body(recorder)
    }
}

/// Runs `router` on a loopback port the system picks, hands the port to `body` once the server
/// listens, and stops the server when `body` ends (however it ends).
func withLoopbackServer<T: Sendable>(_ router: Router<BasicRequestContext>, _ body: @Sendable (Int) async throws -> T) async throws -> T {
    let ready = AsyncStream<Int>.makeStream()
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                          onServerRunning: { channel in ready.continuation.yield(channel.localAddress?.port ?? 0) })
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService() }
        var iterator = ready.stream.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        do {
            let result = try await body(port)
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

extension JSONValue {
    /// A number's text, for comparing with other readers' numbers.
    var numberText: String? { if case .number(let text) = self { return text } else { return nil } }
    var stringText: String? { if case .string(let text) = self { return text } else { return nil } }
    var arrayItems: [JSONValue] { if case .array(let items) = self { return items } else { return [] } }
    subscript(index: Int) -> JSONValue? { arrayItems.indices.contains(index) ? arrayItems[index] : nil }
}

/// A loopback port that takes connections (the kernel completes the handshake into the backlog)
/// and never reads or answers them.
final class SilentListener: @unchecked Sendable {
    private let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard descriptor >= 0, bound == 0, listen(descriptor, 16) == 0 else { throw CocoaError(.fileWriteUnknown) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
