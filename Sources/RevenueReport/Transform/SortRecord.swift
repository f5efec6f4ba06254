/// One in-range upload as the sorter handles it: the sort key and its rows already rendered for
/// each streamed output (CSV, NDJSON).
///
/// Rendering happens while pages are typed, on several cores; the merge at the end then only
/// copies bytes. (What the HTML lists of the uploads is gathered apart, by `ReportExcerpt`.)
///
/// Layout, little-endian: `u32 length` (of what follows), `i64 instant`, `i64 id`, `u8 rows`,
/// then per row `u32 n` + n bytes.
public struct SortRecord {
    /// The bytes after the length prefix.
    let bytes: UnsafeRawBufferPointer

    static let headerSize = 8 + 8

    var instant: Int64 { bytes.loadUnaligned(fromByteOffset: 0, as: Int64.self).littleEndian }
    var id: Int64 { bytes.loadUnaligned(fromByteOffset: 8, as: Int64.self).littleEndian }

    /// The pre-rendered rows, in the order the encoder's formats were given.
    func forEachRow(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        var reader = ByteReader(bytes: bytes, position: Self.headerSize)
        let rows = Int(reader.u8())
        for _ in 0 ..< rows {
            let length = Int(reader.u32())
            try body(reader.bytes(length))
        }
    }

    /// The record whose length prefix sits at `offset` of `buffer`, and where the next one starts.
    static func framed(at offset: Int, in buffer: UnsafeRawBufferPointer) -> (record: SortRecord, end: Int) {
        let (bytes, end) = buffer.framed(at: offset)
        return (SortRecord(bytes: bytes), end)
    }

    /// Appends one upload's record, length prefix included, to `out`, its rows rendered by
    /// `formats`: room for the whole record is reserved once, and each row written into it.
    static func append(_ upload: RevenueUpload, formats: [any RowFormat], to out: inout [UInt8]) {
        var bound = 4 + headerSize + 1
        for format in formats { bound += 4 + format.maximumRowSize(upload) }
        out.append(addingCapacity: bound) { record in
            record.appendInteger(UInt32(0))  // the length, patched below
            record.appendInteger(upload.dateUpload.instant)
            record.appendInteger(upload.id)
            record.append(UInt8(formats.count))
            for format in formats {
                let start = record.count
                record.appendInteger(UInt32(0))
                format.write(upload, into: &record)
                record.patch(UInt32(record.count - start - 4), at: start)
            }
            record.patch(UInt32(record.count - 4), at: 0)
        }
    }

    /// The same layout from rows already rendered (read back from the row outputs): length
    /// prefix, key, row count, then `rows`, which appends each row with `appendLengthPrefixed`.
    static func appendFrame(instant: Int64, id: Int64, rowCount: Int, to out: inout [UInt8],
                            rows: (inout [UInt8]) throws -> Void) rethrows {
        let start = out.count
        out.appendInteger(UInt32(0))  // patched below
        out.appendInteger(instant)
        out.appendInteger(id)
        out.append(UInt8(rowCount))
        try rows(&out)
        out.patchInteger(UInt32(out.count - start - 4), at: start)
    }
}
