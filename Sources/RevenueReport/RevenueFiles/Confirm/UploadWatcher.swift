import Foundation

/// Step 6 of `upload --wait`: finds the new upload in the listing, then asks for it by id until
/// its status is final or the time allowed has passed. It asks every 2 s for the first two
/// minutes after the file was taken (an outcome that comes quickly is seen within ~3 s), then
/// 4, 8, … up to 60 s apart; the time allowed is waited in full: the last ask is at its end.
public struct UploadWatcher: Sendable {
    public let sender: RevenueFileSender
    public var firstPause: Duration = .seconds(2)
    /// How long after the file was taken the asks stay `firstPause` apart.
    public var quickPhase: Duration = .seconds(120)
    public var longestPause: Duration = .seconds(60)

    public init(sender: RevenueFileSender) {
        self.sender = sender
    }

    /// How the wait ended.
    public enum Waited: Sendable {
        case final(RevenueUpload)
        /// The time passed; the upload as last seen (nil: never found in the listing).
        case timedOut(RevenueUpload?)
    }

    /// What the wait has seen so far, after each ask.
    public struct Progress: Sendable {
        public var id: Int64
        public var name: String
        public var status: String?
        public var waited: Duration
    }

    public static let finalStatuses: Set<String> = ["processed", "partially processed", "failed"]

    public static func isFinal(_ upload: RevenueUpload) -> Bool {
        finalStatuses.contains((upload.status ?? "").trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// The pause before the next ask, given the one before it and how long ago the file was taken.
    static func pause(after previous: Duration?, sinceTaken elapsed: Duration, first: Duration = .seconds(2),
                      quickPhase: Duration = .seconds(120), longest: Duration = .seconds(60)) -> Duration {
        guard elapsed >= quickPhase, let previous else { return first }
        return min(previous * 2, longest)
    }

    /// `found`: the upload if the listing already showed it; `takenAt`: when the file was taken;
    /// `onFound` is told its id once known (so that an interruption can name it), `onProgress`
    /// what each ask saw.
    public func wait(for name: String, notIn before: Set<Int64>, found: RevenueUpload?, takenAt: ContinuousClock.Instant,
                     deadline: ContinuousClock.Instant, onFound: @Sendable (Int64) -> Void,
                     onProgress: @Sendable (Progress) -> Void = { _ in }) async throws -> Waited {
        let clock = ContinuousClock()
        var upload = found
        if upload == nil {
            upload = try await sender.findNew(named: name, notIn: before, until: deadline)
        }
        guard var current = upload else { return .timedOut(nil) }
        onFound(current.id)
        onProgress(Progress(id: current.id, name: name, status: current.status, waited: clock.now - takenAt))
        var previous: Duration?
        while !Self.isFinal(current) {
            let now = clock.now
            guard now < deadline else { return .timedOut(current) }
            let next = Self.pause(after: previous, sinceTaken: now - takenAt, first: firstPause, quickPhase: quickPhase, longest: longestPause)
            previous = next
            try await Task.sleep(until: min(now + next, deadline), clock: clock)
            if let seen = try await sender.upload(id: current.id) { current = seen }
            onProgress(Progress(id: current.id, name: name, status: current.status, waited: clock.now - takenAt))
        }
        return .final(current)
    }
}
