import Foundation

/// One upload as this run saw it, to be recorded once the outputs are in place.
public struct Sighting: Sendable, Equatable {
    public enum Change: UInt8, Sendable {
        /// Never seen before: its first observation.
        case new
        /// Its status or counts differ from the last seen: an observation.
        case changed
        /// The same values as last seen; recorded only because whether it matched `--fail-on` did change.
        case unchanged
    }

    public var id: Int64
    public var change: Change
    /// Asked for by id (not an upload of the range).
    public var revisited: Bool
    /// It matched `--fail-on` in this run (what `--alert-once` remembers).
    public var matched: Bool
    public var dateUpload: String
    public var dateUploadInstant: Int64
    public var sourceFilename: String?
    public var values: UploadValues

    public init(_ upload: RevenueUpload, change: Change, revisited: Bool, matched: Bool) {
        id = upload.id
        self.change = change
        self.revisited = revisited
        self.matched = matched
        dateUpload = upload.dateUpload.rfc3339
        dateUploadInstant = upload.dateUpload.instant
        sourceFilename = upload.sourceFilename
        values = UploadValues(upload)
    }
}

/// The sightings a run will record, read back when recording: in memory while they are few (a
/// night's worth), past `memoryLimit` in an unlinked scratch file in the output folder, so that a
/// million uploads are not held in memory.
public final class HistoryLedger {
    private let directory: URL
    private var file: ScratchFile?
    private var pending: [UInt8] = []
    public private(set) var count = 0
    static let memoryLimit = 4 << 20

    public init(directory: URL) throws {
        self.directory = directory
    }

    public func append(_ sighting: Sighting) throws {
        count += 1
        pending.append(sighting.change.rawValue | (sighting.revisited ? 0x10 : 0) | (sighting.matched ? 0x20 : 0))
        for number in [sighting.id, sighting.dateUploadInstant] { appendInteger(number) }
        for number in [sighting.values.totalRecords, sighting.values.successfulRecords, sighting.values.unsuccessfulRecords] {
            appendInteger(number.map(Int64.init) ?? Int64.min)
        }
        for text in [sighting.values.status, sighting.sourceFilename, sighting.dateUpload] { appendText(text) }
        if pending.count >= Self.memoryLimit || (file != nil && pending.count >= 1 << 20) { try flush() }
    }

    private func appendInteger(_ number: Int64) {
        withUnsafeBytes(of: number.littleEndian) { pending.append(contentsOf: $0) }
    }

    private func appendText(_ text: String?) {
        guard let text else { return appendInteger(-1) }
        appendInteger(Int64(text.utf8.count))
        pending.append(contentsOf: text.utf8)
    }

    private func flush() throws {
        let file = try self.file ?? ScratchFile(directory: directory)
        self.file = file
        try file.append(pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Every sighting, in the order appended.
    public func forEach(_ body: (Sighting) throws -> Void) throws {
        // From the scratch file when there is one, else from memory.
        var read: (Int) throws -> UnsafeRawBufferPointer?
        var offset = 0
        // A copy of the bytes in memory whose address stays put while it is read.
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, pending.count), alignment: 8)
        defer { memory.deallocate() }
        let held = pending.count
        pending.withUnsafeBytes { if held > 0 { memory.copyMemory(from: $0) } }
        if let file {
            try flush()
            let reader = SequentialFileReader(descriptor: file.descriptor, range: 0 ..< file.size, bufferSize: 1 << 20, what: "the history's scratch file")
            read = { try reader.read($0) }
        } else {
            read = { count in
                guard offset + count <= held else { return nil }
                defer { offset += count }
                return UnsafeRawBufferPointer(rebasing: memory[offset ..< offset + count])
            }
        }
        func integer() throws -> Int64 {
            guard let bytes = try read(8) else { throw ReportError.io("the history's scratch file ends early") }
            return Int64(littleEndian: bytes.loadUnaligned(as: Int64.self))
        }
        func text() throws -> String? {
            let length = try integer()
            guard length >= 0 else { return nil }
            guard let bytes = try read(Int(length)) else { throw ReportError.io("the history's scratch file ends early") }
            return String(decoding: bytes, as: UTF8.self)
        }
        while let head = try read(1) {
            let flags = head[0]
            let id = try integer(), instant = try integer()
            let counts = try (0..<3).map { _ in try integer() }.map { $0 == Int64.min ? nil : Int($0) }
            let status = try text(), filename = try text(), date = try text() ?? ""
            let values = UploadValues(status: status, totalRecords: counts[0], successfulRecords: counts[1], unsuccessfulRecords: counts[2])
            try body(Sighting(id: id, change: Sighting.Change(rawValue: flags & 0x0f) ?? .changed, revisited: flags & 0x10 != 0,
                              matched: flags & 0x20 != 0, dateUpload: date, dateUploadInstant: instant, sourceFilename: filename, values: values))
        }
    }
}

extension Sighting {
    init(id: Int64, change: Change, revisited: Bool, matched: Bool, dateUpload: String, dateUploadInstant: Int64,
         sourceFilename: String?, values: UploadValues) {
        self.id = id
        self.change = change
        self.revisited = revisited
        self.matched = matched
        self.dateUpload = dateUpload
        self.dateUploadInstant = dateUploadInstant
        self.sourceFilename = sourceFilename
        self.values = values
    }
}
