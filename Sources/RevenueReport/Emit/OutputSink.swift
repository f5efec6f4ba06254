import CFileSpace
import Crypto
import Foundation

/// Where a writer puts its bytes. Writers append to `buffer` and call `flushIfFull()` now and
/// then; a file sink then hands the full buffer to a thread of its own, which hashes it and
/// writes it out while the writer goes on filling the next one. So a report of a million rows
/// never sits whole in memory (at most two buffers wait), and hashing and writing cost the
/// writer nothing. A memory sink keeps everything.
///
/// `@unchecked Sendable`: `buffer` and `keptBytes` belong to the writer's thread; the hasher,
/// the byte count and the first failure are only touched on `queue`.
public final class OutputSink: @unchecked Sendable {
    /// Writers append here.
    public var buffer: [UInt8] = []
    private var descriptor: Int32?
    let path: String
    /// Every byte flushed, when the sink was asked to keep a copy (an output the email carries).
    private(set) var keptBytes: [UInt8] = []
    private let keepCopy: Bool
    private let queue = DispatchQueue(label: "cg-revenue.output-sink")
    /// Buffers handed over and not yet written: at most two.
    private let waiting = DispatchSemaphore(value: 2)
    private var hasher = SHA256()
    private var flushed = 0
    private var failure: ReportError?
    /// Buffers written out, emptied, for the next flush to reuse (touched on `queue` only).
    private var recycled: [[UInt8]] = []
    static let flushThreshold = 1 << 20

    /// A sink that keeps the whole output in `buffer` (tests, the email's parts).
    public init() {
        descriptor = nil
        path = "(memory)"
        keepCopy = false
    }

    /// A sink writing to an open file descriptor, which `finish` syncs and closes.
    init(descriptor: Int32, path: String, keepCopy: Bool = false) {
        self.descriptor = descriptor
        self.path = path
        self.keepCopy = keepCopy
        buffer.reserveCapacity(Self.flushThreshold + 64 * 1024)
    }

    deinit {
        queue.sync {}  // a write still running must not outlive the descriptor
        if let descriptor { close(descriptor) }
    }

    /// True for a sink over a file (false: it keeps everything in `buffer`).
    var isFile: Bool { descriptor != nil }

    /// Writes out everything so far and waits until it is in the file.
    func drain() throws {
        try flush()
        if let failure = queue.sync(execute: { self.failure }) { throw failure }
    }

    /// Empties the file and starts over, as if nothing had been written.
    func restart() throws {
        guard let descriptor else {
            buffer.removeAll(keepingCapacity: true)
            return
        }
        try drain()
        guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw ReportError.io("\(path): cannot empty the file: \(String(cString: strerror(errno)))")
        }
        queue.sync {
            hasher = SHA256()
            flushed = 0
        }
        keptBytes = []
        buffer.removeAll(keepingCapacity: true)
    }

    public func flushIfFull() throws {
        if descriptor != nil, buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Writes what is buffered, waits for the writes, syncs and closes the file (file sinks),
    /// and returns the total size and sha256. A memory sink keeps its bytes in `buffer`.
    func finish() throws -> (size: Int, sha256: String) {
        guard let descriptor else {
            keptBytes = buffer
            return (buffer.count, sha256Hex(buffer))
        }
        try flush()
        let (failure, size, digest) = queue.sync { (self.failure, flushed, hasher.finalize()) }
        self.descriptor = nil
        defer { close(descriptor) }
        if let failure { throw failure }
        guard fsync(descriptor) == 0 else {
            throw ReportError.io("\(path): write failed: \(String(cString: strerror(errno)))")
        }
        return (size, hexString(digest))
    }

    private func flush() throws {
        guard let descriptor, !buffer.isEmpty else { return }
        if let failure = queue.sync(execute: { self.failure }) { throw failure }
        let chunk = buffer
        if keepCopy { keptBytes += chunk }
        // A buffer already written out is reused: no fresh megabyte to allocate and fault in.
        buffer = queue.sync { recycled.popLast() } ?? []
        buffer.removeAll(keepingCapacity: true)
        if buffer.capacity < Self.flushThreshold { buffer.reserveCapacity(Self.flushThreshold + 64 * 1024) }
        waiting.wait()
        queue.async { [self] in
            defer { waiting.signal() }
            guard failure == nil else { return }
            hasher.update(data: chunk)
            if let problem = Self.write(chunk, to: descriptor) {
                failure = ReportError.io("\(path): write failed: \(problem)")
            } else {
                // The disk gets the chunk now, not all at once in `finish`'s fsync: a report
                // whose rows all come at the end (sorted) no longer waits there for the whole file.
                _ = cg_start_writeback(descriptor, Int64(flushed), Int64(chunk.count))
                flushed += chunk.count
            }
            if recycled.count < 2 { recycled.append(chunk) }  // emptied by the flush that takes it
        }
    }

    /// Writes all of `bytes`; the system's reason when it cannot.
    private static func write(_ bytes: [UInt8], to descriptor: Int32) -> String? {
        bytes.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let result = Foundation.write(descriptor, raw.baseAddress! + written, raw.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                written += result
            }
            return nil
        }
    }
}
