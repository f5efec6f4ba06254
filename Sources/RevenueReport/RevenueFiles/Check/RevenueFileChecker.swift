import Foundation

/// `cg-revenue check`: reads a revenue file as CustomerGauge will (`Read/`) and says every row it
/// would reject (`RevenueRules`), one row at a time; with `--split`, writes the records in parts
/// CustomerGauge takes (`RevenueFileSplitter`).
public enum RevenueFileChecker {
    /// One record as checked: its row, its six cells (the `problem` column dropped) and whether
    /// the rules found a problem in it. What `upload` builds the file it sends from.
    public typealias CheckedRecord = (row: Int, cells: [RevenueCell], hasProblem: Bool)

    /// Checks one file. Throws (exit 2) only when the file is not there or cannot be read at
    /// all; a file that is not what its extension says is a `file-type` problem. `onRecord` sees
    /// each record once checked, in file order. `allowOverLimits` (as with `--split`): the record
    /// count and size are not problems (the records will go in parts).
    public static func check(_ path: String, splitInto folder: URL? = nil, allowOverLimits: Bool = false,
                             onRecord: ((CheckedRecord) throws -> Void)? = nil) throws -> FileCheck {
        var result = FileCheck(file: path, format: RevenueFileFormat(path: path))
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw ReportError.usage("\(path): no such file") }
        if isFolder.boolValue { throw ReportError.usage("\(path): is a folder, not a revenue file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ReportError.usage("\(path): cannot be read: \(FileProblem.describe(path: path))") }
        let head = [UInt8]((try? handle.read(upToCount: 64)) ?? Data())
        try? handle.close()
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0

        guard let format = result.format else {
            let ext = (path as NSString).pathExtension
            result.problems.append(Finding(rule: RevenueRules.Rule.fileType, row: nil, column: nil, value: nil,
                                           message: "\(ext.isEmpty ? "a file without an extension" : ".\(ext)") is not a revenue file: CustomerGauge takes CSV, XLS, XLSX or XML"))
            return result
        }
        if let mismatch = contentMismatch(format, head: head, size: size) {
            result.problems.append(Finding(rule: RevenueRules.Rule.fileType, row: nil, column: nil, value: nil, message: mismatch))
            return result
        }
        let splitting = folder != nil || allowOverLimits
        if size > RevenueRules.maxBytes, !splitting {
            result.problems.append(Finding(rule: RevenueRules.Rule.fileSize, row: nil, column: nil, value: nil,
                                           message: "\(size) bytes: CustomerGauge takes at most \(RevenueRules.maxBytes) bytes a file (--split makes parts it takes)"))
        }
        let reader: any RevenueRowReader = switch format {
        case .csv: CSVRowReader(path: path)
        case .xml: XMLRowReader(path: path)
        case .xlsx: XLSXRowReader(path: path)
        case .xls: XLSRowReader(path: path)
        }
        result.header = false
        var rules = RevenueRules()
        var problems: [Finding] = [], warnings: [Finding] = []
        var first = true
        var layout: HeaderLayout?
        var splitter = try folder.map { try RevenueFileSplitter(folder: $0, stem: ((path as NSString).lastPathComponent as NSString).deletingPathExtension) }
        do {
            try reader.forEachRow { row in
                defer { first = false }
                guard !row.cells.isEmpty else { return }  // a blank row: counted, not a record
                if first, !reader.impliesHeader {
                    switch HeaderLayout.read(row) {
                    case .record:
                        break
                    case .header(let found):
                        result.header = true
                        result.problemColumn = found.problemColumn != nil
                        result.reordered = !found.isCustomerGaugeLayout
                        layout = found
                        warnings += found.warnings(row: row.row)
                        return
                    case .unusable(let reason):
                        result.header = true
                        problems.append(Finding(rule: RevenueRules.Rule.columns, row: row.row, column: nil, value: nil, message: reason))
                        return
                    }
                }
                let (cells, count) = layout.map { $0.fields(of: row.cells) } ?? HeaderLayout.fieldsByPosition(row.cells)
                result.records += 1
                let problemsBefore = problems.count
                rules.check(row.row, cells, count: count, problems: &problems, warnings: &warnings)
                try splitter?.add(cells, row: row.row)
                try onRecord?((row.row, cells, problems.count > problemsBefore))
            }
        } catch let unreadable as UnreadableFile {
            splitter?.discard()
            var reason = unreadable.reason
            if let row = unreadable.row, reason.hasPrefix("row \(row): ") { reason.removeFirst("row \(row): ".count) }
            result.problems = problems + [Finding(rule: RevenueRules.Rule.fileType, row: unreadable.row, column: nil, value: nil,
                                                  message: "cannot be read as \(format.rawValue.uppercased()): \(reason)")]
            result.warnings = warnings
            return result
        } catch {
            splitter?.discard()
            throw error
        }
        if result.records == 0 {
            problems.append(Finding(rule: RevenueRules.Rule.noRecords, row: nil, column: nil, value: nil, message: "not one record\(result.header ? " behind the header" : "")"))
        } else if result.records > RevenueRules.maxRecords, !splitting {
            problems.append(Finding(rule: RevenueRules.Rule.recordCount, row: nil, column: nil, value: nil,
                                    message: "\(result.records) records: CustomerGauge takes at most \(RevenueRules.maxRecords) a file (--split makes parts it takes)"))
        }
        result.problems = result.problems + problems
        result.warnings = warnings
        if var splitter { result.parts = try splitter.finish() }
        return result
    }

    /// Why the first bytes say the file is not what its extension says; nil when they agree.
    static func contentMismatch(_ format: RevenueFileFormat, head: [UInt8], size: Int) -> String? {
        let zip = head.starts(with: [0x50, 0x4B, 0x03, 0x04])
        let ole = head.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
        var text = head[...]
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }
        let firstVisible = text.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        let looksXML = firstVisible == UInt8(ascii: "<")
        let looksJSON = firstVisible == UInt8(ascii: "{") || firstVisible == UInt8(ascii: "[")
        func kind() -> String {
            zip ? "a zip archive (XLSX?)" : ole ? "an Excel 97-2003 workbook (XLS?)" : looksXML ? "XML" : looksJSON ? "JSON" : "text"
        }
        switch format {
        case .xlsx: return zip ? nil : size == 0 ? "the file is empty: not an XLSX workbook" : "not an XLSX workbook: its content is \(kind())"
        case .xls: return ole ? nil : size == 0 ? "the file is empty: not an XLS workbook" : "not an XLS workbook: its content is \(kind())"
        case .xml: return looksXML ? nil : size == 0 ? "the file is empty: not XML" : "not XML: its content is \(kind())"
        case .csv:
            if zip || ole { return "not a CSV file: its content is \(kind())" }
            if looksJSON { return "not a CSV file: its content is JSON (CustomerGauge does not take JSON)" }
            return nil
        }
    }
}

/// `--split DIR`: the records in parts of at most 1,000 records and 2,000,000 bytes,
/// `DIR/STEM.part-K-of-N.csv` (`RevenueCSVParts`), in file order. Parts are written as temporary
/// files and named once N is known.
struct RevenueFileSplitter {
    let folder: URL
    let stem: String
    private var parts = RevenueCSVParts()
    private var written: [URL] = []

    init(folder: URL, stem: String) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ReportError.usage("--split \(folder.relativePath): cannot make the folder: \(FileProblem.describeFolder(path: folder.path))")
        }
        self.folder = folder
        self.stem = stem
    }

    mutating func add(_ cells: [RevenueCell], row: Int) throws {
        if let part = parts.add(cells, row: row) { try write(part) }
    }

    private mutating func write(_ part: RevenueCSVParts.Part) throws {
        let temporary = folder.appendingPathComponent(".\(stem).part-\(written.count + 1).\(UUID().uuidString).tmp")
        do {
            try part.bytes.write(to: temporary)
        } catch {
            throw ReportError.io("--split: cannot write \(temporary.path): \(error.localizedDescription)")
        }
        written.append(temporary)
    }

    /// Names the parts `STEM.part-K-of-N.csv` and returns their paths.
    mutating func finish() throws -> [String] {
        if let part = parts.finish() { try write(part) }
        var names: [String] = []
        for (index, temporary) in written.enumerated() {
            let final = folder.appendingPathComponent("\(stem).part-\(index + 1)-of-\(written.count).csv")
            _ = try? FileManager.default.removeItem(at: final)
            do {
                try FileManager.default.moveItem(at: temporary, to: final)
            } catch {
                throw ReportError.io("--split: cannot name \(final.path): \(error.localizedDescription)")
            }
            names.append(final.path)
        }
        written = []
        return names
    }

    func discard() {
        for temporary in written { try? FileManager.default.removeItem(at: temporary) }
    }
}
