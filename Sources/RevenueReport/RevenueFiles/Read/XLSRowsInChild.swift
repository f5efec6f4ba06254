import Foundation

/// An XLS file read by `cg-revenue read-xls-rows FILE` in a child process, its rows coming back
/// as JSON lines: libfreexl's crashes on damaged workbooks end the child, not the command.
struct XLSRowsInChild {
    let helper: String
    let path: String

    /// The binary that runs the child: this process's own executable when it is `cg-revenue`; nil
    /// elsewhere (in the tests and the fuzz targets, libfreexl then runs in the process itself).
    static var helper: String? {
        guard let own = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              (own as NSString).lastPathComponent == "cg-revenue" else { return nil }
        return own
    }

    func forEachRow(_ body: (RevenueRow) throws -> Void) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: helper)
        process.arguments = ["read-xls-rows", path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        do {
            try process.run()
        } catch {
            throw UnreadableFile("libfreexl's reader could not be started (\(helper): \(error.localizedDescription))")
        }
        let lines = output.fileHandleForReading.readDataToEndOfFile()
        ended.wait()
        var finished = false
        for line in lines.split(separator: UInt8(ascii: "\n")) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
            if let reason = object["unreadable"] as? String { throw UnreadableFile(reason) }
            if object["end"] != nil { finished = true; break }
            guard let row = object["row"] as? Int, let cells = object["cells"] as? [[Any]] else { continue }
            try body(RevenueRow(row: row, cells: cells.map(Self.cell)))
        }
        guard finished, process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = process.terminationReason == .uncaughtSignal ? "crashed (signal \(process.terminationStatus))" : "stopped (exit \(process.terminationStatus))"
            throw UnreadableFile("libfreexl \(how) reading it: a damaged workbook")
        }
    }

    /// What the child prints for `path`: a line a row, then `{"end": true}`, or `{"unreadable": REASON}`.
    static func printRows(of path: String) {
        func emit(_ object: [String: Any]) {
            guard var line = try? JSONSerialization.data(withJSONObject: object) else { return }
            line.append(UInt8(ascii: "\n"))
            FileHandle.standardOutput.write(line)
        }
        do {
            try XLSRowReader(path: path).readInThisProcess { row in
                emit(["row": row.row, "cells": row.cells.map(Self.encode)])
            }
            emit(["end": true])
        } catch let unreadable as UnreadableFile {
            emit(["unreadable": unreadable.reason])
        } catch {
            emit(["unreadable": "\(error)"])
        }
    }

    private static func encode(_ cell: RevenueCell) -> [Any] {
        switch cell {
        case .text(let text): ["t", text]
        case .number(let value): value.isFinite ? ["n", value] : ["t", String(value)]  // JSON has no NaN or infinity
        case .date(let date): ["d", date.description]
        case .dateTime(let date, let time): ["d", "\(date) \(time)"]
        }
    }

    private static func cell(_ encoded: [Any]) -> RevenueCell {
        switch encoded.first as? String {
        case "n": .number((encoded.last as? NSNumber)?.doubleValue ?? 0)
        case "d": XLSRowReader.dateCell(encoded.last as? String ?? "")
        default: .text(encoded.last as? String ?? "")
        }
    }
}

/// The child's side, for `cg-revenue read-xls-rows` (not a command people run).
public enum XLSRowsChild {
    public static func run(path: String) { XLSRowsInChild.printRows(of: path) }
}
