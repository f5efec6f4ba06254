import Foundation

/// A CSV revenue file, read as CustomerGauge reads it: UTF-8 (a BOM allowed), comma or
/// semicolon (whichever the first line uses outside quotes), RFC 4180 quoting, CR LF or LF. A
/// quoted cell that spans lines stays in its row; a blank line is an empty row. Read in chunks:
/// memory stays flat whatever the file's size, and a row longer than `maxRowBytes` is refused.
///
/// Our own reader rather than CSV.swift's: rows must be numbered as a spreadsheet numbers them
/// (blank lines counted), and every row bounded and checked as it comes (a 100 MB line, a NUL,
/// bytes that are not UTF-8 name their row), which that reader does not give.
struct CSVRowReader: RevenueRowReader {
    let path: String
    static let maxRowBytes = 1 << 20
    static let chunkBytes = 1 << 20
    var impliesHeader: Bool { false }

    func forEachRow(_ body: (RevenueRow) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw UnreadableFile("cannot be read") }
        defer { try? handle.close() }
        var chunk = [UInt8](try handle.read(upToCount: Self.chunkBytes) ?? Data())
        var position = 0
        if chunk.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        let delimiter = Self.delimiter(in: chunk[position...])
        // One row value, filled again for each row: once the body has read it, its cells' storage
        // is ours again and is kept (a row costs no allocation of its own).
        var current = RevenueRow(row: 1, cells: [])
        var cell: [UInt8] = []
        var rowBytes = 0
        var row = 1
        var quoted = false, quoteClosed = false, afterCR = false
        var rowHasContent = false

        func endCell() throws {
            // Most cells are ASCII: no validation to pay for them.
            if cell.allSatisfy({ $0 < 0x80 }) {
                current.cells.append(.text(String(decoding: cell, as: UTF8.self)))
            } else if let text = String(validating: cell, as: UTF8.self) {
                current.cells.append(.text(text))
            } else {
                throw UnreadableFile("row \(row): bytes that are not UTF-8 (save the file as CSV UTF-8)", row: row)
            }
            cell.removeAll(keepingCapacity: true)
            quoteClosed = false
        }
        func endRow() throws {
            try endCell()
            current.row = row
            if rowHasContent { current.dropEmptyCellsAtEnd() } else { current.cells.removeAll(keepingCapacity: true) }
            try body(current)
            current.cells.removeAll(keepingCapacity: true)
            row += 1
            rowBytes = 0
            rowHasContent = false
        }

        while true {
            while position < chunk.count {
                if !quoted, !afterCR {
                    // The bytes up to the next one that means something are the cell's as they
                    // are: taken in one run (most of a file), not byte by byte.
                    let runStart = position
                    var sawNUL = false
                    while position < chunk.count {
                        let byte = chunk[position]
                        if byte == delimiter || byte == 0x0A || byte == 0x0D || byte == 0x22 || byte == 0 {
                            sawNUL = byte == 0
                            break
                        }
                        position += 1
                    }
                    if position > runStart {
                        rowBytes += position - runStart
                        if rowBytes > Self.maxRowBytes { throw UnreadableFile("row \(row) is longer than \(Self.maxRowBytes) bytes: not a revenue file", row: row) }
                        cell.append(contentsOf: chunk[runStart ..< position])
                        rowHasContent = true
                    }
                    if sawNUL { throw UnreadableFile("row \(row): a NUL byte: not a text file", row: row) }
                    if position == chunk.count { break }
                }
                let byte = chunk[position]
                position += 1
                rowBytes += 1
                if rowBytes > Self.maxRowBytes { throw UnreadableFile("row \(row) is longer than \(Self.maxRowBytes) bytes: not a revenue file", row: row) }
                if byte == 0 { throw UnreadableFile("row \(row): a NUL byte: not a text file", row: row) }
                if quoted {
                    if byte == UInt8(ascii: "\"") {
                        var more = position < chunk.count
                        if !more { more = try refill(&chunk, &position, handle) }
                        if more {
                            if chunk[position] == UInt8(ascii: "\"") {
                                cell.append(byte)
                                position += 1
                                continue
                            }
                        }
                        quoted = false
                        quoteClosed = true
                    } else {
                        cell.append(byte)
                    }
                    continue
                }
                if afterCR {
                    afterCR = false
                    if byte == UInt8(ascii: "\n") { continue }
                }
                switch byte {
                case UInt8(ascii: "\r"):
                    try endRow()
                    afterCR = true
                case UInt8(ascii: "\n"):
                    try endRow()
                case delimiter:
                    rowHasContent = true
                    try endCell()
                case UInt8(ascii: "\"") where cell.isEmpty && !quoteClosed:
                    quoted = true
                    rowHasContent = true
                default:
                    cell.append(byte)
                    rowHasContent = true
                }
            }
            guard try refill(&chunk, &position, handle) else { break }
        }
        if quoted { throw UnreadableFile("row \(row): a quoted cell is never closed", row: row) }
        if rowHasContent || !cell.isEmpty { try endRow() }
    }

    /// Reads the next chunk; false at the end of the file.
    private func refill(_ chunk: inout [UInt8], _ position: inout Int, _ handle: FileHandle) throws -> Bool {
        guard position >= chunk.count else { return true }
        guard let more = try handle.read(upToCount: Self.chunkBytes), !more.isEmpty else { return false }
        chunk = [UInt8](more)
        position = 0
        return true
    }

    /// Comma or semicolon: whichever the first line uses more often outside quotes (comma when neither).
    static func delimiter(in bytes: ArraySlice<UInt8>) -> UInt8 {
        var commas = 0, semicolons = 0, quoted = false
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { quoted.toggle(); continue }
            if quoted { continue }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            if byte == UInt8(ascii: ",") { commas += 1 } else if byte == UInt8(ascii: ";") { semicolons += 1 }
        }
        return semicolons > commas ? UInt8(ascii: ";") : UInt8(ascii: ",")
    }
}
