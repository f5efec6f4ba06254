import Foundation
import Logging
import RevenueReport
import CustomerGaugeSandbox

/// A fresh folder under the system temp folder, removed by `cleanUp()`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("cg-revenue-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> URL { url.appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let file = path(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file
    }

    func read(_ name: String) throws -> String {
        try String(contentsOf: path(name), encoding: .utf8)
    }

    func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: path(name).path)
    }

    /// Every file name in the folder (hidden ones too), sorted.
    func listing(_ name: String = "") throws -> [String] {
        let folder = name.isEmpty ? url : path(name)
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: url)
    }
}

let quietLogger: Logger = {
    var logger = Logger(label: "tests", factory: { _ in SwiftLogNoOpLogHandler() })
    logger.logLevel = .critical
    return logger
}()

/// Runs the pipeline in-process on a replay folder and returns the bytes of each output.
func runReplay(_ folder: URL, filter: RecordFilter = RecordFilter(), zone: SourceZone = .utc, outputs: [OutputKind] = [.csv, .ndjson, .html],
               csvRaw: Bool = false, skipInvalid: Bool = false, sortRunBytes: Int = ExternalSorter.defaultRunBytes,
               out: URL) async throws -> [OutputKind: String] {
    let configuration = ReportConfiguration(filter: filter, sourceZone: zone, outputs: outputs, outDirectory: out, stem: "report",
                                            csvRaw: csvRaw, skipInvalid: skipInvalid)
    _ = try await Pipeline.run(source: ReplaySource(directory: folder), configuration: configuration, logger: quietLogger,
                               sortRunBytes: sortRunBytes)
    var result: [OutputKind: String] = [:]
    for kind in outputs {
        result[kind] = try String(contentsOf: out.appendingPathComponent("report.\(kind.fileExtension)"), encoding: .utf8)
    }
    return result
}

/// Parses a page's text the way the pipeline does.
func parsePage(_ text: String, format: WireFormat, origin: String = "page") throws -> ParsedPage {
    try PageParser.parse(RawPage(origin: origin, format: format, bytes: Data(text.utf8)))
}

/// A record in the documented JSON form, with overridable fields.
func recordJSON(id: String = "123", status: String = "Processed", filename: String = "RevenueUploadTemplate_5May2019.xlsx",
                date: String = "2019-05-15 11:35:54", total: String = "3", successful: String = "3", unsuccessful: String = "0",
                logs: String = "[]") -> String {
    func quoted(_ text: String) -> String {
        var out = ""
        JSONValue.writeString(text, to: &out)
        return out
    }
    return """
        {"id":\(quoted(id)),"status":\(quoted(status)),"source_filename":\(quoted(filename)),"date_upload":\(quoted(date)),\
        "total_records":\(quoted(total)),"successful_records":\(quoted(successful)),"unsuccessful_records":\(quoted(unsuccessful)),"logs":\(logs)}
        """
}

/// What running the built `cg-revenue` binary gave.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The package's root folder, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `cg-revenue` binary built beside the test bundle.
func cgRevenueBinary() throws -> URL {
    var candidates: [URL] = []
    if let runner = CommandLine.arguments.first {
        var folder = URL(fileURLWithPath: runner).deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(folder.appendingPathComponent("cg-revenue"))
            folder = folder.deletingLastPathComponent()
        }
    }
    candidates.append(Bundle.main.bundleURL.appendingPathComponent("cg-revenue"))
    candidates.append(packageRoot.appendingPathComponent(".build/debug/cg-revenue"))
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "cg-revenue binary; looked in \(candidates.map(\.path))"])
    }
    return found
}

/// Runs `cg-revenue` with `arguments` in `directory`, with only the given environment.
///
/// The waiting happens on threads of its own (`RunningCLI`): blocking Swift's cooperative pool
/// (2 threads on these machines) would starve an in-process sandbox that the child is talking to.
func runCLI(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) async throws -> CommandResult {
    try await RunningCLI(arguments, in: directory, environment: environment).finish()
}

/// `cg-revenue` started and left running, its stderr read as it comes, so that a test can act
/// when the child has said something (never after a fixed sleep, which races on a busy machine).
final class RunningCLI: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var said = Data()
    private var output = Data()
    private let drained = DispatchGroup()
    /// Signalled when the child ends: waited for without spinning (Foundation's `waitUntilExit`
    /// on Linux polls a run loop, a busy loop on a thread that has none).
    private let ended = DispatchSemaphore(value: 0)

    init(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws {
        process.executableURL = try cgRevenueBinary()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.terminationHandler = { [ended] _ in ended.signal() }
        try process.run()
        drained.enter()
        Thread.detachNewThread { [self] in
            while case let chunk = stderr.fileHandleForReading.availableData, !chunk.isEmpty {
                lock.withLock { said.append(chunk) }
            }
            drained.leave()
        }
        drained.enter()
        Thread.detachNewThread { [self] in
            let all = stdout.fileHandleForReading.readDataToEndOfFile()
            lock.withLock { output = all }
            drained.leave()
        }
    }

    var stderr: String { lock.withLock { String(decoding: said, as: UTF8.self) } }

    /// Sends the child a signal (SIGINT: Ctrl-C).
    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits until stderr holds `text` (true), or the child has ended or `ceiling` seconds passed (false).
    func waitForStderr(containing text: String, ceiling: TimeInterval = 120) async throws -> Bool {
        let deadline = Date().addingTimeInterval(ceiling)
        while Date() < deadline {
            if stderr.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        return false
    }

    /// Waits for the child to end and returns what it said.
    func finish() async -> CommandResult {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { [self] in
                ended.wait()
                drained.wait()
                continuation.resume(returning: CommandResult(status: process.terminationStatus, stdout: lock.withLock { String(decoding: output, as: UTF8.self) },
                                                             stderr: stderr))
            }
        }
    }
}

/// Runs `cg-revenue` with files limited to `blocks` of 512 bytes (`ulimit -f`, with SIGXFSZ
/// ignored so that a write past it fails as on a full disk), and returns its status and stderr.
func runCLIWithFileSizeLimit(blocks: Int, _ arguments: [String], in directory: URL,
                             environment: [String: String] = [:]) async throws -> (status: Int32, stderr: String) {
    let run = try await runTool("/bin/sh", ["-c", "trap '' XFSZ; ulimit -f \(blocks); exec \"$0\" \"$@\"", try cgRevenueBinary().path] + arguments,
                                in: directory, environment: environment)
    return (run.status, String(decoding: run.stderr, as: UTF8.self))
}


/// Addresses written as text in tests, read the way the settings read them.
extension MailAddress: ExpressibleByStringLiteral {
    public init(stringLiteral text: String) {
        self = try! MailAddress.parse(text)
    }
}

/// What an outside tool run by a test (python3, sqlite3, promtool, Chromium, a shell) printed and how it ended.
struct ToolRun: Sendable {
    var status: Int32
    var stdout: Data
    var stderr: Data
    var output: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs an outside tool to its end, `input` on its stdin. Waits on threads of its own, never on
/// Swift's cooperative pool (2 threads here, which the tests' loopback servers and sandboxes
/// need), and not with Foundation's `waitUntilExit` (on Linux it polls a run loop): the child's
/// end is a semaphore its termination handler signals, and its two outputs are read to their ends
/// on threads of their own while its input is written (a child that fills one pipe while we wait on
/// another would never end).
func runTool(_ executable: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil,
             input: Data? = nil) async throws -> ToolRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    if let environment { process.environment = environment }
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    if input != nil { process.standardInput = stdin }
    process.standardOutput = stdout
    process.standardError = stderr
    let ended = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in ended.signal() }
    try process.run()
    let child = UncheckedProcess(process: process)
    return await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            let printed = Thread.detachedReadToEnd(stdout.fileHandleForReading)
            let errors = Thread.detachedReadToEnd(stderr.fileHandleForReading)
            if let input {
                stdin.fileHandleForWriting.write(input)
                try? stdin.fileHandleForWriting.close()
            }
            ended.wait()
            continuation.resume(returning: ToolRun(status: child.process.terminationStatus, stdout: printed.wait(), stderr: errors.wait()))
        }
    }
}

/// A `Process` handed to the thread that waits for it (Foundation's `Process` is not Sendable).
private struct UncheckedProcess: @unchecked Sendable {
    let process: Process
}

extension Thread {
    /// Reads `handle` to its end on a thread of its own; `wait()` gives what it read.
    fileprivate static func detachedReadToEnd(_ handle: FileHandle) -> DetachedRead {
        let read = DetachedRead()
        let box = UncheckedHandle(handle: handle)
        Thread.detachNewThread {
            read.data = box.handle.readDataToEndOfFile()
            read.done.signal()
        }
        return read
    }
}

private struct UncheckedHandle: @unchecked Sendable {
    let handle: FileHandle
}

private final class DetachedRead: @unchecked Sendable {  // `data` is written before `done` is signalled, read after
    var data = Data()
    let done = DispatchSemaphore(value: 0)
    func wait() -> Data {
        done.wait()
        return data
    }
}
