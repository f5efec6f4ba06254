import Foundation

/// The BIFF8 `Workbook` stream of an `.xls`, read as far as a revenue file needs: the globals
/// (BOUNDSHEET for the first worksheet, SST with its CONTINUE records, XF and FORMAT for which
/// numbers are dates, DATEMODE for the 1904 system) and the first worksheet's cells (LABELSST,
/// LABEL, NUMBER, RK, MULRK, FORMULA with its cached value and STRING, BOOLERR; BLANK and MULBLANK
/// are empty). A formula is the value the workbook saved for it. Every record, string and offset
/// is bounded by the stream: one that runs past its end is the file's `UnreadableFile`. xlrd is
/// the reader this agrees with, cell for cell (`XLSReaderTests`).
struct BIFF8Workbook {
    enum Record {
        static let formula: UInt16 = 0x0006, eof: UInt16 = 0x000A, dateMode: UInt16 = 0x0022, continuation: UInt16 = 0x003C
        static let codePage: UInt16 = 0x0042, boundSheet: UInt16 = 0x0085, mulRK: UInt16 = 0x00BD, mulBlank: UInt16 = 0x00BE
        static let sst: UInt16 = 0x00FC, labelSST: UInt16 = 0x00FD, xf: UInt16 = 0x00E0, blank: UInt16 = 0x0201
        static let number: UInt16 = 0x0203, label: UInt16 = 0x0204, boolErr: UInt16 = 0x0205, string: UInt16 = 0x0207
        static let rk: UInt16 = 0x027E, format: UInt16 = 0x041E, bof: UInt16 = 0x0809
    }
    static let maxRows = 65_536, maxColumns = 256, maxStrings = 2_000_000

    /// One record: its type and its data (CONTINUE records that follow an SST, a STRING or a
    /// LABEL are gathered with it, each piece's start noted: strings may break there).
    struct Piece {
        var type: UInt16
        var data: ArraySlice<UInt8>
        /// Where each CONTINUE began, from the data's start.
        var breaks: [Int]
    }

    private let stream: [UInt8]
    private(set) var sharedStrings: [String] = []
    /// The cell styles (XF indexes) whose number format shows a date.
    private(set) var dateStyles: Set<Int> = []
    private(set) var date1904 = false
    /// The first worksheet's BOF, from the stream's start.
    private(set) var firstSheet: Int?

    init(_ stream: [UInt8]) throws {
        self.stream = stream
        var position = 0
        var styles: [Int] = []  // the format of each XF, in order
        var customDates: Set<Int> = []
        var first = true
        while let piece = try Self.next(in: stream, at: &position) {
            if first {
                guard piece.type == Record.bof, piece.data.count >= 4 else { throw UnreadableFile("its Workbook stream does not start with a BOF record") }
                var reader = BoundedBytes(piece.data, what: "the BOF record")
                let version = try reader.u16()
                guard version == 0x0600 else {
                    throw UnreadableFile("an Excel 5.0/95 workbook or older (BIFF version 0x\(String(version, radix: 16))): save it as Excel 97-2003 (.xls) or .xlsx")
                }
                first = false
                continue
            }
            switch piece.type {
            case Record.eof:
                break
            case Record.dateMode:
                var reader = BoundedBytes(piece.data, what: "the DATEMODE record")
                date1904 = try reader.u16() == 1
            case Record.boundSheet:
                var reader = BoundedBytes(piece.data, what: "a BOUNDSHEET record")
                let offset = Int(try reader.u32())
                _ = try reader.u8()  // visibility: a hidden first sheet is still the first
                let kind = try reader.u8()
                if kind == 0, firstSheet == nil { firstSheet = offset }
            case Record.format:
                var reader = BoundedBytes(piece.data, what: "a FORMAT record")
                let id = Int(try reader.u16())
                let code = try Self.unicodeString(&reader, piece: piece, lengthBytes: 2)
                if XLSXRowReader.isDateFormat(code) { customDates.insert(id) }
            case Record.xf:
                var reader = BoundedBytes(piece.data, what: "an XF record")
                _ = try reader.u16()  // font
                styles.append(Int(try reader.u16()))
            case Record.sst:
                sharedStrings = try Self.sharedStrings(piece)
            default:
                break
            }
            if piece.type == Record.eof { break }
        }
        guard !first else { throw UnreadableFile("its Workbook stream is empty") }
        for (index, format) in styles.enumerated() where Self.isDateFormat(format) || customDates.contains(format) {
            dateStyles.insert(index)
        }
    }

    /// Excel's built-in number formats that show a date (or a date and time, or a time).
    static func isDateFormat(_ id: Int) -> Bool {
        (14 ... 22).contains(id) || (27 ... 36).contains(id) || (45 ... 47).contains(id) || (50 ... 58).contains(id)
    }

    /// The next record at `position`, with the CONTINUE records that follow it; nil at the end.
    static func next(in stream: [UInt8], at position: inout Int) throws -> Piece? {
        guard position + 4 <= stream.count else { return nil }
        func header(_ at: Int) -> (UInt16, Int) {
            (UInt16(stream[at]) | UInt16(stream[at + 1]) << 8, Int(stream[at + 2]) | Int(stream[at + 3]) << 8)
        }
        let (type, length) = header(position)
        let start = position + 4
        guard start + length <= stream.count else { throw UnreadableFile("a record (type 0x\(String(type, radix: 16))) runs past the end of its stream") }
        position = start + length
        var data = Array(stream[start ..< start + length])
        var breaks: [Int] = []
        // Only these records continue; the others' CONTINUE records (drawings) are skipped as records.
        if type == Record.sst || type == Record.string || type == Record.label || type == Record.format {
            while position + 4 <= stream.count {
                let (next, more) = header(position)
                guard next == Record.continuation else { break }
                guard position + 4 + more <= stream.count else { throw UnreadableFile("a CONTINUE record runs past the end of its stream") }
                breaks.append(data.count)
                data += stream[position + 4 ..< position + 4 + more]
                position += 4 + more
            }
        }
        return Piece(type: type, data: data[...], breaks: breaks)
    }

    /// A BIFF8 string: its length (1 or 2 bytes), its option flags, and its characters, 8-bit
    /// (Latin-1) or 16-bit; where it crosses into a CONTINUE record the characters go on after a
    /// new option byte, whose width may differ. Rich text runs and phonetic data are skipped.
    static func unicodeString(_ reader: inout BoundedBytes, piece: Piece, lengthBytes: Int) throws -> String {
        let count = lengthBytes == 1 ? Int(try reader.u8()) : Int(try reader.u16())
        let flags = try reader.u8()
        var wide = flags & 0x01 != 0
        let runs = flags & 0x08 != 0 ? Int(try reader.u16()) : 0
        let extra = flags & 0x04 != 0 ? Int(try reader.u32()) : 0
        var units: [UInt16] = []
        units.reserveCapacity(count)
        while units.count < count {
            // At a CONTINUE boundary inside the characters: a new option byte says their width.
            if piece.breaks.contains(reader.position) { wide = try reader.u8() & 0x01 != 0 }
            let boundary = piece.breaks.first { $0 > reader.position } ?? reader.position + reader.remaining
            let room = (boundary - reader.position) / (wide ? 2 : 1)
            guard room > 0 else { throw UnreadableFile("a string is longer than its record") }
            for _ in 0 ..< min(count - units.count, room) { units.append(wide ? try reader.u16() : UInt16(try reader.u8())) }
        }
        _ = try reader.bytes(runs * 4)
        _ = try reader.bytes(extra)
        return String(decoding: units, as: UTF16.self)
    }

    /// The SST: the count of unique strings, then each string, across CONTINUE records.
    static func sharedStrings(_ piece: Piece) throws -> [String] {
        var reader = BoundedBytes(piece.data, what: "the shared strings (SST)")
        _ = try reader.u32()
        let unique = Int(try reader.u32())
        guard unique <= maxStrings else { throw UnreadableFile("\(unique) shared strings: more than \(maxStrings)") }
        var strings: [String] = []
        strings.reserveCapacity(min(unique, piece.data.count / 3))
        while strings.count < unique, reader.remaining > 0 {
            strings.append(try unicodeString(&reader, piece: piece, lengthBytes: 2))
        }
        return strings
    }

    /// An RK number: 30 bits of an IEEE double's top or of an integer, maybe divided by 100.
    static func rk(_ value: UInt32) -> Double {
        let number: Double = value & 0x02 != 0
            ? Double(Int32(bitPattern: value) >> 2)
            : Double(bitPattern: UInt64(value & 0xFFFF_FFFC) << 32)
        return value & 0x01 != 0 ? number / 100 : number
    }

    /// The first worksheet's rows, from row 1 to its last row with a cell (rows without one are
    /// empty), each cell typed: text, a number, or a date where its style shows one. Excel,
    /// LibreOffice and xlwt write a sheet's cells row after row (in blocks of 32 rows), so a row is
    /// handed on once the next one begins and memory holds one row; a cell for a row already
    /// handed on is the file's problem.
    func forEachRow(_ body: (RevenueRow) throws -> Void) throws {
        guard let start = firstSheet else { throw UnreadableFile("it has no worksheet") }
        guard start >= 0, start < stream.count else { throw UnreadableFile("its first worksheet begins past the end of the Workbook stream") }
        var current: [Int: RevenueCell] = [:]
        var currentRow = -1, handedOn = -1
        var position = start
        var pendingFormula: (row: Int, column: Int)?
        let epoch = date1904 ? CivilDate(year: 1904, month: 1, day: 1)! : CivilDate(year: 1899, month: 12, day: 30)!
        func handOn(through row: Int) throws {
            while handedOn < row {
                handedOn += 1
                let cells = handedOn == currentRow ? current : [:]
                let width = (cells.keys.max() ?? -1) + 1
                try body(RevenueRow(row: handedOn + 1, cells: (0 ..< width).map { cells[$0] ?? .text("") }))
            }
            current = [:]
        }
        func put(_ row: Int, _ column: Int, _ cell: RevenueCell) throws {
            guard row < Self.maxRows, column < Self.maxColumns else { throw UnreadableFile("a cell at row \(row + 1), column \(column + 1): past what a sheet holds") }
            guard row > handedOn else { throw UnreadableFile("a cell of row \(row + 1) after row \(handedOn + 2): cells out of row order", row: row + 1) }
            if row != currentRow {
                if currentRow >= 0 { try handOn(through: currentRow) }
                currentRow = row
            }
            current[column] = cell
        }
        func number(_ value: Double, style: Int) -> RevenueCell {
            guard dateStyles.contains(style), value >= 0, value < 2_958_466 else { return .number(value) }
            let day = value.rounded(.down)
            return RevenueCell.dateCell(epoch.adding(days: Int(day)), fraction: value - day)
        }
        var first = true
        while let piece = try Self.next(in: stream, at: &position) {
            if first {
                guard piece.type == Record.bof else { throw UnreadableFile("its first worksheet does not start with a BOF record") }
                first = false
                continue
            }
            var reader = BoundedBytes(piece.data, what: "a cell record")
            switch piece.type {
            case Record.eof:
                if currentRow >= 0 { try handOn(through: currentRow) }
                return
            case Record.labelSST:
                let (row, column, _) = try Self.cellHeader(&reader)
                let index = Int(try reader.u32())
                guard sharedStrings.indices.contains(index) else { throw UnreadableFile("row \(row + 1): a shared string (\(index)) that does not exist", row: row + 1) }
                try put(row, column, .text(sharedStrings[index]))
            case Record.label:
                let (row, column, _) = try Self.cellHeader(&reader)
                try put(row, column, .text(try Self.unicodeString(&reader, piece: piece, lengthBytes: 2)))
            case Record.number:
                let (row, column, style) = try Self.cellHeader(&reader)
                try put(row, column, number(try reader.f64(), style: style))
            case Record.rk:
                let (row, column, style) = try Self.cellHeader(&reader)
                try put(row, column, number(Self.rk(try reader.u32()), style: style))
            case Record.mulRK:
                let row = Int(try reader.u16())
                var column = Int(try reader.u16())
                while reader.remaining >= 8 {
                    let style = Int(try reader.u16())
                    try put(row, column, number(Self.rk(try reader.u32()), style: style))
                    column += 1
                }
            case Record.formula:
                let (row, column, style) = try Self.cellHeader(&reader)
                let result = try reader.bytes(8)
                let bytes = Array(result)
                if bytes[6] == 0xFF, bytes[7] == 0xFF {
                    switch bytes[0] {
                    case 0: pendingFormula = (row, column)  // text: the STRING record that follows holds it
                    case 1: try put(row, column, .text(bytes[2] == 0 ? "FALSE" : "TRUE"))
                    case 2: try put(row, column, .text(Self.errorText(bytes[2])))
                    default: try put(row, column, .text(""))
                    }
                } else {
                    var value = BoundedBytes(result, what: "a formula's value")
                    try put(row, column, number(try value.f64(), style: style))
                }
            case Record.string:
                if let (row, column) = pendingFormula {
                    try put(row, column, .text(try Self.unicodeString(&reader, piece: piece, lengthBytes: 2)))
                    pendingFormula = nil
                }
            case Record.boolErr:
                let (row, column, _) = try Self.cellHeader(&reader)
                let value = try reader.u8(), isError = try reader.u8()
                try put(row, column, .text(isError == 0 ? (value == 0 ? "FALSE" : "TRUE") : Self.errorText(value)))
            default:
                break  // BLANK, MULBLANK (empty cells), ROW, DIMENSIONS, formats of the sheet, drawings
            }
        }
        throw UnreadableFile("its first worksheet has no EOF record: the file is cut short")
    }

    /// Row, column and style of a cell record.
    static func cellHeader(_ reader: inout BoundedBytes) throws -> (Int, Int, Int) {
        (Int(try reader.u16()), Int(try reader.u16()), Int(try reader.u16()))
    }

    /// What Excel shows for an error value.
    static func errorText(_ code: UInt8) -> String {
        switch code {
        case 0x00: "#NULL!"
        case 0x07: "#DIV/0!"
        case 0x0F: "#VALUE!"
        case 0x17: "#REF!"
        case 0x1D: "#NAME?"
        case 0x24: "#NUM!"
        case 0x2A: "#N/A"
        default: "#ERROR!"
        }
    }
}
