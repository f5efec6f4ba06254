import Foundation
import Testing
@testable import RevenueReport

/// Our `.xls` reader (`CompoundFile`, `BIFF8Workbook`) against xlrd, a reader we did not write,
/// cell for cell: the example files (made by xlwt) and workbooks saved by LibreOffice with
/// formulas, dates in several formats and with times, a 1904 workbook, shared strings past one
/// record, accents and CJK, a formatted empty row. And damaged ones: bounded, never a crash.
@Suite struct XLSReaderTests {
    static let files: [String] = {
        let examples = packageRoot.appendingPathComponent("examples/revenue-files")
        let finance = packageRoot.appendingPathComponent("Tests/RevenueReportTests/Fixtures/finance")
        return [examples, finance].flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".xls") }.sorted()
                .map { folder.appendingPathComponent($0).path }
        }
    }()

    /// A cell as both sides write it: `t:text`, `n:number` (Python's repr of a float), `d:YYYY-MM-DD`
    /// or `d:YYYY-MM-DD HH:MM:SS`, `b:TRUE`; a row without its empty cells at the end, the sheet
    /// without its empty rows at the end.
    static func key(_ cell: RevenueCell) -> String {
        switch cell {
        case .text(let text): return "t:" + text
        case .number(let value): return "n:\(value)"  // Swift's shortest form is Python's repr
        case .date(let date): return "d:\(date)"
        case .dateTime(let date, let time): return "d:\(date) \(time)"
        }
    }

    @Test func xlrdReadsTheSameCellsAsOurs() async throws {
        #expect(Self.files.count >= 7, "\(Self.files)")
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let read = try await runPython(try folder.write("read.py", """
            import json, sys, xlrd
            out = {}
            for path in sys.argv[1:]:
                book = xlrd.open_workbook(path)
                sheet = book.sheet_by_index(0)
                rows = []
                for r in range(sheet.nrows):
                    cells = []
                    for c in sheet.row(r):
                        if c.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK): cells.append("t:")
                        elif c.ctype == xlrd.XL_CELL_TEXT: cells.append("t:" + c.value)
                        elif c.ctype == xlrd.XL_CELL_NUMBER: cells.append("n:" + repr(float(c.value)))
                        elif c.ctype == xlrd.XL_CELL_BOOLEAN: cells.append("t:" + ("TRUE" if c.value else "FALSE"))
                        elif c.ctype == xlrd.XL_CELL_ERROR: cells.append("t:" + xlrd.error_text_from_code[c.value])
                        elif c.ctype == xlrd.XL_CELL_DATE:
                            y, m, d, hh, mm, ss = xlrd.xldate_as_tuple(c.value, book.datemode)
                            text = "d:%04d-%02d-%02d" % (y, m, d)
                            if (hh, mm, ss) != (0, 0, 0): text += " %02d:%02d:%02d" % (hh, mm, ss)
                            cells.append(text)
                    while cells and cells[-1] == "t:": cells.pop()
                    rows.append(cells)
                while rows and not rows[-1]: rows.pop()
                out[path] = rows
            print(json.dumps({"files": out}))
            """), Self.files)
        let theirs = try #require(read["files"] as? [String: [[String]]])
        for path in Self.files {
            var ours: [[String]] = []
            try XLSRowReader(path: path).forEachRow { row in
                while ours.count < row.row - 1 { ours.append([]) }
                ours.append(row.cells.map(Self.key))
            }
            while ours.last?.isEmpty == true { ours.removeLast() }
            let expected = try #require(theirs[path], "\(path)")
            #expect(ours.count == expected.count, "\(path): \(ours.count) rows, xlrd \(expected.count)")
            for (index, (mine, xlrd)) in zip(ours, expected).enumerated() where mine != xlrd {
                Issue.record("\((path as NSString).lastPathComponent) row \(index + 1): ours \(mine), xlrd \(xlrd)")
            }
        }
    }

    /// What LibreOffice's workbook holds, by name: formulas as their values, dates and a time, the
    /// 1904 system, CJK and accents, an error, a boolean, the shared strings past one record.
    @Test func libreOfficesWorkbookIsReadAsItWasTyped() throws {
        var rows: [Int: [RevenueCell]] = [:]
        try XLSRowReader(path: packageRoot.appendingPathComponent("Tests/RevenueReportTests/Fixtures/finance/xls-cases.xls").path).forEachRow { rows[$0.row] = $0.cells }
        #expect(rows[2]?.map(\.shown) == ["Société Générale", "1200", "2026-01-01", "2026-12-31", "ARR", "accents éèà"])
        #expect(rows[3]?.map(\.shown) == ["東京商事", "1190", "2026-03-01", "2026-03-31", "Other", "CJK 東京"])
        #expect(rows[4]?[2] == .dateTime(CivilDate("2026-02-15")!, time: "09:30:00"))
        #expect(rows[5]?.last == .text("TRUE"))
        #expect(rows[6] == [])
        #expect(rows[7]?.last == .text("#DIV/0!"))
        #expect(rows[307]?.first == .text("Account 0300 with a long enough name"))
        var workbook1904: [RevenueCell] = []
        try XLSRowReader(path: packageRoot.appendingPathComponent("Tests/RevenueReportTests/Fixtures/finance/xls-1904.xls").path).forEachRow {
            if $0.row == 2 { workbook1904 = $0.cells }
        }
        #expect(workbook1904[2] == .dateTime(CivilDate("2026-01-01")!, time: "09:30:00") && workbook1904[3] == .date(CivilDate("2026-12-31")!))
    }

    /// Damaged containers: each a clear `UnreadableFile`, never a trap or a hang.
    @Test func aDamagedContainerIsAClearProblem() throws {
        let good = try [UInt8](Data(contentsOf: packageRoot.appendingPathComponent("examples/revenue-files/clean.xls")))
        func reason(_ bytes: [UInt8]) -> String? {
            do {
                let container = try CompoundFile(bytes)
                guard let stream = try container.stream(named: "Workbook", limit: 64 << 20) else { return "no Workbook" }
                try BIFF8Workbook(stream).forEachRow { _ in }
                return nil
            } catch let unreadable as UnreadableFile {
                return unreadable.reason
            } catch {
                return "\(error)"
            }
        }
        #expect(reason(good) == nil)
        // Cut short: the FAT or a stream's sector lies past the end.
        #expect(reason(Array(good.prefix(good.count / 2))) != nil)
        // A FAT chain that loops: every FAT entry points at sector 0.
        var looping = good
        let fatSector = Int(UInt32(good[0x4C]) | UInt32(good[0x4D]) << 8 | UInt32(good[0x4E]) << 16 | UInt32(good[0x4F]) << 24)
        let fatStart = (fatSector + 1) * 512
        for index in stride(from: fatStart, to: fatStart + 512, by: 4) { looping[index] = 0; looping[index + 1] = 0; looping[index + 2] = 0; looping[index + 3] = 0 }
        #expect(reason(looping) != nil)
        // A header naming sectors of another size.
        var sectors = good
        sectors[0x1E] = 20
        #expect(reason(sectors)?.contains("sectors of 2^20 bytes") == true)
        // Not a compound file at all.
        #expect(reason(Array("account name,revenue amount\n".utf8)) != nil)
        // A record longer than its stream, and a string longer than its record.
        #expect(throws: UnreadableFile.self) { try BIFF8Workbook([0x09, 0x08, 0x10, 0x00, 0x00, 0x06]) }
        var piece = BIFF8Workbook.Piece(type: 0x0204, data: [0x05, 0x00, 0x00, 0x41, 0x42][...], breaks: [])
        var reader = BoundedBytes(piece.data, what: "a LABEL")
        #expect(throws: UnreadableFile.self) { try BIFF8Workbook.unicodeString(&reader, piece: piece, lengthBytes: 2) }
        // Across a CONTINUE: 8-bit, then 16-bit after the new option byte.
        piece = BIFF8Workbook.Piece(type: 0x00FC, data: [0x03, 0x00, 0x00, 0x41, 0x42, 0x01, 0x71, 0x67][...], breaks: [5])
        reader = BoundedBytes(piece.data, what: "an SST")
        #expect(try BIFF8Workbook.unicodeString(&reader, piece: piece, lengthBytes: 2) == "AB東")
    }

    @Test func rkNumbersAreReadAsExcelWritesThem() {
        #expect(BIFF8Workbook.rk(0x0000_0002 | (1200 << 2)) == 1200)
        #expect(BIFF8Workbook.rk(0x0000_0003 | (123_456 << 2)) == 1234.56)
        #expect(BIFF8Workbook.rk(UInt32(bitPattern: Int32(-50) << 2) | 0x02) == -50)
        #expect(BIFF8Workbook.rk(0x3FF0_0000) == 1.0)  // the top 30 bits of 1.0 as a double
    }
}
