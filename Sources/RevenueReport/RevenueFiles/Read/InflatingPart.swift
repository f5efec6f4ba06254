import Foundation
import ZIPFoundation

/// One part of a workbook, inflated as it is read: ZIPFoundation inflates it on a thread of its
/// own into a queue of a few chunks, and libxml2's reader (`XMLWalker.walk(part:)`) pulls from the
/// queue. The worksheet, the one part that grows with the rows, then never sits whole in memory
/// (ZIPFoundation only pushes chunks to a closure; libxml2's reader only pulls: the queue joins
/// the two). What comes out is capped as `XLSXRowReader.inflate` caps it.
final class InflatingPart: @unchecked Sendable {  // every field below is touched under `condition`
    let path: String
    private let condition = NSCondition()
    private var chunks: [Data] = []
    private var inflating = true
    private var stopped = false
    private var failure: (any Error)?
    private static let queuedChunks = 8

    // Only the reading side touches these.
    private var current = Data()
    private var offset = 0

    /// What ZIPFoundation's `Archive` needs to go to the inflating thread: the archive is then
    /// used by that thread alone until `stop()` returns.
    private struct Source: @unchecked Sendable {
        let archive: Archive
        let entry: Entry
    }

    init(_ entry: Entry, in archive: Archive, limit: UInt64) {
        path = entry.path
        let source = Source(archive: archive, entry: entry)
        Thread.detachNewThread { [self] in
            var total: UInt64 = 0
            do {
                _ = try source.archive.extract(source.entry, skipCRC32: false) { chunk in
                    total += UInt64(chunk.count)
                    guard total <= limit else { throw UnreadableFile("\(source.entry.path) inflates past \(limit) bytes") }
                    try self.enqueue(chunk)
                }
                self.end(nil)
            } catch is Stopped {
                self.end(nil)
            } catch let error as UnreadableFile {
                self.end(error)
            } catch {
                self.end(UnreadableFile("\(source.entry.path) cannot be inflated (\(error))"))
            }
        }
    }

    private struct Stopped: Error {}

    private func enqueue(_ chunk: Data) throws {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count >= Self.queuedChunks, !stopped { condition.wait() }
        if stopped { throw Stopped() }
        chunks.append(chunk)
        condition.broadcast()
    }

    private func end(_ error: (any Error)?) {
        condition.lock()
        failure = error
        inflating = false
        condition.broadcast()
        condition.unlock()
    }

    /// Why inflating failed (too large, a bad checksum, a broken stream), once it has.
    var error: (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    /// Fills `buffer` with the next bytes, as libxml2's read callback does: the count, 0 at the
    /// end, -1 when inflating failed.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int32 {
        if offset == current.count {
            condition.lock()
            while chunks.isEmpty, inflating { condition.wait() }
            guard !chunks.isEmpty else {
                let failed = failure != nil
                condition.unlock()
                return failed ? -1 : 0
            }
            current = chunks.removeFirst()
            offset = 0
            condition.broadcast()
            condition.unlock()
        }
        let count = min(buffer.count, current.count - offset)
        let start = current.startIndex + offset
        buffer.copyBytes(from: current[start ..< start + count])
        offset += count
        return Int32(count)
    }

    /// Stops the inflating thread (when the reading ends early) and waits until it has let go of the archive.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while inflating { condition.wait() }
        condition.unlock()
    }
}
