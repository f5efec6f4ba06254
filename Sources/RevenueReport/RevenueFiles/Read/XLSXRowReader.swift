import Foundation
import ZIPFoundation

/// An XLSX revenue file: its first worksheet, with shared and inline strings, number cells,
/// and cells whose number format is a date read as dates (the workbook's 1900 or 1904 system).
/// The container through ZIPFoundation, the parts through `XMLWalker` (no network, no entities,
/// no DTD). Nothing is written to disk; what is inflated is capped twice, by the sizes the
/// archive declares and by what actually comes out (a zip bomb is refused, not inflated).
struct XLSXRowReader: RevenueRowReader {
    let path: String
    var impliesHeader: Bool { false }
    /// The most any one part may inflate to, and the most shared strings kept.
    static let maxPartBytes: UInt64 = 64 << 20
    static let maxSharedStrings = 2_000_000

    func forEachRow(_ body: (RevenueRow) throws -> Void) throws {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw UnreadableFile("not an XLSX workbook (not a zip archive)")
        }
        for entry in archive where entry.path.hasPrefix("/") || entry.path.split(separator: "/").contains("..") {
            throw UnreadableFile("an entry named \(entry.path) points outside the workbook")
        }
        let streams = try DeflateStreamCheck(path: path)
        defer { streams.close() }
        func inflate(_ entry: Entry) throws -> [UInt8] { try Self.inflate(entry, in: archive, checkedBy: streams) }
        guard let workbook = archive["xl/workbook.xml"] else { throw UnreadableFile("not an XLSX workbook (no xl/workbook.xml)") }
        let (sheetTarget, date1904) = try Self.firstSheet(try inflate(workbook), relationships: archive["xl/_rels/workbook.xml.rels"].map(inflate))
        guard let sheet = archive["xl/" + sheetTarget] ?? archive[sheetTarget] else { throw UnreadableFile("its first worksheet (\(sheetTarget)) is missing") }
        let shared = try archive["xl/sharedStrings.xml"].map { try Self.sharedStrings(try inflate($0)) } ?? []
        let dateStyles = try archive["xl/styles.xml"].map { try Self.dateStyles(try inflate($0)) } ?? []
        let epoch = date1904 ? CivilDate(year: 1904, month: 1, day: 1)! : CivilDate(year: 1899, month: 12, day: 30)!

        var cells: [RevenueCell] = []
        var rowNumber = 0
        var cellColumn = 0, cellType = "n", cellStyle = 0
        var text = "", inValue = false, inInline = false
        // The worksheet grows with the rows: it is read as it is inflated, never held whole.
        try Self.admit(sheet, checkedBy: streams)
        try XMLWalker.walk(part: InflatingPart(sheet, in: archive, limit: Self.maxPartBytes)) { event, reader in
            switch event {
            case .start(let name, _):
                switch name {
                case "row":
                    // Rows are numbered from 1 and come in order (Excel's rule); a number out of
                    // that order would put a finding on a row that is not there.
                    let number = XMLWalker.attribute(reader, "r").flatMap { Int($0) } ?? rowNumber + 1
                    guard number > rowNumber, number <= 1_048_576 else {
                        throw UnreadableFile("a row numbered \(number)\(rowNumber == 0 ? "" : " after row \(rowNumber)"): rows are numbered from 1, in order")
                    }
                    rowNumber = number
                    cells = []
                case "c":
                    cellColumn = XMLWalker.attribute(reader, "r").flatMap(Self.column) ?? cells.count
                    cellType = XMLWalker.attribute(reader, "t") ?? "n"
                    cellStyle = XMLWalker.attribute(reader, "s").flatMap { Int($0) } ?? 0
                    text = ""
                case "v": inValue = true; text = ""
                case "is": inInline = true; text = ""
                default: break
                }
            case .text(let value):
                if inValue || inInline { text += value }
            case .end(let name, _):
                switch name {
                case "v": inValue = false
                case "is": inInline = false
                case "c":
                    guard cellColumn < 256 else { throw UnreadableFile("row \(rowNumber): a cell past column IV") }
                    let cell: RevenueCell
                    switch cellType {
                    case "s":
                        guard let index = Int(text), shared.indices.contains(index) else { throw UnreadableFile("row \(rowNumber): a shared string that does not exist") }
                        cell = .text(shared[index])
                    case "inlineStr", "str": cell = .text(text)
                    case "b": cell = .text(text == "1" ? "TRUE" : "FALSE")
                    case "e": cell = .text(text)
                    default:
                        if text.isEmpty { cell = .text("") }
                        else if let number = Double(text) {
                            if dateStyles.contains(cellStyle), number >= 0, number < 2_958_466 {
                                let day = number.rounded(.down)
                                cell = RevenueCell.dateCell(epoch.adding(days: Int(day)), fraction: number - day)
                            } else {
                                cell = .number(number)
                            }
                        } else { cell = .text(text) }
                    }
                    while cells.count < cellColumn { cells.append(.text("")) }
                    if cells.count == cellColumn { cells.append(cell) }
                case "row":
                    try body(RevenueRow(row: rowNumber, cells: cells))
                default: break
                }
            }
        }
    }

    /// Before any of a part is inflated by ZIPFoundation: refused when it says it inflates past the
    /// cap, or when its stream would not end inside the file or turns out too large (`DeflateStreamCheck`).
    static func admit(_ entry: Entry, checkedBy streams: DeflateStreamCheck) throws {
        guard entry.uncompressedSize <= maxPartBytes else { throw UnreadableFile("\(entry.path) would inflate to \(entry.uncompressedSize) bytes (at most \(maxPartBytes))") }
        try streams.check(entry.path, limit: maxPartBytes)
    }

    /// Inflates one (small) part whole, refusing one that declares or turns out to be too large.
    static func inflate(_ entry: Entry, in archive: Archive, checkedBy streams: DeflateStreamCheck) throws -> [UInt8] {
        try admit(entry, checkedBy: streams)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(entry.uncompressedSize))
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                guard UInt64(bytes.count + chunk.count) <= maxPartBytes else { throw UnreadableFile("\(entry.path) inflates past \(maxPartBytes) bytes") }
                bytes.append(contentsOf: chunk)
            }
        } catch let error as UnreadableFile {
            throw error
        } catch {
            throw UnreadableFile("\(entry.path) cannot be inflated (\(error))")
        }
        return bytes
    }

    /// The first sheet's part (through the workbook's relationships) and whether dates count from 1904.
    static func firstSheet(_ workbook: [UInt8], relationships: [UInt8]?) throws -> (String, Bool) {
        var firstID: String?
        var date1904 = false
        try XMLWalker.walk(workbook, what: "xl/workbook.xml") { event, reader in
            guard case .start(let name, _) = event else { return }
            if name == "workbookPr", let value = XMLWalker.attribute(reader, "date1904") { date1904 = value == "1" || value == "true" }
            if name == "sheet", firstID == nil {
                firstID = XMLWalker.attribute(reader, "r:id") ?? XMLWalker.attribute(reader, "id")
            }
        }
        var target = "worksheets/sheet1.xml"
        if let firstID, let relationships {
            try XMLWalker.walk(relationships, what: "xl/_rels/workbook.xml.rels") { event, reader in
                guard case .start("Relationship", _) = event, XMLWalker.attribute(reader, "Id") == firstID,
                      let found = XMLWalker.attribute(reader, "Target") else { return }
                target = found.hasPrefix("/xl/") ? String(found.dropFirst(4)) : found
            }
        }
        return (target, date1904)
    }

    static func sharedStrings(_ bytes: [UInt8]) throws -> [String] {
        var strings: [String] = []
        var current = "", inText = false, inPhonetic = false
        try XMLWalker.walk(bytes, what: "xl/sharedStrings.xml") { event, _ in
            switch event {
            case .start("si", _): current = ""
            case .start("t", _): inText = true
            case .start("rPh", _): inPhonetic = true
            case .text(let value): if inText && !inPhonetic { current += value }
            case .end("t", _): inText = false
            case .end("rPh", _): inPhonetic = false
            case .end("si", _):
                guard strings.count < maxSharedStrings else { throw UnreadableFile("more than \(maxSharedStrings) shared strings") }
                strings.append(current)
            default: break
            }
        }
        return strings
    }

    /// The cell styles (`cellXfs` indexes) whose number format shows a date.
    static func dateStyles(_ bytes: [UInt8]) throws -> Set<Int> {
        var customDates: Set<Int> = []
        var styles: Set<Int> = []
        var inCellXfs = false, index = 0
        try XMLWalker.walk(bytes, what: "xl/styles.xml") { event, reader in
            switch event {
            case .start("numFmt", _):
                if let id = XMLWalker.attribute(reader, "numFmtId").flatMap({ Int($0) }), let code = XMLWalker.attribute(reader, "formatCode"),
                   isDateFormat(code) { customDates.insert(id) }
            case .start("cellXfs", _): inCellXfs = true; index = 0
            case .end("cellXfs", _): inCellXfs = false
            case .start("xf", _) where inCellXfs:
                let id = XMLWalker.attribute(reader, "numFmtId").flatMap { Int($0) } ?? 0
                if (14 ... 22).contains(id) || (27 ... 36).contains(id) || (45 ... 47).contains(id) || (50 ... 58).contains(id) || customDates.contains(id) {
                    styles.insert(index)
                }
                index += 1
            default: break
            }
        }
        return styles
    }

    /// A number format that shows a date: it has d, m or y outside quotes and brackets (and is not only a time).
    static func isDateFormat(_ code: String) -> Bool {
        var quoted = false, bracket = false
        for character in code.lowercased() {
            if character == "\"" { quoted.toggle(); continue }
            if quoted { continue }
            if character == "[" { bracket = true; continue }
            if character == "]" { bracket = false; continue }
            if bracket { continue }
            if character == "d" || character == "y" { return true }
        }
        return false
    }

    /// `C12` -> 2 (columns from 0).
    static func column(_ reference: String) -> Int? {
        var column = 0, letters = 0
        for scalar in reference.unicodeScalars {
            guard scalar.value >= 65, scalar.value <= 90 else { break }
            column = column * 26 + Int(scalar.value - 64)
            letters += 1
        }
        return letters == 0 ? nil : column - 1
    }
}
