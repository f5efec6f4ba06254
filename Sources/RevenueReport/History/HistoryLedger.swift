import Foundation

/// One upload as this run saw it, to be recorded once the outputs are in place.
public struct Sighting: Sendable, Equatable {
    public enum Change: UInt8, Sendable {
        /// Never seen before: its first observation.
        case new
        /// Its status or counts differ from the last seen: an observation.
        case changed
        /// The same values as last seen; recorded only because whether it matched `--fail-on` did change.
        case unchanged
    }

    public var id: Int64
    public var change: Change
    /// Asked for by id (not an upload of the range).
    public var revisited: Bool
    /// It matched `--fail-on` in this run (what `--alert-once` remembers).
    public var matched: Bool
    public var dateUpload: String
    public var dateUploadInstant: Int64
    public var sourceFilename: String?
    public var values: UploadValues
    /// The upload's `logs` as compact JSON (nil when it has none): kept for dashboards (the causes
    /// of what failed), never compared.
    public var logs: String?

    public init(_ upload: RevenueUpload, change: Change, revisited: Bool, matched: Bool) {
        id = upload.id
        self.change = change
        self.revisited = revisited
        self.matched = matched
        dateUpload = upload.dateUpload.rfc3339
        dateUploadInstant = upload.dateUpload.instant
        sourceFilename = upload.sourceFilename
        values = UploadValues(upload)
        logs = upload.logCount > 0 ? String(decoding: upload.logsJSON, as: UTF8.self) : nil
    }
}

/// The sightings a run will record, read back when recording: in memory while they are few (a
/// night's worth), past `memoryLimit` in an unlinked scratch file in the output folder, so that a
/// million uploads are not held in memory.
public final class HistoryLedger {
    private let directory: URL
    private var file: ScratchFile?
    private var pending: [UInt8] = []
    public private(set) var count = 0
    static let memoryLimit = 4 << 20

    public init(directory: URL) throws {
        self.directory = directory
    }

    public func append(_ sighting: Sighting) throws {
        count += 1
        pending.appendLengthPrefixed { out in
            out.append(sighting.change.rawValue | (sighting.revisited ? 0x10 : 0) | (sighting.matched ? 0x20 : 0))
            out.appendInteger(sighting.id)
            out.appendInteger(sighting.dateUploadInstant)
            for count in [sighting.values.totalRecords, sighting.values.successfulRecords, sighting.values.unsuccessfulRecords] { out.appendCount(count) }
            for text in [sighting.values.status, sighting.sourceFilename, sighting.dateUpload, sighting.logs] { out.appendText(text) }
        }
        if pending.count >= Self.memoryLimit || (file != nil && pending.count >= 1 << 20) { try flush() }
    }

    private func flush() throws {
        let file = try self.file ?? ScratchFile(directory: directory)
        self.file = file
        try file.append(pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Every sighting, in the order appended: from the scratch file when there is one, else from memory.
    public func forEach(_ body: (Sighting) throws -> Void) throws {
        guard let file else {
            return try pending.withUnsafeBytes { try $0.forEachFramed { try body(Self.decode($0)) } }
        }
        try flush()
        let reader = SequentialFileReader(descriptor: file.descriptor, range: 0 ..< file.size, bufferSize: 1 << 20, what: "the history's scratch file")
        while let record = try reader.nextFramed() { try body(Self.decode(record)) }
    }

    private static func decode(_ record: UnsafeRawBufferPointer) -> Sighting {
        var reader = ByteReader(bytes: record)
        let flags = reader.u8()
        let id = reader.i64(), instant = reader.i64()
        let total = reader.count(), successful = reader.count(), unsuccessful = reader.count()
        let status = reader.text(), filename = reader.text(), date = reader.text() ?? "", logs = reader.text()
        return Sighting(id: id, change: Sighting.Change(rawValue: flags & 0x0f) ?? .changed, revisited: flags & 0x10 != 0,
                        matched: flags & 0x20 != 0, dateUpload: date, dateUploadInstant: instant, sourceFilename: filename,
                        values: UploadValues(status: status, totalRecords: total, successfulRecords: successful, unsuccessfulRecords: unsuccessful),
                        logs: logs)
    }
}

extension Sighting {
    init(id: Int64, change: Change, revisited: Bool, matched: Bool, dateUpload: String, dateUploadInstant: Int64,
         sourceFilename: String?, values: UploadValues, logs: String?) {
        self.id = id
        self.change = change
        self.revisited = revisited
        self.matched = matched
        self.dateUpload = dateUpload
        self.dateUploadInstant = dateUploadInstant
        self.sourceFilename = sourceFilename
        self.values = values
        self.logs = logs
    }
}
