import Foundation
import HeapModule

/// Where the sorter's records end up, in report order: the row outputs (`RowStream`).
protocol OrderedRowDestination: AnyObject {
    /// Writes the record's rows; `remember`: keep what `takeBack` needs to return it.
    func append(_ record: SortRecord, remember: Bool) throws
    /// Hands back every record appended with `remember`, in order, and forgets them (the
    /// destination is empty again).
    func takeBack(_ body: (UnsafeRawBufferPointer) throws -> Void) throws
}

/// Puts the in-range uploads in report order (time of upload, then id) in bounded memory.
///
/// While records arrive already in report order (the API sends them so), each goes straight to
/// the destination: nothing is held, sorted or spilled (`Phase.streaming`). The first record out
/// of order ends that: the destination hands back what it was given, and from then on records
/// collect in memory (`.buffering`) up to `runBytes`; past that, each batch is sorted and written
/// to a temporary file as a sorted run (`.spilled`), and the runs are merged into the destination
/// at the end (a k-way merge over a heap, each run read through its own small buffer). A report
/// that fits in one batch never touches the disk. The temporary file sits in the output folder
/// (where the outputs, of about the same size, go anyway, rather than a /tmp that may be memory)
/// and is unlinked as soon as it is opened, so nothing is left behind even by a killed run.
///
/// Noncopyable, and finished by a `consuming` call: the records can be read out only once.
public struct ExternalSorter: ~Copyable {
    /// Bytes of records held in memory before a run is written.
    public static let defaultRunBytes = 8 << 20
    /// Bytes of read buffers shared by all runs during the merge.
    static let mergeBufferBytes = 4 << 20

    /// Where the records are.
    private enum Phase {
        /// Every record so far came in order and is in the destination; `last` is the latest key.
        case streaming(to: any OrderedRowDestination, last: (instant: Int64, id: Int64)?)
        /// Records are held in the arena, none on disk yet.
        case buffering
        /// Sorted runs are in the spill file (and more may be held in the arena).
        case spilled(ScratchFile, runs: [Range<Int>])
    }

    private let directory: URL
    private let runBytes: Int
    private var phase: Phase
    private var arena: [UInt8] = []
    private var entries: [Entry] = []
    private(set) var count = 0

    /// What the sort did, for the log and the tests.
    public struct Outcome: Sendable, Equatable {
        /// The records did not all come in order (and were sorted here).
        public var neededSorting: Bool
        /// Sorted runs written to disk (0 when everything fitted in memory or came in order).
        public var spilledRuns: Int
    }

    /// Where a record lies in the arena (from its length prefix on), with its sort key.
    private struct Entry {
        var instant: Int64
        var id: Int64
        var offset: Int
        /// Its bytes with the prefix: a run is written without reading each prefix again.
        var length: Int

        static func inOrder(_ a: Entry, _ b: Entry) -> Bool {
            a.instant != b.instant ? a.instant < b.instant : a.id < b.id
        }
    }

    /// `streamingTo`: where records go at once while they come in order (nil: always sort).
    init(directory: URL, runBytes: Int = ExternalSorter.defaultRunBytes, streamingTo: (any OrderedRowDestination)? = nil) {
        self.directory = directory
        self.runBytes = max(1, runBytes)
        self.phase = streamingTo.map { .streaming(to: $0, last: nil) } ?? .buffering
    }

    /// What the sort did so far (final once every record is added).
    var outcome: Outcome {
        switch phase {
        case .streaming: return Outcome(neededSorting: false, spilledRuns: 0)
        case .buffering: return Outcome(neededSorting: true, spilledRuns: 0)
        case .spilled(_, let runs): return Outcome(neededSorting: true, spilledRuns: runs.count + (entries.isEmpty ? 0 : 1))
        }
    }

    /// Adds records laid back to back, each with its length prefix, as `SortRecord.append`
    /// wrote them: in one copy, so a page's uploads cost one `memcpy`.
    mutating func add(_ records: UnsafeRawBufferPointer) throws {
        guard case .streaming(let destination, var last) = phase else {
            return try hold(records)
        }
        // In order so far: straight to the destination, until a record is not.
        var position = 0
        while position < records.count {
            let (record, end) = SortRecord.framed(at: position, in: records)
            if let last, (record.instant, record.id) <= last {
                try stopStreaming(destination)
                return try hold(UnsafeRawBufferPointer(rebasing: records[position...]))
            }
            try destination.append(record, remember: true)
            last = (record.instant, record.id)
            position = end
            count += 1
        }
        phase = .streaming(to: destination, last: last)
    }

    /// Keeps records to sort, writing a sorted run when the batch is full.
    private mutating func hold(_ records: UnsafeRawBufferPointer) throws {
        // Copied first, then framed in the copy: the page's records were written on another
        // core, and reading each one's prefix there cost a cache miss a record (92% of this
        // function), where the copy streams them in.
        let base = arena.count
        arena.append(contentsOf: records)
        arena.withUnsafeBytes { raw in
            var position = base
            while position < raw.count {
                let (record, end) = SortRecord.framed(at: position, in: raw)
                entries.append(Entry(instant: record.instant, id: record.id, offset: position, length: end - position))
                position = end
                count += 1
            }
        }
        if arena.count >= runBytes { try writeRun() }
    }

    /// The records so far came in order and are in the destination; the next one is not: take
    /// them back to sort them with the rest.
    private mutating func stopStreaming(_ destination: any OrderedRowDestination) throws {
        phase = .buffering
        let streamed = count
        count = 0
        try destination.takeBack { record in try hold(record) }
        precondition(count == streamed, "the destination handed back \(count) of \(streamed) records")
    }

    /// Finishes: every record is in `destination` in report order (those that came in order
    /// are there already).
    consuming func finish(into destination: any OrderedRowDestination) throws -> Outcome {
        if case .streaming = phase { return outcome }
        return try forEachInOrder { try destination.append($0, remember: false) }
    }

    /// Calls `body` with every record held here, in report order.
    consuming func forEachInOrder(_ body: (SortRecord) throws -> Void) throws -> Outcome {
        if case .buffering = phase {
            entries.sort(by: Entry.inOrder)
            try arena.withUnsafeBytes { raw in
                for entry in entries {
                    try body(SortRecord.framed(at: entry.offset, in: raw).record)
                }
            }
            return outcome
        }
        if !entries.isEmpty { try writeRun() }
        arena = []
        entries = []
        guard case .spilled(let file, let runs) = phase else { return outcome }
        try Self.merge(runs, of: file, into: body)
        return outcome
    }

    private mutating func writeRun() throws {
        let file: ScratchFile
        var runs: [Range<Int>] = []
        if case .spilled(let spillFile, let spilled) = phase {
            (file, runs) = (spillFile, spilled)
        } else {
            file = try ScratchFile(directory: directory)
        }
        entries.sort(by: Entry.inOrder)
        let start = file.size
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20)
        try arena.withUnsafeBytes { raw in
            for entry in entries {
                chunk.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[entry.offset ..< entry.offset + entry.length]))
                if chunk.count >= 1 << 20 {
                    try file.append(chunk)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
        }
        try file.append(chunk)
        runs.append(start ..< file.size)
        phase = .spilled(file, runs: runs)
        arena.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }

    /// The k-way merge: the heap holds each run's next record key; the smallest is handed on.
    private static func merge(_ runs: [Range<Int>], of file: ScratchFile, into body: (SortRecord) throws -> Void) throws {
        let bufferSize = max(16 << 10, Self.mergeBufferBytes / runs.count)
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

/// One sorted run of the spill file, a record at a time.
private final class RunReader {
    private let reader: SequentialFileReader
    /// The current record (after its length prefix), valid until `advance`.
    private(set) var current = SortRecord(bytes: UnsafeRawBufferPointer(start: nil, count: 0))

    init(file: ScratchFile, range: Range<Int>, bufferSize: Int) {
        reader = SequentialFileReader(descriptor: file.descriptor, range: range, bufferSize: bufferSize, what: "the sort file", releasingWhatItRead: true)
    }

    var key: (instant: Int64, id: Int64) { (current.instant, current.id) }

    /// Moves to the next record; false at the end of the run.
    func advance() throws -> Bool {
        guard let body = try reader.nextFramed() else { return false }
        current = SortRecord(bytes: body)
        return true
    }
}
