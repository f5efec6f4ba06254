import Foundation

/// Little-endian reads from a slice of a binary file (an `.xls`), each bounded: a read past the end
/// is the file's problem (`UnreadableFile`), never a trap.
struct BoundedBytes {
    private let bytes: ArraySlice<UInt8>
    let what: String
    /// From 0, relative to the slice's start.
    var position = 0

    init(_ bytes: ArraySlice<UInt8>, what: String) {
        self.bytes = bytes
        self.what = what
    }

    var remaining: Int { bytes.count - position }

    mutating func bytes(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw UnreadableFile("\(what) ends early: \(count) bytes wanted, \(remaining) left") }
        let start = bytes.startIndex + position
        position += count
        return bytes[start ..< start + count]
    }

    mutating func u8() throws -> UInt8 { try bytes(1).first! }

    mutating func u16() throws -> UInt16 {
        let two = try bytes(2)
        return UInt16(two[two.startIndex]) | UInt16(two[two.startIndex + 1]) << 8
    }

    mutating func u32() throws -> UInt32 {
        let four = try bytes(4)
        var value: UInt32 = 0
        for (index, byte) in four.enumerated() { value |= UInt32(byte) << (8 * index) }
        return value
    }

    mutating func f64() throws -> Double {
        let eight = try bytes(8)
        var value: UInt64 = 0
        for (index, byte) in eight.enumerated() { value |= UInt64(byte) << (8 * index) }
        return Double(bitPattern: value)
    }
}
