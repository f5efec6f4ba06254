import ArgumentParser
import CustomerGaugeSandbox
import Foundation
import Logging
import RevenueReport

/// `cg-sandbox serve` (the default): the API imitation on a local port.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the imitation API (token endpoint and revenue endpoint) on a local port.",
        discussion: """
            Both hosts on one port: point --base-url and --auth-url of cg-revenue at it.
            Credentials it accepts: CG_CLIENT_ID=sandbox-client CG_CLIENT_SECRET=sandbox-secret, or CG_API_KEY=sandbox-api-key.

            Example:
              cg-sandbox --port 8080 --uploads 50000 --latency-ms 25
              CG_CLIENT_ID=sandbox-client CG_CLIENT_SECRET=sandbox-secret \\
                cg-revenue report --base-url http://127.0.0.1:8080 --auth-url http://127.0.0.1:8080 --from 2026-01-01 --to 2026-06-30

            Revenue files: POST /v4.1/company/revenue_file_automate.json (or .xml) takes a multipart part named file, lists it at once as Processing dated now, and processes it after --processing-ms with the rules of `cg-revenue check` plus "Account name not found" for accounts it does not know (Acme Corp, Beta GmbH, Gamma Ltd, Delta SA, Epsilon BV, Zeta AB, Eta Oy, Theta Inc, Iota LLC, Kappa Pty). `curl http://127.0.0.1:8080/sandbox/uploads` lists every POST it received and what it did with it.

            Night after night: `curl -X POST 'http://127.0.0.1:8080/sandbox/next-night?new=12'` moves the data on a night: every upload still Processing finishes (Processed, or Failed for one in four) and 12 new uploads appear on the day after the latest, the first still Processing. It answers with what changed, as JSON.
            """
    )

    @Option(help: "Port to listen on (0: any free port, printed at start).") var port: Int = 8080
    @Option(help: "Address to listen on; keep it on loopback.") var host: String = "127.0.0.1"
    @Option(help: "Number of generated uploads.") var uploads: Int = 2300
    @Option(help: "Seed of the generator.") var seed: UInt64 = 2026
    @Option(help: "First day of upload dates.") var from: String = "2025-12-01"
    @Option(help: "Last day of upload dates.") var to: String = "2026-07-15"
    @Option(name: .customLong("latency-ms"), help: "Delay before each revenue response, in milliseconds.") var latencyMs: Int = 0
    @Option(name: .customLong("token-lifetime"), help: "Seconds a token lives.") var tokenLifetime: Int = 3600
    @Option(name: .customLong("token-uses"), help: "Revenue requests a token is good for before it is answered 401.") var tokenUses: Int?
    @Option(name: .customLong("rate-limit-share"), help: "Share (0 to 1) of revenue requests answered 429.") var rateLimitShare: Double = 0
    @Option(name: .customLong("rate-limit-first"), help: "Answer the first N revenue requests 429.") var rateLimitFirst: Int = 0
    @Option(name: .customLong("retry-after"), help: "Retry-After seconds sent with 429.") var retryAfter: Int = 1
    @Option(name: .customLong("fail-first"), help: "Answer the next N revenue requests with --fail-status (a burst of 5xx).") var failFirst: Int = 0
    @Option(name: .customLong("fail-after"), help: "After N successful pages, answer every revenue request with --fail-status.") var failAfter: Int?
    @Option(name: .customLong("fail-status"), help: "Status of the failures above.") var failStatus: Int = 503
    @Option(name: .customLong("drop-share"), help: "Share (0 to 1) of revenue responses cut off mid-body.") var dropShare: Double = 0
    @Option(name: .customLong("drop-first"), help: "Cut off the next N revenue responses mid-body.") var dropFirst: Int = 0
    @Option(name: .customLong("body-delay-ms"), help: "Delay between a response's head and its body, in milliseconds.") var bodyDelayMs: Int = 0
    @Option(name: .customLong("max-limit"), help: "Serve at most N records a page whatever `limit` asks (a server that caps limit).") var maxLimit: Int?
    @Flag(name: .customLong("ignore-start"), help: "Ignore `start`: every page is the first (a broken server).") var ignoreStart = false
    @Flag(name: .customLong("token-endpoint-down"), help: "Answer every token request 503.") var tokenEndpointDown = false
    @Option(name: .customLong("json-shape"), help: "array, data-object, lowercase-data or single-object.") var jsonShape: String = "array"
    @Option(name: .customLong("xml-shape"), help: "records or single-root.") var xmlShape: String = "records"
    @Flag(name: .customLong("numbers"), help: "Send ids and counts as JSON numbers, not strings.") var numbers = false
    @Option(name: .customLong("no-data-status"), help: "HTTP status of the 400184 answer past the end (200 or 400).") var noDataStatus: Int = 400
    @Flag(name: .customLong("date-range-to-inclusive"), help: "Treat date_range_to as inclusive.") var dateRangeToInclusive = false
    @Option(name: .customLong("processing-ms"), help: "Milliseconds a file sent to the upload endpoint stays Processing before it is processed.") var processingMs: Int = 2000
    @Flag(name: .customLong("upload-fail-without-reason"), help: "Every file taken ends Failed with no log entry (CustomerGauge giving no reason).") var uploadFailWithoutReason = false
    @Option(name: .customLong("upload-unavailable-first"), help: "Answer the first N upload POSTs 503 before taking the file.") var uploadUnavailableFirst: Int = 0
    @Flag(name: .customLong("upload-no-retry-after"), help: "Send those 503s without Retry-After.") var uploadNoRetryAfter = false
    @Option(name: .customLong("upload-drop-first"), help: "Take the next N files, then drop the connection before the answer.") var uploadDropFirst: Int = 0
    @Option(name: .customLong("upload-slow-first"), help: "Take the next N files and answer after --upload-answer-delay-ms.") var uploadSlowFirst: Int = 0
    @Option(name: .customLong("upload-answer-delay-ms"), help: "Delay of those answers, in milliseconds.") var uploadAnswerDelayMs: Int = 5000
    @Flag(name: .customLong("upload-refuse"), help: "Answer every upload {\"Data\": false} without taking it.") var uploadRefuse = false

    func run() async throws {
        var options = SandboxOptions()
        guard let fromDate = CivilDate(from), let toDate = CivilDate(to) else { throw ValidationError("--from and --to must be YYYY-MM-DD") }
        guard let json = PageRenderer.JSONShape(rawValue: jsonShape) else { throw ValidationError("--json-shape: \(jsonShape) is not a shape") }
        guard let xml = PageRenderer.XMLShape(rawValue: xmlShape) else { throw ValidationError("--xml-shape: \(xmlShape) is not a shape") }
        options.uploads = uploads
        options.seed = seed
        options.from = fromDate
        options.to = toDate
        options.latencyMilliseconds = latencyMs
        options.tokenLifetime = tokenLifetime
        options.tokenUses = tokenUses
        options.rateLimitShare = rateLimitShare
        options.rateLimitFirst = rateLimitFirst
        options.retryAfterSeconds = retryAfter
        options.failFirst = failFirst
        options.failAfter = failAfter
        options.failStatus = failStatus
        options.dropShare = dropShare
        options.dropFirst = dropFirst
        options.bodyDelayMilliseconds = bodyDelayMs
        options.ignoreStart = ignoreStart
        options.maxLimit = maxLimit
        options.tokenEndpointDown = tokenEndpointDown
        options.jsonShape = json
        options.xmlShape = xml
        options.numbersAsNumbers = numbers
        options.noDataStatus = noDataStatus
        options.dateRangeToInclusive = dateRangeToInclusive
        options.processingMilliseconds = processingMs
        options.uploadFailWithoutReason = uploadFailWithoutReason
        options.uploadUnavailableFirst = uploadUnavailableFirst
        options.uploadRetryAfter = !uploadNoRetryAfter
        options.uploadDropFirst = uploadDropFirst
        options.uploadSlowFirst = uploadSlowFirst
        options.uploadAnswerDelayMilliseconds = uploadAnswerDelayMs
        options.uploadRefuse = uploadRefuse

        let server = SandboxServer(options: options)
        let running = try await server.start(host: host, port: port)
        // Written straight to the descriptor: a script waiting for this line must see it at once.
        FileHandle.standardOutput.write(Data("cg-sandbox listening on \(running.url) with \(uploads) uploads (Ctrl-C to stop)\n".utf8))
        // Run until interrupted.
        let signals = AsyncStream<Void> { continuation in
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
                source.setEventHandler { continuation.yield() }
                source.resume()
                SignalSources.keep(source)
            }
        }
        for await _ in signals { break }
        await running.stop()
        let stats = server.stats
        print("cg-sandbox stopped: \(stats.revenueRequests) revenue request(s), \(stats.tokenRequests) token request(s)")
    }
}

/// Keeps signal sources alive for the life of the process.
enum SignalSources {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    static func keep(_ source: DispatchSourceSignal) { sources.append(source) }
}
