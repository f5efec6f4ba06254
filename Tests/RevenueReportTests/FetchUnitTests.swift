import Foundation
import Testing
@testable import RevenueReport

@Suite struct FetchUnitTests {
    @Test func retryAfterAsSecondsOrHTTPDate() {
        #expect(RetryPolicy.parseRetryAfter("120") == 120)
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let later = RetryPolicy.parseRetryAfter("Mon, 21 Sep 2026 14:13:30 GMT", now: now)
        #expect(later.map { abs($0 - 10) < 0.001 } == true, "\(String(describing: later))")
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
        #expect(RetryPolicy.parseRetryAfter(nil) == nil)
    }

    @Test func backoffIsBoundedByAttemptsAndTime() {
        let policy = RetryPolicy(maxAttempts: 4, baseDelay: 1, maxDelay: 3, maxTotalTime: 100)
        for attempt in 1...3 {
            for _ in 0..<50 {
                let wait = policy.delay(afterAttempt: attempt, retryAfter: nil, elapsed: 0)!
                #expect(wait >= 0 && wait <= min(3, pow(2, Double(attempt - 1))))
            }
        }
        #expect(policy.delay(afterAttempt: 4, retryAfter: nil, elapsed: 0) == nil)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 30, elapsed: 0) == 30)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 30, elapsed: 80) == nil)
    }

    @Test func urlsMustBeHTTPSUnlessLoopback() throws {
        #expect(throws: ReportError.self) { try APIEndpoint(baseURL: "http://api.example.com", authURL: "https://auth.example.com", format: .json) }
        #expect(throws: ReportError.self) { try APIEndpoint(baseURL: "https://api.example.com", authURL: "http://10.0.0.1", format: .json) }
        #expect(throws: ReportError.self) { try APIEndpoint(baseURL: "ftp://x", authURL: "https://a", format: .json) }
        #expect(throws: ReportError.self) { try APIEndpoint(baseURL: "https://user:pw@api.example.com", authURL: "https://a", format: .json) }
        for host in ["127.0.0.1:8080", "127.9.8.7", "localhost:1", "[::1]:8080"] {
            #expect(throws: Never.self) { try APIEndpoint(baseURL: "http://\(host)", authURL: "http://\(host)", format: .json) }
        }
        let endpoint = try APIEndpoint(baseURL: Region.us.defaultBaseURL, authURL: Region.us.defaultAuthURL + "/", format: .xml)
        #expect(endpoint.revenueURL.absoluteString == "https://api.us.customergauge.com/v4.1/file/company-revenue.xml")
        #expect(endpoint.tokenURL.absoluteString == "https://auth.us.customergauge.com/oauth2/token")
    }

    @Test func queryAsksOneDayPastTo() {
        let query = APIQuery(filter: RecordFilter(from: CivilDate("2026-10-01"), to: CivilDate("2026-10-31"), id: 7), pageSize: 500)
        let items = query.items(start: 1000)
        #expect(items.map { "\($0.0)=\($0.1)" } == ["id=7", "date_range_from=2026-10-01", "date_range_to=2026-11-01", "start=1000", "limit=500"])
        // Without --id, the 31 days before the range come too, for the report's comparison.
        let month = APIQuery(filter: RecordFilter(from: CivilDate("2026-10-01"), to: CivilDate("2026-10-31")), pageSize: 1000)
        #expect(month.items(start: 0).map { "\($0.0)=\($0.1)" } == ["date_range_from=2026-08-31", "date_range_to=2026-11-01", "start=0", "limit=1000"])
    }

    @Test func credentialsComeFromCGVariablesOnly() async throws {
        func credentials(_ environment: [String: String]) async throws -> Credentials {
            let layers = try await SettingsLayers.load(flags: [:], configPath: nil, environment: environment)
            guard case .api(let api) = try RunSettings.resolve(layers).source else { throw CancellationError() }
            return try #require(api.credentials)
        }
        #expect(try await credentials(["CG_CLIENT_ID": "a", "CG_CLIENT_SECRET": "b"]) == .oauth(clientID: "a", clientSecret: Secret("b")))
        #expect(try await credentials(["CG_API_KEY": "k"]) == .apiKey(Secret("k")))
        await #expect(throws: ReportError.self) { try await credentials(["CLIENT_SECRET": "b", "API_KEY": "x"]) }
        await #expect(throws: ReportError.self) { try await credentials(["CG_CLIENT_ID": "a"]) }
        #expect("\(Secret("hunter2"))" == "********")
        #expect(String(reflecting: Secret("hunter2")) == "********")
    }

    @Test func replayReadsFilesInNameOrderWithNumbersAsNumbers() {
        let names = ["page-10.json", "page-2.json", "page-1.xml", "page-0003.json", "b.json", "a.json", "page-1.json"]
        #expect(names.sorted(by: ReplaySource.fileNameOrder) == ["a.json", "b.json", "page-1.json", "page-1.xml", "page-2.json", "page-0003.json", "page-10.json"])
    }

    @Test func serverMessagesMaskEchoedSecrets() {
        let body = Data(#"{"error":"invalid_client","error_description":"bad secret hunter2"}"#.utf8)
        #expect(ServerMessage.describe(body, secrets: ["hunter2"]) == "invalid_client: bad secret ********")
        #expect(ServerMessage.describe(Data(#"{"Error":{"Message":"Invalid API key","Code":200000}}"#.utf8), secrets: []) == "Invalid API key (code 200000)")
    }
}
