import Foundation
import Hummingbird
import Testing
@testable import RevenueReport

/// The API client against a real loopback server that answers from a script: what is retried
/// for a request that may be repeated, what is never sent twice for one that may not, and what
/// is sent again because the server cannot have taken it.
@Suite struct APIClientTests {
    func client(_ url: String, attempts: Int = 4) throws -> APIClient {
        let endpoint = try APIEndpoint(baseURL: url, authURL: url, format: .json)
        return APIClient(endpoint: endpoint, credentials: .apiKey(Secret("key-secret-123")), transport: HTTPTransport(),
                         retry: RetryPolicy(maxAttempts: attempts, baseDelay: 0.01, maxDelay: 0.02), logger: quietLogger)
    }

    @Test func aGETIsTriedAgainAfterA500() async throws {
        try await withScriptedServer([500, 502, 200]) { server in
            let client = try client(server.url)
            let body = try await client.send(.GET, url: server.url + "/x") { exchange, _ in String(decoding: exchange.body, as: UTF8.self) }
            #expect(body == "answer 3")
            #expect(server.requests == 3)
            await client.transport.shutdown()
        }
    }

    @Test func aPOSTAnsweredWithA500IsNeverSentAgain() async throws {
        try await withScriptedServer([500, 200]) { server in
            let client = try client(server.url)
            await #expect(throws: UnsettledRequest.self) {
                _ = try await client.send(.POST, url: server.url + "/upload", body: Data("file".utf8), safety: .notIdempotent) { _, _ in true }
            }
            #expect(server.requests == 1, "sent once: the server may have taken it")
            await client.transport.shutdown()
        }
    }

    @Test(arguments: [429, 503])
    func aPOSTTheServerDidNotTakeIsSentAgain(status: Int) async throws {
        try await withScriptedServer([status, 200]) { server in
            let client = try client(server.url)
            let taken = try await client.send(.POST, url: server.url + "/upload", body: Data("file".utf8), safety: .notIdempotent) { _, _ in true }
            #expect(taken)
            #expect(server.requests == 2)
            await client.transport.shutdown()
        }
    }

    @Test func aPOSTToAPortNobodyListensOnIsTriedAgainAndNamesNoSecret() async throws {
        let port = try await withScriptedServer([200]) { $0.port }  // free again once the server stops
        let client = try client("http://127.0.0.1:\(port)", attempts: 3)
        do {
            _ = try await client.send(.POST, url: "http://127.0.0.1:\(port)/upload", body: Data("file".utf8), safety: .notIdempotent) { _, _ in true }
            Issue.record("sent")
        } catch {
            #expect(!(error is UnsettledRequest), "a refused connection is settled: not taken")
            #expect("\(error)".contains("3 attempt"), "\(error)")
            #expect(!"\(error)".contains("key-secret-123"))
        }
        #expect(client.tally.retries == 2)
        await client.transport.shutdown()
    }

    @Test func theEndpointsOfBothJobs() throws {
        let endpoint = try APIEndpoint(baseURL: "https://api.eu.customergauge.com", authURL: "https://auth.eu.customergauge.com", format: .xml)
        #expect(endpoint.revenueURL.absoluteString == "https://api.eu.customergauge.com/v4.1/file/company-revenue.xml")
        #expect(endpoint.uploadURL.absoluteString == "https://api.eu.customergauge.com/v4.1/company/revenue_file_automate.xml")
        #expect(endpoint.uploadByIDURL(42).absoluteString == "https://api.eu.customergauge.com/v4.1/file/company-revenue.xml?id=42")
    }
}

/// A loopback server answering each request with the next status of `statuses` (the last one
/// for every request after), its body `answer N`.
final class ScriptedServer: @unchecked Sendable {
    private let lock = NSLock()
    private let statuses: [Int]
    private var count = 0
    var port = 0
    var url: String { "http://127.0.0.1:\(port)" }
    var requests: Int { lock.withLock { count } }

    init(statuses: [Int]) { self.statuses = statuses }

    func next() -> (Int, Int) {
        lock.withLock {
            count += 1
            return (statuses[min(count, statuses.count) - 1], count)
        }
    }
}

func withScriptedServer<T: Sendable>(_ statuses: [Int], _ body: @Sendable (ScriptedServer) async throws -> T) async throws -> T {
    let server = ScriptedServer(statuses: statuses)
    let router = Router()
    router.on("**", method: .get) { _, _ -> Response in
        let (status, number) = server.next()
        return Response(status: .init(code: status), body: .init(byteBuffer: ByteBuffer(string: "answer \(number)")))
    }
    router.on("**", method: .post) { request, _ -> Response in
        _ = try await request.body.collect(upTo: 1 << 20)
        let (status, number) = server.next()
        return Response(status: .init(code: status), body: .init(byteBuffer: ByteBuffer(string: "answer \(number)")))
    }
    return try await withLoopbackServer(router) { port in
        server.port = port
        return try await body(server)
    }
}
