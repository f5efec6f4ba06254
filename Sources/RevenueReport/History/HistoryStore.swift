import Foundation

/// What earlier runs saw, and where a run's own sightings go (`--history`).
///
/// The pipeline reads it before Transform (the last values of the range's uploads, the uploads
/// to ask for again) and writes it after Emit has put every output in place, in one go. Two
/// stores: a SQLite file (`History/SQLite/`) and a PostgreSQL database (`History/PostgreSQL/`);
/// another is one more folder behind this protocol, one more case of `HistoryLocation` (where it
/// is opened), and one more store the conformance suite (`HistoryStoreConformanceTests`) runs on.
public protocol HistoryStore: AnyObject, Sendable {
    /// Where it is, for messages and the manifest.
    var location: String { get }
    /// This run's number.
    var run: Int64 { get }
    /// The latest successful run before this one.
    var previousRun: Int64? { get }

    /// The last values seen of the uploads dated within `bounds` (and, given `id`, of that one only).
    func knownUploads(in bounds: TimeBounds, id: Int64?) throws -> KnownUploads
    /// The last values seen of these uploads (those the report lists as changed).
    func lastSeen(ids: [Int64]) throws -> [Int64: UploadValues]
    /// Uploads last seen with a status that is not final, dated at or after `earliest`, not of the
    /// range (`bounds`, and `id` when given): oldest first, at most `limit`.
    func pendingUploads(outside bounds: TimeBounds, id: Int64?, datedFrom earliest: Int64, limit: Int) throws -> [PendingUpload]
    /// Records a run that wrote all its outputs (exit 0 or 3), and what it saw, in one transaction.
    func recordSuccess(_ outcome: RunOutcome, sightings: some Sightings) throws
    /// Records that the run failed; nothing else changes. Never throws: the run is failing already.
    func recordFailure(exitCode: Int32, error: String) -> String?
    /// Lets go of the store (and of its lock).
    func close()
}

/// What a run says of itself when it begins.
public struct RunStart: Sendable {
    public var from: CivilDate?
    public var to: CivilDate?
    public var source: String

    public init(from: CivilDate?, to: CivilDate?, source: String) {
        self.from = from
        self.to = to
        self.source = source
    }
}

/// What a successful run found, recorded with it.
public struct RunOutcome: Sendable, Equatable {
    public var exitCode: Int32
    /// Uploads of the range.
    public var uploads: Int
    public var new: Int
    public var changed: Int
    /// Uploads asked for by id.
    public var revisited: Int
}

/// One run, as `history runs` lists it.
public struct HistoryRunEntry: Sendable, Equatable {
    public enum Status: String, Sendable { case ok, failed, interrupted, running }
    public var run: Int64
    public var startedAt: String
    public var finishedAt: String?
    public var status: Status
    public var exitCode: Int?
    public var error: String?
    public var pid: Int?
    public var from: String?
    public var to: String?
    public var source: String
    public var uploads: Int?
    public var new: Int?
    public var changed: Int?
    public var revisited: Int?
}

/// One observation of an upload: its first sighting, or a change.
public struct UploadObservation: Sendable, Equatable {
    public var run: Int64
    public var seenAt: String
    public var values: UploadValues
}

/// What the `history` commands read.
public protocol HistoryReader {
    /// The runs, newest first; `last`: at most that many.
    func runs(last: Int?) throws -> [HistoryRunEntry]
    /// One upload's observations, oldest first; nil when the history never saw it.
    func observations(of id: Int64) throws -> [UploadObservation]?
    /// The last day covered by a successful run (`--range since-last-run` starts after it).
    func latestSuccessfulTo() throws -> CivilDate?
    /// The file `upload` sent that became this upload; nil for uploads the tool did not send.
    func sent(uploadID: Int64) throws -> SentUpload?
    /// The latest upload of these bytes CustomerGauge took (`upload --dry-run` asks, writing nothing).
    func takenBefore(sha256: String) throws -> SentUpload?
}

/// What a run saw, as `recordSuccess` takes it: the run's `HistoryLedger` (which spills a
/// million sightings to disk), or any array of them.
public protocol Sightings {
    /// Every sighting, in the order seen.
    func forEach(_ body: (Sighting) throws -> Void) throws
}

extension HistoryLedger: Sightings {}

extension Array: Sightings where Element == Sighting {
    public func forEach(_ body: (Sighting) throws -> Void) throws {
        for sighting in self { try body(sighting) }
    }
}
