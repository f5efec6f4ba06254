import Foundation

/// The row outputs (CSV, NDJSON) being written: each upload's rows, rendered ahead, go to the
/// outputs' temporary files in report order.
///
/// The sorter streams uploads here as they are collected, for as long as they come in report
/// order; a small index beside (each one's key and row lengths, in a scratch file) lets them be
/// handed back (`takeBack`) should a later upload come out of order, after which the sorter's
/// merge fills the emptied outputs at the end. The files are opened with the first row.
final class RowStream: OrderedRowDestination {
    let formats: [any RowFormat]
    private let directory: URL
    private let openSinks: () throws -> [OutputSink]
    private(set) var sinks: [OutputSink] = []
    private var index: ScratchFile?
    private var indexBuffer: [UInt8] = []
    private var remembered = 0

    /// `openSinks`: one sink per format, in the same order, each with its header written.
    init(formats: [any RowFormat], directory: URL, openSinks: @escaping () throws -> [OutputSink]) {
        self.formats = formats
        self.directory = directory
        self.openSinks = openSinks
    }

    /// True when every output is a file, which `takeBack` can read back.
    var canTakeBack: Bool { sinks.allSatisfy(\.isFile) }

    func openIfNeeded() throws {
        if sinks.isEmpty, !formats.isEmpty { sinks = try openSinks() }
    }

    func append(_ record: SortRecord, remember: Bool) throws {
        try openIfNeeded()
        if remember {
            indexBuffer.appendInteger(record.instant)
            indexBuffer.appendInteger(record.id)
        }
        var format = 0
        try record.forEachRow { row in
            sinks[format].buffer.append(contentsOf: row)
            try sinks[format].flushIfFull()
            if remember { indexBuffer.appendInteger(UInt32(row.count)) }
            format += 1
        }
        guard remember else { return }
        remembered += 1
        if indexBuffer.count >= 1 << 20 { try flushIndex() }
    }

    func takeBack(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard remembered > 0 else { return }
        try flushIndex()
        guard let index, canTakeBack else { preconditionFailure("rows can only be taken back from files") }
        var readers: [SequentialFileReader] = []
        var descriptors: [Int32] = []
        defer { descriptors.forEach { close($0) } }
        for (sink, format) in zip(sinks, formats) {
            try sink.drain()
            let descriptor = open(sink.path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw ReportError.io("\(sink.path): cannot read back: \(String(cString: strerror(errno)))") }
            descriptors.append(descriptor)
            var header: [UInt8] = []
            format.appendHeader(to: &header)
            readers.append(SequentialFileReader(descriptor: descriptor, range: header.count ..< Int.max, bufferSize: 256 << 10, what: sink.path))
        }
        let entries = SequentialFileReader(descriptor: index.descriptor, range: 0 ..< index.size, bufferSize: 64 << 10, what: "the row index")
        let entrySize = 16 + 4 * formats.count
        var record: [UInt8] = []
        for _ in 0 ..< remembered {
            guard let entry = try entries.read(entrySize) else { throw ReportError.io("the row index ended early") }
            record.removeAll(keepingCapacity: true)
            try SortRecord.appendFrame(instant: Int64(littleEndian: entry.loadUnaligned(fromByteOffset: 0, as: Int64.self)),
                                       id: Int64(littleEndian: entry.loadUnaligned(fromByteOffset: 8, as: Int64.self)),
                                       rowCount: formats.count, to: &record) { out in
                for (format, reader) in readers.enumerated() {
                    let length = Int(entry.loadUnaligned(fromByteOffset: 16 + 4 * format, as: UInt32.self).littleEndian)
                    guard let row = try reader.read(length) else { throw ReportError.io("an output ended before its rows") }
                    out.appendLengthPrefixed { $0.append(contentsOf: row) }
                }
            }
            try record.withUnsafeBytes { try body($0) }
        }
        for (sink, format) in zip(sinks, formats) {
            try sink.restart()
            format.appendHeader(to: &sink.buffer)
        }
        self.index = nil
        remembered = 0
    }

    private func flushIndex() throws {
        guard !indexBuffer.isEmpty else { return }
        let file = try index ?? ScratchFile(directory: directory)
        index = file
        try file.append(indexBuffer)
        indexBuffer.removeAll(keepingCapacity: true)
    }
}
