import Foundation

/// `--ping-url URL`: the healthchecks.io protocol. `URL/start` when the run begins, `URL/<exit
/// code>` at the end with the run's last log lines as the body (at most 100 kB). A ping is
/// advice to a monitor: it never changes the exit code or an output; each one gets at most 10 s
/// and 2 tries, then one warning. The URL names the check, so no message here ever shows it.
public struct HealthcheckPing: Sendable {
    public static let maxBodyBytes = 100_000
    let url: URL
    let timeout: TimeInterval
    let tries: Int

    public init(url: URL, timeout: TimeInterval = 10, tries: Int = 2) {
        self.url = url
        self.timeout = timeout
        self.tries = tries
    }

    /// `URL/start`.
    public func start() async -> String? {
        await send(path: "start", body: Data())
    }

    /// `URL/<exitCode>` with the last log lines; the body is cut from the front to fit.
    public func finish(exitCode: Int32, log: String) async -> String? {
        var body = Data(log.utf8)
        if body.count > Self.maxBodyBytes { body = body.suffix(Self.maxBodyBytes) }
        return await send(path: String(exitCode), body: body)
    }

    /// Sends one ping; nil when it was taken, else why not (never the URL).
    func send(path: String, body: Data) async -> String? {
        var settings = HTTPTransport.Settings()
        settings.requestTimeout = timeout
        settings.connectTimeout = timeout
        settings.maxResponseBytes = 64 * 1024
        let transport = HTTPTransport(settings: settings)
        let target = url.appendingPathComponent(path).absoluteString
        var problem = "no answer"
        for _ in 0 ..< max(1, tries) {
            do {
                let exchange = try await transport.send(method: .POST, url: target, headers: [("Content-Type", "text/plain; charset=utf-8")], body: body)
                if (200..<300).contains(exchange.status) {
                    await transport.shutdown()
                    return nil
                }
                problem = "HTTP \(exchange.status)"
            } catch let failure as TransportFailure {
                // The transport's messages name the URL: say only what kind of failure it was.
                switch failure {
                case .transient(let reason), .notSent(let reason): problem = Self.withoutURL(reason, target)
                case .bodyTooLarge: problem = "the answer was too large"
                }
            } catch {
                problem = Self.withoutURL("\(error)", target)
            }
        }
        await transport.shutdown()
        return "the ping to /\(path) was not taken (\(problem)); the run's outcome is unchanged"
    }

    static func withoutURL(_ text: String, _ url: String) -> String {
        var text = text.replacingOccurrences(of: url, with: "the ping URL")
        if let host = URL(string: url)?.host { text = text.replacingOccurrences(of: host, with: "the ping host") }
        return text
    }
}
