import CFileSpace
import Foundation

/// Reads a stretch of a file front to back through a buffer of its own, a piece at a time. The
/// buffer is allocated by hand so that a piece handed out stays where it is until the next read.
final class SequentialFileReader {
    private let descriptor: Int32
    let what: String
    private var next: Int
    private let end: Int
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var filled = 0
    /// Give the file's pages back once read (a scratch file read once): see `release`.
    private let releasesWhatItRead: Bool
    private var released: Int

    /// Reads `range` of the open file `descriptor` (not closed here); `what` names it in errors.
    /// `releasingWhatItRead`: punch out of the file what has been read, so that its pages go
    /// back to the system at once for the outputs being written meanwhile to reuse.
    init(descriptor: Int32, range: Range<Int>, bufferSize: Int, what: String, releasingWhatItRead: Bool = false) {
        self.descriptor = descriptor
        self.what = what
        self.next = range.lowerBound
        self.end = range.upperBound
        self.releasesWhatItRead = releasingWhatItRead
        self.released = range.lowerBound
        self.buffer = .allocate(byteCount: max(16, bufferSize), alignment: 8)
    }

    deinit { buffer.deallocate() }

    /// The next `count` bytes, valid until the next call; nil when the stretch has fewer left.
    func read(_ count: Int) throws -> UnsafeRawBufferPointer? {
        guard try ensure(count) else { return nil }
        defer { start += count }
        return UnsafeRawBufferPointer(rebasing: buffer[start ..< start + count])
    }

    /// The next `count` bytes without moving past them.
    func peek(_ count: Int) throws -> UnsafeRawBufferPointer? {
        guard try ensure(count) else { return nil }
        return UnsafeRawBufferPointer(rebasing: buffer[start ..< start + count])
    }

    /// Makes `count` bytes from `start` available in the buffer; false when the stretch has fewer.
    private func ensure(_ count: Int) throws -> Bool {
        if filled - start >= count { return true }
        // Keep the unread tail, at the front, then fill up from the file.
        let tail = filled - start
        if buffer.count < count {
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 8)
            larger.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: tail)
            buffer.deallocate()
            buffer = larger
        } else if tail > 0 {
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: tail)
        }
        filled = tail
        start = 0
        while filled < count, next < end {
            let wanted = min(buffer.count - filled, end - next)
            let result = pread(descriptor, buffer.baseAddress! + filled, wanted, off_t(next))
            if result < 0 {
                if errno == EINTR { continue }
                throw ReportError.io("\(what): cannot read: \(String(cString: strerror(errno)))")
            }
            if result == 0 { break }
            filled += result
            next += result
        }
        if releasesWhatItRead { release() }
        return filled >= count
    }

    /// Punches what was read since the last punch out of the file, a megabyte or more at a
    /// time (fewer calls; each costs the kernel a walk of the page cache). Best effort: on a
    /// file system that cannot, the pages stay until the file is closed, as before.
    private func release() {
        // From a page boundary: of a page shared with the stretch before (another sorted run),
        // a punch would only zero our part (a write that frees nothing); theirs is never touched.
        let grain = 1 << 20, page = 4096
        let upTo = next / grain * grain
        let from = (released + page - 1) / page * page
        guard upTo - from >= grain else { return }
        _ = cg_punch_hole(descriptor, Int64(from), Int64(upTo - from))
        released = upTo
    }
}
