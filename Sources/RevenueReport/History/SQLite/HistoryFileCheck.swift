import Foundation

/// Looks at a history file's first 100 bytes (the SQLite header) before anything opens it, so
/// that a file that is not a history (a text file, another program's database, a truncated copy,
/// a newer schema) is refused without one byte of it changing: SQLite itself would switch a
/// foreign database to WAL mode just by being opened by us.
enum HistoryFileCheck {
    enum State: Equatable {
        /// No file yet: it (and its folder) will be made.
        case missing
        /// An SQLite file with nothing in it yet (empty, or made by a first run killed at once).
        case blank
        /// A history this version reads.
        case history
    }

    /// `PRAGMA application_id` of every history: "CGRv".
    static let applicationID: UInt32 = 0x4347_5276

    static func check(_ url: URL, option: String = "--history") throws -> State {
        let path = url.path, shown = url.relativePath
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return .missing }
        func refuse(_ why: String) -> ReportError {
            .usage("\(option) \(shown): \(why); the file was not changed")
        }
        if isFolder.boolValue { throw ReportError.usage("\(option) \(shown): is a folder, not a file") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ReportError.usage("\(option) \(shown): cannot be read: \(FileProblem.describe(path: path))")
        }
        defer { try? handle.close() }
        let header = [UInt8]((try? handle.read(upToCount: 100)) ?? Data())
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? header.count
        if size == 0 { return .blank }
        guard header.count == 100, header.starts(with: Array("SQLite format 3\0".utf8)) else {
            throw refuse("not a cg-revenue history (not an SQLite database at all)")
        }
        func number(at offset: Int, bytes: Int = 4) -> UInt32 {
            header[offset ..< offset + bytes].reduce(0) { $0 << 8 | UInt32($1) }
        }
        let pageSize = number(at: 16, bytes: 2) == 1 ? 65_536 : Int(number(at: 16, bytes: 2))
        let pageCount = Int(number(at: 28))
        // The page count in the header is to be trusted when written by the same change as the counter at 24.
        if number(at: 92) == number(at: 24), pageCount > 0, size < pageCount * pageSize {
            throw refuse("truncated or damaged: \(size) bytes, where its header says \(pageCount * pageSize)")
        }
        let application = number(at: 68), schemaCookie = number(at: 40), version = number(at: 60)
        if application != applicationID {
            if application == 0, schemaCookie == 0 { return .blank }
            throw refuse(application == 0
                ? "not a cg-revenue history (another program's SQLite database)"
                : "not a cg-revenue history (an SQLite database of another program, application id 0x\(String(application, radix: 16)))")
        }
        if version > HistorySchema.version {
            throw refuse("written by a newer cg-revenue (history schema \(version); this one knows up to \(HistorySchema.version)): use that version, or another --history file")
        }
        return .history
    }
}
