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
    /// Moves with every change (a night, a file taken, a file processed): rendered pages are kept per revision.
    private var revision = 0
    private let seed: UInt64
    /// Files taken and not processed yet: their bytes and when they will be.
    private var processing: [Int64: (name: String, bytes: [UInt8], due: Date)] = [:]

    /// Every file taken ends `Failed` with no log entry (`uploadFailWithoutReason`).
    private let failWithoutReason: Bool

    init(_ uploads: [GeneratedUpload], seed: UInt64, failWithoutReason: Bool = false) {
        self.uploads = uploads
        self.seed = seed
        self.failWithoutReason = failWithoutReason
    }

    /// The uploads as of now (files whose processing time has come processed first), and the
    /// revision they are (rendered pages are kept per revision).
    func current(now: Date = Date()) -> (revision: Int, uploads: [GeneratedUpload]) {
        let due = lock.withLock { processing.filter { $0.value.due <= now } }
        guard !due.isEmpty else { return lock.withLock { (revision, uploads) } }
        // Processing reads the file outside the lock; the results go in under it.
        let results = due.mapValues { file in
            failWithoutReason ? UploadProcessing.Result(status: "Failed", total: 0, successful: 0, unsuccessful: 0, logs: [])
                              : UploadProcessing.process(name: file.name, bytes: file.bytes)
        }
        return lock.withLock {
            for (id, result) in results where processing.removeValue(forKey: id) != nil {
                finish(id, result)
            }
            revision += 1
            return (revision, uploads)
        }
    }

    /// A file taken by the upload endpoint: listed at once as `Processing`, dated now (UTC),
    /// processed after `processingDelay` or on the next night. Returns its id.
    func take(name: String, bytes: [UInt8], processingDelay: TimeInterval, now: Date = Date()) -> Int64 {
        lock.withLock {
            let id = (uploads.map(\.id).max() ?? 1000) + 1
            let stamp = Timestamp.rfc3339(now).prefix(19).replacingOccurrences(of: "T", with: " ")
            uploads.append(GeneratedUpload(id: id, status: "Processing", sourceFilename: name, dateUpload: stamp, totalRecords: nil,
                                           successfulRecords: nil, unsuccessfulRecords: nil, logs: []))
            processing[id] = (name, bytes, now.addingTimeInterval(processingDelay))
            revision += 1
            return id
        }
    }

    private func finish(_ id: Int64, _ result: UploadProcessing.Result) {
        guard let index = uploads.firstIndex(where: { $0.id == id }) else { return }
        uploads[index].status = result.status
        (uploads[index].totalRecords, uploads[index].successfulRecords, uploads[index].unsuccessfulRecords) = (result.total, result.successful, result.unsuccessful)
        uploads[index].logs = result.logs
    }

    func advance(newUploads: Int) -> SandboxNight {
        // Files taken are processed when the night moves, whatever their delay.
        _ = current(now: .distantFuture)
        return lock.withLock {
            night += 1
            revision += 1
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
