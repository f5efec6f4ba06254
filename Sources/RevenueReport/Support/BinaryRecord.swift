import Foundation

// The scratch files' record layout, one place for it: records laid back to back, each a `u32`
// length (little-endian) and that many bytes; inside, fixed-width little-endian integers and
// length-prefixed text. The sorter's records, the workbook's rows and the history's ledger use it.

extension [UInt8] {
    mutating func appendInteger<T: FixedWidthInteger>(_ value: T) {
        append(addingCapacity: T.bitWidth / 8) { $0.appendInteger(value) }
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

    /// Text as a `u32` length and its UTF-8 bytes; nil as the length `UInt32.max`.
    mutating func appendText(_ text: String?) {
        guard let text else { return appendInteger(UInt32.max) }
        appendInteger(UInt32(text.utf8.count))
        append(contentsOf: text.utf8)
    }

    /// An optional count, `Int64.min` for nil.
    mutating func appendCount(_ count: Int?) {
        appendInteger(count.map(Int64.init) ?? Int64.min)
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes of the record whose length prefix sits at `offset`, and where the next one starts.
    func framed(at offset: Int) -> (bytes: UnsafeRawBufferPointer, end: Int) {
        let length = Int(loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
        let end = offset + 4 + length
        return (UnsafeRawBufferPointer(rebasing: self[offset + 4 ..< end]), end)
    }

    /// Calls `body` with each record laid back to back in these bytes.
    func forEachFramed(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        var offset = 0
        while offset < count {
            let (bytes, end) = framed(at: offset)
            try body(bytes)
            offset = end
        }
    }
}

extension SequentialFileReader {
    /// The next record's bytes (after its length prefix), valid until the next read; nil at the end.
    func nextFramed() throws -> UnsafeRawBufferPointer? {
        guard let prefix = try read(4) else { return nil }
        let length = Int(prefix.loadUnaligned(as: UInt32.self).littleEndian)
        guard let body = try read(length) else { throw ReportError.io("\(what): ends inside a record") }
        return body
    }
}

/// Reads fixed-width little-endian integers, byte runs and text from a record, front to back.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int

    init(bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    mutating func u8() -> UInt8 {
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u32() -> UInt32 { read(UInt32.self) }
    mutating func i64() -> Int64 { read(Int64.self) }

    /// What `appendCount` wrote.
    mutating func count() -> Int? {
        let value = i64()
        return value == Int64.min ? nil : Int(value)
    }

    mutating func bytes(_ count: Int) -> UnsafeRawBufferPointer {
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position ..< position + count])
    }

    /// What `appendText` wrote.
    mutating func text() -> String? {
        let length = u32()
        return length == UInt32.max ? nil : String(decoding: bytes(Int(length)), as: UTF8.self)
    }

    private mutating func read<T: FixedWidthInteger>(_: T.Type) -> T {
        defer { position += MemoryLayout<T>.size }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
    }
}
