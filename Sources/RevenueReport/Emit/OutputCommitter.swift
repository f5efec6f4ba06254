import Foundation

/// A file the run wrote, for logs and the manifest.
public struct WrittenOutput: Sendable, Equatable {
    public var path: String
    public var size: Int
}

/// Writes a run's outputs all or nothing: every file first goes to a temporary file in the
/// output folder; only when all are written are they renamed into place. A failure before that
/// removes the temporaries and leaves the outputs of an earlier run as they were.
public struct OutputCommitter: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public func commit(_ files: [(name: String, bytes: [UInt8])]) throws -> [WrittenOutput] {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportError.io("--out \(directory.path): cannot create the folder: \(error.localizedDescription)")
        }
        var staged: [(temporary: URL, final: URL, size: Int)] = []
        let token = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            for file in files {
                let final = directory.appendingPathComponent(file.name)
                let temporary = directory.appendingPathComponent(".\(file.name).\(token).tmp")
                staged.append((temporary, final, file.bytes.count))
                TemporaryFiles.shared.add(temporary.path)
                try write(file.bytes, to: temporary)
            }
            for file in staged {
                guard rename(file.temporary.path, file.final.path) == 0 else {
                    throw ReportError.io("\(file.final.path): cannot move the new file into place: \(String(cString: strerror(errno)))")
                }
            }
        } catch {
            for file in staged { unlink(file.temporary.path) }
            TemporaryFiles.shared.remove(staged.map(\.temporary.path))
            throw error
        }
        TemporaryFiles.shared.remove(staged.map(\.temporary.path))
        return staged.map { WrittenOutput(path: $0.final.path, size: $0.size) }
    }

    /// Creates `url` exclusively and writes all of `bytes`, flushed to disk.
    private func write(_ bytes: [UInt8], to url: URL) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ReportError.io("\(directory.path): cannot write in the output folder: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var written = 0
        try bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let result = Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw ReportError.io("\(url.path): write failed: \(String(cString: strerror(errno)))")
                }
                written += result
            }
        }
        guard fsync(descriptor) == 0 else {
            throw ReportError.io("\(url.path): write failed: \(String(cString: strerror(errno)))")
        }
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
