import Foundation

/// Step 6 of `upload --wait`: finds the new upload in the listing, then asks for it by id (2 s
/// apart, doubling up to 60 s) until its status is final or the time allowed has passed.
public struct UploadWatcher: Sendable {
    public let sender: RevenueFileSender
    public var firstPause: Duration = .seconds(2)
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

    public static let finalStatuses: Set<String> = ["processed", "partially processed", "failed"]

    public static func isFinal(_ upload: RevenueUpload) -> Bool {
        finalStatuses.contains((upload.status ?? "").trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// `found`: the upload if the listing already showed it; `onFound` is told its id once known
    /// (so that an interruption can name it).
    public func wait(for name: String, notIn before: Set<Int64>, found: RevenueUpload?, deadline: ContinuousClock.Instant,
                     onFound: @Sendable (Int64) -> Void) async throws -> Waited {
        let clock = ContinuousClock()
        var pause = firstPause
        var upload = found
        if upload == nil {
            upload = try await sender.findNew(named: name, notIn: before, within: max(.zero, deadline - clock.now))
        }
        guard var current = upload else { return .timedOut(nil) }
        onFound(current.id)
        while !Self.isFinal(current) {
            guard clock.now + pause <= deadline else { return .timedOut(current) }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, longestPause)
            if let seen = try await sender.upload(id: current.id) { current = seen }
        }
        return .final(current)
    }
}
