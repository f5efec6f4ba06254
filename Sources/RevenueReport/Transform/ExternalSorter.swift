import Foundation
import HeapModule

/// Puts the in-range uploads in report order (time of upload, then id) in bounded memory.
///
/// Records collect in memory up to `runBytes`; past that, each batch is sorted and written to a
/// temporary file as a sorted run, and the runs are merged at the end (a k-way merge over a
/// heap, each run read through its own small buffer). A report that fits in one batch never
/// touches the disk. The temporary file sits in the output folder (where the outputs, of about
/// the same size, go anyway, rather than a /tmp that may be memory) and is unlinked as soon
/// as it is opened, so nothing is left behind even by a killed run.
public final class ExternalSorter {
    /// Bytes of records held in memory before a run is written.
    public static let defaultRunBytes = 8 << 20
    /// Bytes of read buffers shared by all runs during the merge.
    static let mergeBufferBytes = 4 << 20

    private let directory: URL
    private let runBytes: Int
    private var arena: [UInt8] = []
    private var entries: [Entry] = []
    private var spillFile: SpillFile?
    private var runs: [Range<Int>] = []
    private(set) var count = 0

    /// Where a record starts in the arena (at its length prefix), with its sort key.
    private struct Entry {
        var instant: Int64
        var id: Int64
        var offset: Int

        static func inOrder(_ a: Entry, _ b: Entry) -> Bool {
            a.instant != b.instant ? a.instant < b.instant : a.id < b.id
        }
    }

    init(directory: URL, runBytes: Int = ExternalSorter.defaultRunBytes) {
        self.directory = directory
        self.runBytes = max(1, runBytes)
    }

    /// How many sorted runs went to disk (0 when everything fitted in memory).
    var spilledRuns: Int { runs.count }

    /// Adds records laid back to back, each with its length prefix, as `SpillRecord.append`
    /// wrote them: in one copy, so a page's uploads cost one `memcpy`.
    func add(_ records: UnsafeRawBufferPointer) throws {
        var position = 0
        while position < records.count {
            let length = Int(records.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian)
            let view = SpillRecord(bytes: UnsafeRawBufferPointer(rebasing: records[position + 4 ..< position + 4 + length]))
            entries.append(Entry(instant: view.instant, id: view.id, offset: arena.count + position))
            position += 4 + length
            count += 1
        }
        arena.append(contentsOf: records)
        if arena.count >= runBytes { try writeRun() }
    }

    /// Calls `body` with every record, in report order. Runs once.
    func forEachInOrder(_ body: (SpillRecord) throws -> Void) throws {
        if runs.isEmpty {
            entries.sort(by: Entry.inOrder)
            try arena.withUnsafeBytes { raw in
                for entry in entries {
                    let length = Int(raw.loadUnaligned(fromByteOffset: entry.offset, as: UInt32.self).littleEndian)
                    try body(SpillRecord(bytes: UnsafeRawBufferPointer(rebasing: raw[entry.offset + 4 ..< entry.offset + 4 + length])))
                }
            }
            return
        }
        if !entries.isEmpty { try writeRun() }
        arena = []
        entries = []
        try merge(body)
    }

    private func writeRun() throws {
        let file = try spillFile ?? SpillFile(directory: directory)
        spillFile = file
        entries.sort(by: Entry.inOrder)
        let start = file.size
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20)
        try arena.withUnsafeBytes { raw in
            for entry in entries {
                let length = Int(raw.loadUnaligned(fromByteOffset: entry.offset, as: UInt32.self).littleEndian)
                chunk.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[entry.offset ..< entry.offset + 4 + length]))
                if chunk.count >= 1 << 20 {
                    try file.append(chunk)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
        }
        try file.append(chunk)
        runs.append(start ..< file.size)
        arena.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }

    /// The k-way merge: the heap holds each run's next record key; the smallest is handed on.
    private func merge(_ body: (SpillRecord) throws -> Void) throws {
        guard let file = spillFile else { return }
        let bufferSize = max(64 << 10, Self.mergeBufferBytes / runs.count)
        let readers = runs.map { RunReader(file: file, range: $0, bufferSize: bufferSize) }
        var heap = Heap<MergeHead>()
        for index in readers.indices where try readers[index].advance() {
            heap.insert(MergeHead(key: readers[index].key, run: index))
        }
        while let head = heap.min {
            try body(readers[head.run].current)
            if try readers[head.run].advance() {
                heap.replaceMin(with: MergeHead(key: readers[head.run].key, run: head.run))
            } else {
                _ = heap.popMin()
            }
        }
    }

    private struct MergeHead: Comparable {
        var key: (instant: Int64, id: Int64)
        var run: Int

        static func < (a: MergeHead, b: MergeHead) -> Bool {
            a.key.instant != b.key.instant ? a.key.instant < b.key.instant : a.key.id < b.key.id
        }

        static func == (a: MergeHead, b: MergeHead) -> Bool {
            a.key == b.key && a.run == b.run
        }
    }
}

/// One sorted run, read front to back through a buffer of its own. The buffer is allocated by
/// hand so that a record handed out stays where it is until the reader moves on.
private final class RunReader {
    let file: SpillFile
    var next: Int
    let end: Int
    var buffer: UnsafeMutableRawBufferPointer
    var start = 0
    var filled = 0
    /// The current record's bytes (after the length prefix) in `buffer`.
    var record: Range<Int> = 0 ..< 0

    init(file: SpillFile, range: Range<Int>, bufferSize: Int) {
        self.file = file
        self.next = range.lowerBound
        self.end = range.upperBound
        self.buffer = .allocate(byteCount: bufferSize, alignment: 8)
    }

    deinit { buffer.deallocate() }

    var current: SpillRecord {
        SpillRecord(bytes: UnsafeRawBufferPointer(rebasing: buffer[record]))
    }

    var key: (instant: Int64, id: Int64) {
        let view = current
        return (view.instant, view.id)
    }

    /// Moves to the next record; false at the end of the run.
    func advance() throws -> Bool {
        start = record.upperBound
        guard try ensure(4) else { return false }
        let length = Int(buffer.loadUnaligned(fromByteOffset: start, as: UInt32.self).littleEndian)
        guard try ensure(4 + length) else { throw ReportError.io("the sort file ended inside a record") }
        record = start + 4 ..< start + 4 + length
        return true
    }

    /// Makes `count` bytes from `start` available in the buffer; false when the run has fewer.
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
        record = 0 ..< 0
        let wanted = min(buffer.count - filled, end - next)
        if wanted > 0 {
            let read = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled ..< filled + wanted]), at: next)
            filled += read
            next += read
        }
        return filled >= count
    }
}

/// The sorter's temporary file: created in the output folder, unlinked at once, closed at the end.
private final class SpillFile {
    private let descriptor: Int32
    private let folder: String
    private(set) var size = 0

    init(directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportError.io("--out \(directory.path): cannot create the folder: \(error.localizedDescription)")
        }
        folder = directory.path
        let path = directory.appendingPathComponent(".cg-revenue-sort.\(getpid()).\(UInt32.random(in: 0 ... UInt32.max)).tmp").path
        descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ReportError.io("--out \(folder): cannot write the sort file: \(String(cString: strerror(errno)))")
        }
        unlink(path)
    }

    deinit { close(descriptor) }

    func append(_ bytes: [UInt8]) throws {
        var written = 0
        try bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let result = pwrite(descriptor, raw.baseAddress! + written, raw.count - written, off_t(size + written))
                if result < 0 {
                    if errno == EINTR { continue }
                    throw ReportError.io("--out \(folder): cannot write the sort file: \(String(cString: strerror(errno)))")
                }
                written += result
            }
        }
        size += written
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        var done = 0
        while done < buffer.count {
            let result = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if result < 0 {
                if errno == EINTR { continue }
                throw ReportError.io("--out \(folder): cannot read the sort file: \(String(cString: strerror(errno)))")
            }
            if result == 0 { break }
            done += result
        }
        return done
    }
}
