import Foundation

/// A revenue file `upload` sent, as the history keeps it.
public struct SentUpload: Sendable, Equatable {
    /// The file the user gave.
    public var file: String
    /// The name it was sent under.
    public var sentAs: String
    /// Of the bytes sent.
    public var sha256: String
    public var sentAt: String
    /// The upload it became, once known.
    public var uploadID: Int64?
    /// `sending` (no answer yet: a run stopped there leaves it so), `taken`, `refused`,
    /// `not taken` (the send failed), or the upload's final status once waited for.
    public var outcome: String

    public init(file: String, sentAs: String, sha256: String, sentAt: String, uploadID: Int64? = nil, outcome: String = "sending") {
        self.file = file
        self.sentAs = sentAs
        self.sha256 = sha256
        self.sentAt = sentAt
        self.uploadID = uploadID
        self.outcome = outcome
    }

    /// The outcomes that do not mean CustomerGauge took the bytes; any other (`taken`, a final
    /// status) makes the same bytes refused next time. Both stores query with `notTakenSQL`.
    static let notTaken = ["sending", "refused", "not taken"]
    static let notTakenSQL = "outcome NOT IN (" + notTaken.map { "'\($0)'" }.joined(separator: ", ") + ")"
}

/// Where `upload` records what it sends (`--history`). Upload runs are not report runs: they
/// take no run lock and are not listed by `history runs`; each record is one short transaction.
public protocol SentUploadsLog: AnyObject, Sendable {
    /// The latest upload of these bytes CustomerGauge took, if any.
    func takenBefore(sha256: String) throws -> SentUpload?
    /// Records a file about to be sent (outcome `sending`); returns its key.
    func recordSending(_ sent: SentUpload) throws -> Int64
    /// What became of it: the upload id once known, and the outcome.
    func recordOutcome(key: Int64, uploadID: Int64?, outcome: String) throws
    func close()
}
