/// The last values the history holds of the uploads dated in this run's range: read before
/// Transform, so that each upload of the run is compared as it is collected, in memory, without
/// a query per upload. 16 bytes an upload (its id, and a fingerprint of its values that also
/// carries two flags), so a range of a million uploads costs 16 MB.
public struct KnownUploads: Sendable {
    /// What the history says of one upload.
    public struct Known: Sendable, Equatable {
        /// `UploadValues.fingerprint`, less its two lowest bits (which hold the flags).
        public var fingerprint: UInt64
        /// Its last status was final.
        public var wasFinal: Bool
        /// It matched `--fail-on` in the latest successful run that saw it.
        public var alerted: Bool
    }

    private struct Entry {
        var id: Int64
        var mark: UInt64
    }

    private var entries: [Entry] = []
    private var sorted = true

    public init() {}

    public var count: Int { entries.count }

    static func mark(_ fingerprint: UInt64) -> UInt64 { fingerprint & ~3 }

    public mutating func add(id: Int64, values: UploadValues, alerted: Bool) {
        let mark = Self.mark(values.fingerprint) | (values.isFinal ? 2 : 0) | (alerted ? 1 : 0)
        if let last = entries.last, last.id >= id { sorted = false }
        entries.append(Entry(id: id, mark: mark))
    }

    /// Call once every upload is added (lookups need the entries in id order).
    public mutating func seal() {
        if !sorted { entries.sort { $0.id < $1.id } }
        sorted = true
    }

    public func lookup(_ id: Int64) -> Known? {
        precondition(sorted, "KnownUploads.seal() before lookups")
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].id < id { low = middle + 1 } else { high = middle }
        }
        guard low < entries.count, entries[low].id == id else { return nil }
        let mark = entries[low].mark
        return Known(fingerprint: Self.mark(mark), wasFinal: mark & 2 != 0, alerted: mark & 1 != 0)
    }
}

/// An upload whose last status was not final, dated outside this run's range: asked for again
/// by id (`--history`, API source), with what was last seen of it.
public struct PendingUpload: Sendable, Equatable {
    public var id: Int64
    /// RFC 3339, as the CSV writes it.
    public var dateUpload: String
    public var sourceFilename: String?
    public var values: UploadValues
    public var alerted: Bool

    public init(id: Int64, dateUpload: String, sourceFilename: String?, values: UploadValues, alerted: Bool) {
        self.id = id
        self.dateUpload = dateUpload
        self.sourceFilename = sourceFilename
        self.values = values
        self.alerted = alerted
    }
}
