import CZlib  // zlib, through ZIPFoundation's own module for it
import Foundation

/// Makes sure a deflated entry's stream ends inside the file before ZIPFoundation inflates it.
///
/// ZIPFoundation 0.9.20 (the version the mirror has) inflates on Linux in a loop that only ends at
/// the stream's end: a damaged or cut entry whose stream runs on to the end of the file makes it
/// read nothing forever, at 100% of a core (weichsel/ZIPFoundation#389, fixed in a later release).
/// So each deflated part is first inflated here into a scratch buffer, from where the archive's
/// own directory says its data starts, and refused unless its stream ends before the file does.
/// Also refused here: a stream that zlib finds damaged, one that inflates past `limit`, and a
/// ZIP64 archive (CustomerGauge takes files of 2 MB; no workbook of that kind needs ZIP64).
struct DeflateStreamCheck {
    private let file: FileHandle
    private let size: UInt64
    /// Each entry's local header offset, by name, from the central directory.
    private var entries: [String: UInt64] = [:]

    init(path: String) throws {
        guard let file = FileHandle(forReadingAtPath: path) else { throw UnreadableFile("cannot be read") }
        self.file = file
        size = (try? file.seekToEnd()) ?? 0
        try readCentralDirectory()
    }

    func close() { try? file.close() }

    /// Throws unless the entry named `path` is stored, or deflated with a stream that ends inside
    /// the file and inflates to at most `limit` bytes.
    func check(_ path: String, limit: UInt64) throws {
        guard let localHeader = entries[path] else { throw UnreadableFile("\(path) is not in the archive's directory") }
        let header = try bytes(at: localHeader, count: 30)
        guard header.count == 30, Self.u32(header, 0) == 0x0403_4B50 else { throw UnreadableFile("\(path): its local header is missing") }
        // ZIPFoundation goes by the local header's method: 0 is read by its size, 8 is inflated, any
        // other it refuses. (Found by the fuzzer: the directory saying 2048, the local header 8.)
        guard Self.u16(header, 8) == 8 else { return }
        var offset = localHeader + 30 + UInt64(Self.u16(header, 26)) + UInt64(Self.u16(header, 28))

        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw UnreadableFile("\(path): zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: 64 << 10)
        var inflated: UInt64 = 0
        while true {
            var input = try bytes(at: offset, count: Int(min(64 << 10, size - min(offset, size))))
            guard !input.isEmpty else { throw UnreadableFile("\(path) cannot be inflated: its compressed data runs to the end of the file (a damaged or cut workbook)") }
            offset += UInt64(input.count)
            var result = Z_OK
            try input.withUnsafeMutableBufferPointer { inputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = UInt32(inputBuffer.count)
                repeat {
                    try output.withUnsafeMutableBufferPointer { outputBuffer in
                        stream.next_out = outputBuffer.baseAddress
                        stream.avail_out = UInt32(outputBuffer.count)
                        result = inflate(&stream, Z_NO_FLUSH)
                        inflated += UInt64(outputBuffer.count) - UInt64(stream.avail_out)
                    }
                    guard result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR else {
                        throw UnreadableFile("\(path) cannot be inflated (its compressed data is damaged)")
                    }
                    guard inflated <= limit else { throw UnreadableFile("\(path) inflates past \(limit) bytes") }
                } while result == Z_OK && stream.avail_out == 0
            }
            if result == Z_STREAM_END { return }
        }
    }

    private mutating func readCentralDirectory() throws {
        // The end-of-central-directory record: the last 22 bytes, or before a comment of up to 64 KB.
        let tailLength = min(size, 22 + 65_535)
        let tail = try bytes(at: size - tailLength, count: Int(tailLength))
        guard tail.count >= 22, let end = stride(from: tail.count - 22, through: 0, by: -1).first(where: { Self.u32(tail, $0) == 0x0605_4B50 }) else {
            throw UnreadableFile("not an XLSX workbook (no zip directory)")
        }
        let count = Int(Self.u16(tail, end + 10))
        let directorySize = UInt64(Self.u32(tail, end + 12))
        let directoryOffset = UInt64(Self.u32(tail, end + 16))
        guard count != 0xFFFF, directoryOffset != 0xFFFF_FFFF, directorySize != 0xFFFF_FFFF else {
            throw UnreadableFile("a ZIP64 archive: not a workbook CustomerGauge takes")
        }
        guard directoryOffset + directorySize <= size else { throw UnreadableFile("its zip directory points past the end of the file") }
        let directory = try bytes(at: directoryOffset, count: Int(directorySize))
        var position = 0
        for _ in 0 ..< count {
            guard position + 46 <= directory.count, Self.u32(directory, position) == 0x0201_4B50 else {
                throw UnreadableFile("its zip directory is damaged")
            }
            let nameLength = Int(Self.u16(directory, position + 28))
            let extraLength = Int(Self.u16(directory, position + 30)), commentLength = Int(Self.u16(directory, position + 32))
            let localHeader = UInt64(Self.u32(directory, position + 42))
            guard position + 46 + nameLength <= directory.count else { throw UnreadableFile("its zip directory is damaged") }
            let name = String(decoding: directory[(position + 46) ..< (position + 46 + nameLength)], as: UTF8.self)
            if entries[name] == nil { entries[name] = localHeader }
            position += 46 + nameLength + extraLength + commentLength
        }
    }

    private func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count > 0, offset < size else { return [] }
        try file.seek(toOffset: offset)
        return [UInt8](try file.read(upToCount: count) ?? Data())
    }

    private static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    private static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(u16(bytes, at)) | UInt32(u16(bytes, at + 2)) << 16
    }
}
