import Foundation
import Logging

/// Steps 2 to 5 of `upload`: notes the uploads already listed under the file's name, sends the
/// file, and makes sure it is taken once, whatever the network does (never twice).
///
/// The API's answer carries no upload id, and a POST whose answer is lost may or may not have
/// been taken. So: what cannot have been taken (429, 503, a connection never made) is sent
/// again by the client's retry policy; anything else (a timeout, a dropped connection, another
/// 5xx) is settled by looking for a new upload of that name in the listing for up to
/// `settleWindow` before the file is sent again. Found, it counts as taken.
public struct RevenueFileSender: Sendable {
    public let client: APIClient
    public let sourceZone: SourceZone
    /// How long a lost answer is settled by the listing before the file goes again (60 s).
    public var settleWindow: Duration = .seconds(60)
    /// Between two looks at the listing.
    public var settlePause: Duration = .seconds(2)
    /// Sends of one file at most, lost answers included (`--max-attempts`).
    public var maxSends: Int

    public init(client: APIClient, sourceZone: SourceZone, maxSends: Int) {
        self.client = client
        self.sourceZone = sourceZone
        self.maxSends = max(1, maxSends)
    }

    /// What became of one file sent.
    public enum Sent: Sendable {
        /// Taken; `found` when the listing already showed the new upload (a lost answer settled).
        case taken(found: RevenueUpload?)
        case refused
    }

    /// Step 2: the uploads listed under `name`, from yesterday to tomorrow in the source zone.
    public func listed(named name: String, now: Date = Date()) async throws -> [RevenueUpload] {
        let today = sourceZone.date(at: now)
        var filter = RecordFilter(from: today.adding(days: -1), to: today.adding(days: 1))
        filter.comparesPreviousPeriod = false
        let listing = APISource(client: client, query: APIQuery(filter: filter, pageSize: 1000, sourceZone: sourceZone), concurrency: 1)
        let typer = RecordTyper(zone: sourceZone)
        var found: [RevenueUpload] = []
        try await listing.forEachPage(width: 1, read: { raw in try ListedPage(raw, typer: typer) }) { page in
            found += page.uploads.filter { $0.sourceFilename == name }
        }
        return found
    }

    /// Steps 3 to 5: sends `file` until it is taken or refused, never twice. `before`: the ids
    /// listed under its name before it was first sent.
    public func send(_ file: OutgoingFile, before: Set<Int64>) async throws -> Sent {
        let form = MultipartForm(file: file)
        let url = client.endpoint.uploadURL.absoluteString
        let format = client.endpoint.format
        var sends = 0
        while true {
            sends += 1
            do {
                let answer = try await client.send(.POST, url: url, headers: [("Content-Type", form.contentType)], body: form.body,
                                                   safety: .notIdempotent) { exchange, _ in
                    try UploadAnswer.read(exchange.body, format: format, url: url)
                } failure: { exchange, _ in
                    .fail(code: Self.envelopeCode(exchange.body, format: format, url: url))
                }
                return answer == .taken ? .taken(found: nil) : .refused
            } catch let unsettled as UnsettledRequest {
                client.logger.warning("\(file.name): \(unsettled.reason) after sending it: looking for it in the listing before sending it again")
                if let found = try await findNew(named: file.name, notIn: before, within: settleWindow) {
                    client.logger.info("\(file.name): listed as upload \(found.id): it was taken; not sent again")
                    return .taken(found: found)
                }
                guard sends < maxSends else {
                    throw ReportError.fetchFailed(url: url, reason: "\(file.name) was sent \(sends) time(s) without an answer and is not in the listing; not sent again", attempts: sends)
                }
                client.logger.warning("\(file.name): not in the listing after \(settleWindow): it was not taken; sending it again")
            }
        }
    }

    /// Looks for an upload named `name` whose id is not in `before`, until `window` has passed;
    /// the newest such upload, or nil.
    public func findNew(named name: String, notIn before: Set<Int64>, within window: Duration) async throws -> RevenueUpload? {
        try await findNew(named: name, notIn: before, until: ContinuousClock().now + window)
    }

    /// The same, until `deadline`: the last look is at the deadline, so the time is waited in full.
    public func findNew(named name: String, notIn before: Set<Int64>, until deadline: ContinuousClock.Instant) async throws -> RevenueUpload? {
        let clock = ContinuousClock()
        while true {
            if let found = try await listed(named: name).filter({ !before.contains($0.id) }).max(by: { $0.id < $1.id }) {
                return found
            }
            let now = clock.now
            guard now < deadline else { return nil }
            try await Task.sleep(until: min(now + settlePause, deadline), clock: clock)
        }
    }

    /// One upload asked for by id; nil when the API does not list it.
    public func upload(id: Int64) async throws -> RevenueUpload? {
        let url = client.endpoint.uploadByIDURL(id).absoluteString
        let format = client.endpoint.format
        let typer = RecordTyper(zone: sourceZone)
        let page = try await client.send(.GET, url: url) { exchange, _ in
            try ListedPage(RawPage(origin: url, format: format, bytes: exchange.body, provenance: nil), typer: typer)
        } failure: { exchange, _ in
            if let page = try? ListedPage(RawPage(origin: url, format: format, bytes: exchange.body, provenance: nil), typer: typer),
               page.isNoDataAnswer { return .accept(page) }
            return .fail(code: Self.envelopeCode(exchange.body, format: format, url: url))
        }
        return page.uploads.first { $0.id == id }
    }

    static func envelopeCode(_ body: Data, format: WireFormat, url: String) -> String {
        do {
            _ = try PageParser.parse(RawPage(origin: url, format: format, bytes: body, provenance: nil))
        } catch ReportError.apiError(_, _, let code) {
            return code
        } catch {}
        return "none"
    }
}

/// A page of the listing, typed: the uploads it holds (records that cannot be typed are left out:
/// the upload job looks for one name, it does not report the listing).
struct ListedPage: PageContent {
    var raw: RawPage
    var uploads: [RevenueUpload]
    var isNoDataAnswer: Bool
    var recordCount: Int

    init(_ raw: RawPage, typer: RecordTyper) throws {
        let parsed = try PageParser.parse(raw)
        self.raw = raw
        isNoDataAnswer = parsed.isNoDataAnswer
        recordCount = parsed.records.count
        uploads = parsed.records.compactMap { record in
            if case .typed(let upload) = typer.type(record) { return upload }
            return nil
        }
    }
}
