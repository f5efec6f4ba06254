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
/// the destination: nothing is held, sorted or spilled. The first record out of order ends that:
/// the destination hands back what it was given, and from then on records collect in memory
/// up to `runBytes`; past that, each batch is sorted and written to a temporary file as a
/// sorted run, and the runs are merged into the destination at the end (a k-way merge over a
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
    private var spillFile: ScratchFile?
    private var runs: [Range<Int>] = []
    private(set) var count = 0
    /// Set while every record so far came in order and went straight to it.
    private var streamingTo: (any OrderedRowDestination)?
    private var lastKey: (instant: Int64, id: Int64)?
    /// True when the records did not all come in order (and were sorted here).
    private(set) var neededSorting = false

    /// Where a record starts in the arena (at its length prefix), with its sort key.
    private struct Entry {
        var instant: Int64
        var id: Int64
        var offset: Int

        static func inOrder(_ a: Entry, _ b: Entry) -> Bool {
            a.instant != b.instant ? a.instant < b.instant : a.id < b.id
        }
    }

    /// `streamingTo`: where records go at once while they come in order (nil: always sort).
    init(directory: URL, runBytes: Int = ExternalSorter.defaultRunBytes, streamingTo: (any OrderedRowDestination)? = nil) {
        self.directory = directory
        self.runBytes = max(1, runBytes)
        self.streamingTo = streamingTo
    }

    /// How many sorted runs went to disk (0 when everything fitted in memory).
    var spilledRuns: Int { runs.count }

    /// Adds records laid back to back, each with its length prefix, as `SortRecord.append`
    /// wrote them: in one copy, so a page's uploads cost one `memcpy`.
    func add(_ records: UnsafeRawBufferPointer) throws {
        var position = 0
        // In order so far: straight to the destination, until a record is not.
        while let destination = streamingTo, position < records.count {
            let (record, end) = SortRecord.framed(at: position, in: records)
            if let lastKey, (record.instant, record.id) <= lastKey {
                try stopStreaming(destination)
                break
            }
            try destination.append(record, remember: true)
            lastKey = (record.instant, record.id)
            position = end
            count += 1
        }
        guard position < records.count else { return }
        let records = UnsafeRawBufferPointer(rebasing: records[position...])
        position = 0
        while position < records.count {
            let (record, end) = SortRecord.framed(at: position, in: records)
            entries.append(Entry(instant: record.instant, id: record.id, offset: arena.count + position))
            position = end
            count += 1
        }
        arena.append(contentsOf: records)
        if arena.count >= runBytes { try writeRun() }
    }

    /// The records so far came in order and are in the destination; this one is not: take them
    /// back to sort them with the rest.
    private func stopStreaming(_ destination: any OrderedRowDestination) throws {
        streamingTo = nil
        neededSorting = true
        let streamed = count
        count = 0
        try destination.takeBack { record in try add(record) }
        precondition(count == streamed, "the destination handed back \(count) of \(streamed) records")
    }

    /// Finishes: every record is in `destination` in report order (those that came in order
    /// are there already). Runs once.
    func finish(into destination: any OrderedRowDestination) throws {
        if streamingTo != nil { return }
        try forEachInOrder { try destination.append($0, remember: false) }
    }

    /// Calls `body` with every record held here, in report order. Runs once.
    func forEachInOrder(_ body: (SortRecord) throws -> Void) throws {
        if runs.isEmpty {
            entries.sort(by: Entry.inOrder)
            try arena.withUnsafeBytes { raw in
                for entry in entries {
                    try body(SortRecord.framed(at: entry.offset, in: raw).record)
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
        let file = try spillFile ?? ScratchFile(directory: directory)
        spillFile = file
        entries.sort(by: Entry.inOrder)
        let start = file.size
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20)
        try arena.withUnsafeBytes { raw in
            for entry in entries {
                let end = SortRecord.framed(at: entry.offset, in: raw).end
                chunk.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[entry.offset ..< end]))
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
    private func merge(_ body: (SortRecord) throws -> Void) throws {
        guard let file = spillFile else { return }
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
        reader = SequentialFileReader(descriptor: file.descriptor, range: range, bufferSize: bufferSize, what: "the sort file")
    }

    var key: (instant: Int64, id: Int64) { (current.instant, current.id) }

    /// Moves to the next record; false at the end of the run.
    func advance() throws -> Bool {
        guard let prefix = try reader.read(4) else { return false }
        let length = Int(prefix.loadUnaligned(as: UInt32.self).littleEndian)
        guard let body = try reader.read(length) else { throw ReportError.io("the sort file ended inside a record") }
        current = SortRecord(bytes: body)
        return true
    }
}
