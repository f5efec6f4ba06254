import Foundation
import RevenueReport

/// One POST to the upload endpoint, as the sandbox saw it.
public struct UploadRequest: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        /// Taken and answered `{"Data": {"data": 1}}`.
        case taken
        /// Taken, then the connection dropped before the answer was whole.
        case takenThenDropped = "taken-then-dropped"
        /// Taken, and answered after `uploadAnswerDelayMilliseconds`.
        case takenThenSlow = "taken-then-slow"
        /// Answered 503 before the file was read: not taken.
        case unavailable
        /// Answered `{"Data": false}`: not taken.
        case refused
        case unauthorised
        /// No part named `file`: 400.
        case malformed
    }

    public var number: Int
    public var outcome: Outcome
    public var filename: String?
    public var contentType: String?
    public var bytes: Int?
    public var sha256: String?
    /// The upload it became, when taken.
    public var uploadID: Int64?
    /// When it was taken (its processing is due `processingMilliseconds` later).
    public var takenAt: Date?

    /// Whether the file went into the listing.
    public var wasTaken: Bool { uploadID != nil }
}

/// The upload endpoint's record of what it received.
final class UploadLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [UploadRequest] = []
    private var counter = 0

    var requests: [UploadRequest] { lock.withLock { entries } }

    func count() -> Int {
        lock.withLock {
            counter += 1
            return counter
        }
    }

    func add(_ request: UploadRequest) {
        lock.withLock { entries.append(request) }
    }

    var json: String {
        JSONValue.array(requests.map { request in
            .object([
                JSONMember("number", .number(String(request.number))),
                JSONMember("outcome", .string(request.outcome.rawValue)),
                JSONMember("filename", request.filename.map(JSONValue.string) ?? .null),
                JSONMember("content_type", request.contentType.map(JSONValue.string) ?? .null),
                JSONMember("bytes", request.bytes.map { .number(String($0)) } ?? .null),
                JSONMember("sha256", request.sha256.map(JSONValue.string) ?? .null),
                JSONMember("upload_id", request.uploadID.map { .number(String($0)) } ?? .null),
            ])
        }).prettyText
    }
}
