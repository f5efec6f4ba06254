/// Which uploads the report is about: an inclusive date range in the source zone and/or one id.
public struct RecordFilter: Sendable, Equatable {
    public var from: CivilDate?
    public var to: CivilDate?
    public var id: Int64?

    public init(from: CivilDate? = nil, to: CivilDate? = nil, id: Int64? = nil) {
        self.from = from
        self.to = to
        self.id = id
    }

    /// `[from 00:00:00, to 23:59:59]` on the source zone's wall clock.
    public func containsTime(_ time: UploadTime) -> Bool {
        if let from, time.localSeconds < Int64(from.daysSinceEpoch) * 86_400 { return false }
        if let to, time.localSeconds >= Int64(to.daysSinceEpoch + 1) * 86_400 { return false }
        return true
    }

    public func contains(id candidate: Int64) -> Bool {
        id == nil || id == candidate
    }
}
