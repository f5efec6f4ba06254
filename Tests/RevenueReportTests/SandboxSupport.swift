import CustomerGaugeSandbox
import Foundation
import RevenueReport

/// Starts a sandbox on an ephemeral loopback port, runs `body`, and stops it whatever happens.
func withSandbox<T>(_ options: SandboxOptions = SandboxOptions(), _ body: (RunningSandbox, SandboxServer) async throws -> T) async throws -> T {
    let server = SandboxServer(options: options)
    let running = try await server.start(host: "127.0.0.1", port: 0)
    do {
        let result = try await body(running, server)
        await running.stop()
        return result
    } catch {
        await running.stop()
        throw error
    }
}

/// A sandbox serving `uploads` generated uploads dated `from` to `to` (small, fast data sets).
func sandboxOptions(uploads: Int, from: String, to: String) -> SandboxOptions {
    var options = SandboxOptions()
    options.uploads = uploads
    options.from = CivilDate(from)!
    options.to = CivilDate(to)!
    return options
}

let sandboxOAuth = Credentials.oauth(clientID: "sandbox-client", clientSecret: Secret("sandbox-secret"))

/// Runs the pipeline against a sandbox in-process, with short retry waits, and returns the outputs.
func runLive(_ sandbox: RunningSandbox, format: WireFormat, filter: RecordFilter = RecordFilter(), pageSize: Int = 1000, concurrency: Int = 4,
             credentials: Credentials = sandboxOAuth, retry: RetryPolicy = RetryPolicy(maxAttempts: 5, baseDelay: 0.01, maxDelay: 0.05),
             outputs: [OutputKind] = [.csv, .ndjson], archive: URL? = nil, timeout: Double = 5, maxPageBytes: Int = 64 * 1024 * 1024,
             out: URL) async throws -> [OutputKind: String] {
    let endpoint = try APIEndpoint(baseURL: sandbox.url, authURL: sandbox.url, format: format)
    var settings = HTTPTransport.Settings()
    settings.requestTimeout = timeout
    settings.maxResponseBytes = maxPageBytes
    let transport = HTTPTransport(settings: settings)
    let source = APISource(endpoint: endpoint, query: APIQuery(filter: filter, pageSize: pageSize), concurrency: concurrency,
                           credentials: credentials, transport: transport, retry: retry, logger: quietLogger)
    let configuration = ReportConfiguration(filter: filter, outputs: outputs, outDirectory: out, stem: "report", archiveDirectory: archive)
    do {
        _ = try await Pipeline.run(source: source, configuration: configuration, logger: quietLogger)
        await transport.shutdown()
    } catch {
        await transport.shutdown()
        throw error
    }
    var result: [OutputKind: String] = [:]
    for kind in outputs {
        result[kind] = try String(contentsOf: out.appendingPathComponent("report.\(kind.fileExtension)"), encoding: .utf8)
    }
    return result
}

/// Starts a live run of the built binary against `sandbox` (API key), sends it `signal` once its
/// first request has reached the sandbox, and returns its exit status.
func runLiveCLIAndSignal(_ signal: Int32, sandbox: RunningSandbox, server: SandboxServer, extraArguments: [String] = [],
                         in folder: URL) async throws -> Int32 {
    let run = try RunningCLI(["report", "--base-url", sandbox.url, "--auth-url", sandbox.url, "--out", "out", "--quiet"] + extraArguments,
                             in: folder, environment: ["CG_API_KEY": "sandbox-api-key"])
    // Signal only once the run is under way: its first request has reached the sandbox.
    for _ in 0..<200 where server.stats.revenueRequests == 0 {
        try await Task.sleep(nanoseconds: 50_000_000)
    }
    run.signal(signal)
    return await run.finish().status
}
