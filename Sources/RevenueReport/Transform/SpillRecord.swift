/// One in-range upload as the sorter keeps it: the sort key, a few flags, the upload itself in
/// a compact binary form, and its rows already rendered for each streamed output (CSV, NDJSON).
///
/// Rendering happens while pages are typed, on several cores; the merge at the end then only
/// copies bytes, and decodes an upload only when the HTML or `--fail-on` needs its fields.
///
/// Layout, little-endian: `u32 length` (of what follows), `i64 instant`, `i64 id`, `u8 flags`,
/// `u32 n` + n bytes of the upload, `u8 rows`, then per row `u32 n` + n bytes.
public struct SpillRecord {
    /// The bytes after the length prefix.
    let bytes: UnsafeRawBufferPointer

    struct Flags: OptionSet {
        let rawValue: UInt8
        static let needsAttention = Flags(rawValue: 1)
        /// Matches at least one `--fail-on` rule.
        static let failMatch = Flags(rawValue: 2)
    }

    static let headerSize = 8 + 8 + 1

    var instant: Int64 { bytes.loadUnaligned(fromByteOffset: 0, as: Int64.self).littleEndian }
    var id: Int64 { bytes.loadUnaligned(fromByteOffset: 8, as: Int64.self).littleEndian }
    var flags: Flags { Flags(rawValue: bytes[16]) }

    var upload: RevenueUpload {
        var reader = ByteReader(bytes: bytes, position: Self.headerSize + 4)  // past the upload's length
        return UploadCodec.decode(&reader)
    }

    /// The pre-rendered rows, in the order the encoder's formats were given.
    func forEachRow(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        var reader = ByteReader(bytes: bytes, position: Self.headerSize)
        reader.position += Int(reader.u32())
        let rows = Int(reader.u8())
        for _ in 0 ..< rows {
            let length = Int(reader.u32())
            try body(UnsafeRawBufferPointer(rebasing: bytes[reader.position ..< reader.position + length]))
            reader.position += length
        }
    }

    /// Appends one record, length prefix included, to `out`.
    static func append(_ upload: RevenueUpload, flags: Flags, formats: [any RowFormat], to out: inout [UInt8]) {
        let start = out.count
        out.appendInteger(UInt32(0))  // patched below
        out.appendInteger(upload.dateUpload.instant)
        out.appendInteger(upload.id)
        out.append(flags.rawValue)
        out.appendLengthPrefixed { UploadCodec.encode(upload, to: &$0) }
        out.append(UInt8(formats.count))
        for format in formats {
            out.appendLengthPrefixed { format.appendRow(upload, to: &$0) }
        }
        out.patchInteger(UInt32(out.count - start - 4), at: start)
    }
}

/// `RevenueUpload` <-> bytes, for the sorter's runs.
enum UploadCodec {
    static func encode(_ upload: RevenueUpload, to out: inout [UInt8]) {
        out.appendInteger(upload.id)
        out.appendInteger(upload.dateUpload.localSeconds)
        out.appendInteger(Int32(upload.dateUpload.offsetSeconds))
        for count in [upload.totalRecords, upload.successfulRecords, upload.unsuccessfulRecords] {
            out.appendInteger(Int32(count ?? -1))  // counts are 0 ... Int32.max, so -1 is free for nil
        }
        out.appendInteger(UInt32(upload.logCount))
        appendText(upload.status, to: &out)
        appendText(upload.sourceFilename, to: &out)
        out.appendInteger(UInt32(upload.logsJSON.count))
        out.append(contentsOf: upload.logsJSON)
    }

    static func decode(_ reader: inout ByteReader) -> RevenueUpload {
        let id = reader.i64()
        let localSeconds = reader.i64()
        let offset = Int(reader.i32())
        let counts = (0 ..< 3).map { _ -> Int? in
            let value = reader.i32()
            return value < 0 ? nil : Int(value)
        }
        let logCount = Int(reader.u32())
        let status = readText(&reader)
        let filename = readText(&reader)
        let logs = Array(reader.bytes(Int(reader.u32())))
        return RevenueUpload(id: id, status: status, sourceFilename: filename, dateUpload: UploadTime(localSeconds: localSeconds, offsetSeconds: offset),
                             totalRecords: counts[0], successfulRecords: counts[1], unsuccessfulRecords: counts[2], logsJSON: logs, logCount: logCount)
    }

    private static func appendText(_ text: String?, to out: inout [UInt8]) {
        guard let text else {
            out.appendInteger(UInt32.max)
            return
        }
        out.appendInteger(UInt32(text.utf8.count))
        out.append(contentsOf: text.utf8)
    }

    private static func readText(_ reader: inout ByteReader) -> String? {
        let length = reader.u32()
        if length == UInt32.max { return nil }
        return String(decoding: reader.bytes(Int(length)), as: UTF8.self)
    }
}

/// Reads fixed-width little-endian integers and byte runs from a buffer, front to back.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int

    mutating func u8() -> UInt8 {
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u32() -> UInt32 { read(UInt32.self) }
    mutating func i32() -> Int32 { read(Int32.self) }
    mutating func i64() -> Int64 { read(Int64.self) }

    mutating func bytes(_ count: Int) -> UnsafeRawBufferPointer {
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position ..< position + count])
    }

    private mutating func read<T: FixedWidthInteger>(_: T.Type) -> T {
        defer { position += MemoryLayout<T>.size }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
    }
}

extension [UInt8] {
    mutating func appendInteger<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func patchInteger<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        Swift.withUnsafeBytes(of: value.littleEndian) { raw in
            for (index, byte) in raw.enumerated() { self[offset + index] = byte }
        }
    }

    /// A `u32` length, then what `body` appends.
    mutating func appendLengthPrefixed(_ body: (inout [UInt8]) -> Void) {
        let start = count
        appendInteger(UInt32(0))
        body(&self)
        patchInteger(UInt32(count - start - 4), at: start)
    }
}
