import Crypto
import Foundation

/// A file the run wrote, for logs and the manifest.
public struct WrittenOutput: Sendable, Equatable {
    public var path: String
    public var size: Int
}

/// Writes a run's outputs all or nothing: each file goes to a temporary file in the output
/// folder as soon as it is rendered (so only one output is in memory at a time); only when all
/// are written are they renamed into place. A failure before that removes the temporaries and
/// leaves the outputs of an earlier run as they were.
public final class OutputCommitter {
    public let directory: URL
    private let token = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    /// `final` nil: a scratch file (an intermediate of an output), removed at the commit.
    private var staged: [(temporary: URL, final: URL?, file: StagedFile)] = []

    /// A file written to its temporary name, with what the manifest records of it.
    public struct StagedFile: Sendable {
        public var name: String
        public var size: Int
        public var sha256: String
    }

    public init(directory: URL) {
        self.directory = directory
    }

    /// Writes `bytes` to a temporary file beside where `name` will go.
    @discardableResult
    public func stage(name: String, bytes: [UInt8]) throws -> StagedFile {
        try stage(name: name) { sink in sink.buffer = bytes }
    }

    /// Lets `produce` write into a sink over a temporary file beside where `name` will go.
    @discardableResult
    public func stage(name: String, _ produce: (OutputSink) throws -> Void) throws -> StagedFile {
        let sink = try open(name: name)
        try produce(sink)
        return try close(sink)
    }

    /// A sink over a new temporary file beside where `name` will go, for a writer that fills
    /// several outputs at once; `close` it when done. `keepCopy`: also keep every byte in
    /// memory (`keptBytes`), for an output the email carries too.
    public func open(name: String, keepCopy: Bool = false, scratch: Bool = false) throws -> OutputSink {
        let temporary = try reserve(name: name, scratch: scratch)
        let descriptor = Foundation.open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ReportError.io("\(directory.path): cannot write in the output folder: \(String(cString: strerror(errno)))")
        }
        return OutputSink(descriptor: descriptor, path: temporary.path, keepCopy: keepCopy)
    }

    /// For a writer that makes its file itself (libxlsxwriter): `produce` writes the file at the
    /// temporary path it is given; its size and sha256 are then read back.
    @discardableResult
    public func stageFile(name: String, scratch: Bool = false, _ produce: (String) throws -> Void) throws -> StagedFile {
        let temporary = try reserve(name: name, scratch: scratch)
        try produce(temporary.path)
        guard let handle = FileHandle(forReadingAtPath: temporary.path) else {
            throw ReportError.io("\(temporary.path): the writer left no file")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += chunk.count
        }
        let position = staged.firstIndex { $0.temporary == temporary }!
        staged[position].file = StagedFile(name: name, size: size, sha256: hexString(hasher.finalize()))
        return staged[position].file
    }

    /// The bytes of a staged file (an attachment of the email made by a writer of files).
    func stagedBytes(name: String) throws -> [UInt8] {
        guard let entry = staged.last(where: { $0.file.name == name }) else { preconditionFailure("\(name) is not staged") }
        do { return [UInt8](try Data(contentsOf: entry.temporary)) } catch {
            throw ReportError.io("\(entry.temporary.path): cannot read back: \(error.localizedDescription)")
        }
    }

    /// Where a temporary file for `name` goes (registered for removal should the run stop).
    private func reserve(name: String, scratch: Bool) throws -> URL {
        if staged.isEmpty {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw ReportError.io("--out \(directory.path): cannot create the folder: \(FileProblem.describeFolder(path: directory.path))")
            }
        }
        let temporary = directory.appendingPathComponent(".\(name).\(token).tmp")
        TemporaryFiles.shared.add(temporary.path)
        staged.append((temporary, scratch ? nil : directory.appendingPathComponent(name), StagedFile(name: name, size: 0, sha256: "")))
        return temporary
    }

    /// Writes out what `sink` still buffers, syncs and closes its file, and says what it holds.
    public func close(_ sink: OutputSink) throws -> StagedFile {
        let (size, sha256) = try sink.finish()
        guard let position = staged.firstIndex(where: { $0.temporary.path == sink.path }) else {
            preconditionFailure("\(sink.path) was not opened by this committer")
        }
        let file = StagedFile(name: staged[position].file.name, size: size, sha256: sha256)
        staged[position].file = file
        return file
    }

    /// Renames every staged file into place, in the order staged.
    public func commit() throws -> [WrittenOutput] {
        for entry in staged {
            guard let final = entry.final else { continue }
            guard rename(entry.temporary.path, final.path) == 0 else {
                throw ReportError.io("\(final.path): cannot move the new file into place: \(String(cString: strerror(errno)))")
            }
        }
        for entry in staged where entry.final == nil { unlink(entry.temporary.path) }
        TemporaryFiles.shared.remove(staged.map(\.temporary.path))
        defer { staged.removeAll() }
        return staged.compactMap { entry in entry.final.map { WrittenOutput(path: $0.path, size: entry.file.size) } }
    }

    /// Removes every temporary file not yet committed.
    public func discard() {
        for entry in staged { unlink(entry.temporary.path) }
        TemporaryFiles.shared.remove(staged.map(\.temporary.path))
        staged.removeAll()
    }
}

/// The temporary files being written right now, so that an interrupted run (SIGINT, SIGTERM)
/// can remove them before it exits.
public final class TemporaryFiles: @unchecked Sendable {
    public static let shared = TemporaryFiles()
    private let lock = NSLock()
    private var paths = Set<String>()

    func add(_ path: String) {
        lock.withLock { _ = paths.insert(path) }
    }

    func remove(_ done: [String]) {
        lock.withLock { paths.subtract(done) }
    }

    /// Deletes every temporary file still registered.
    public func removeAll() {
        lock.withLock {
            for path in paths { unlink(path) }
            paths.removeAll()
        }
    }
}
