import Foundation
import RevenueReport

/// The sandbox's uploads, which move on a night at a time (`advance`, or `POST /sandbox/next-night`):
/// every upload still `Processing` finishes (`Processed`, or `Failed` for one in four), and new
/// uploads appear on the day after the latest, the first of them still `Processing`. So tests and
/// the README can show a nightly run with a history, night after night.
final class SandboxData: @unchecked Sendable {
    private let lock = NSLock()
    private var uploads: [GeneratedUpload]
    private var night = 0
    private let seed: UInt64

    init(_ uploads: [GeneratedUpload], seed: UInt64) {
        self.uploads = uploads
        self.seed = seed
    }

    /// The uploads as of now, and which night that is (rendered pages are kept per night).
    var current: (night: Int, uploads: [GeneratedUpload]) { lock.withLock { (night, uploads) } }

    func advance(newUploads: Int) -> SandboxNight {
        lock.withLock {
            night += 1
            var finished: [Int64] = []
            for index in uploads.indices where uploads[index].status == "Processing" {
                let total = uploads[index].totalRecords ?? Int(10 + uploads[index].id % 90)
                if uploads[index].id % 4 == 0 {
                    uploads[index].status = "Failed"
                    (uploads[index].totalRecords, uploads[index].successfulRecords, uploads[index].unsuccessfulRecords) = (total, 0, total)
                    uploads[index].logs = [.string("File could not be read: expected 6 columns, found 4")]
                } else {
                    uploads[index].status = "Processed"
                    (uploads[index].totalRecords, uploads[index].successfulRecords, uploads[index].unsuccessfulRecords) = (total, total, 0)
                }
                finished.append(uploads[index].id)
            }
            let lastDay = uploads.last.flatMap { CivilDate($0.day) } ?? CivilDate("2026-01-01")!
            let day = lastDay.adding(days: 1)
            var added = UploadGenerator(seed: seed &+ UInt64(night), count: newUploads, from: day, to: day,
                                        firstID: (uploads.last?.id ?? 1000) + 1).uploads()
            if !added.isEmpty {
                (added[0].status, added[0].successfulRecords, added[0].unsuccessfulRecords, added[0].logs) = ("Processing", 0, 0, [])
            }
            uploads += added
            return SandboxNight(night: night, finished: finished, added: added.map(\.id), day: day)
        }
    }
}

/// What one night changed in the sandbox's data.
public struct SandboxNight: Sendable, Equatable {
    public var night: Int
    /// Uploads that were `Processing` and have finished.
    public var finished: [Int64]
    /// New uploads, all dated `day`.
    public var added: [Int64]
    public var day: CivilDate

    var json: String {
        "{\"night\":\(night),\"day\":\"\(day)\",\"finished\":[\(finished.map(String.init).joined(separator: ","))],\"added\":[\(added.map(String.init).joined(separator: ","))]}"
    }
}
