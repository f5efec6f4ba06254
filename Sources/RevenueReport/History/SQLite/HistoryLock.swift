import Foundation
import Logging

/// One run at a time per history: an exclusive `flock` on `FILE.lock` beside it, which holds the
/// holder's pid. The kernel lets go of it when the holder exits, however (`kill -9` included), so
/// a lock is never left stale. Not on the database file itself: a second descriptor on it would
/// drop SQLite's own POSIX locks when closed.
final class HistoryLock: @unchecked Sendable {
    private let descriptor: Int32
    let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    static func lockPath(for file: URL) -> String { file.path + ".lock" }

    /// Takes the lock, waiting up to `wait` seconds for another run to let go of it.
    static func acquire(for file: URL, wait: TimeInterval, logger: Logger) throws -> HistoryLock {
        let path = lockPath(for: file)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ReportError.usage("--history \(file.relativePath): cannot make its lock file \(path): \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(wait)
        var saidSo = false
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw ReportError.io("--history \(file.relativePath): cannot lock \(path): \(reason)")
            }
            let holder = Self.holder(descriptor)
            if Date() >= deadline {
                close(descriptor)
                throw ReportError.io("--history \(file.relativePath): another run (pid \(holder)) still holds it after \(Int(wait)) s; not waiting longer")
            }
            if !saidSo {
                logger.notice("--history \(file.relativePath): in use by another run (pid \(holder)); waiting up to \(Int(wait)) s")
                saidSo = true
            }
            usleep(100_000)
        }
        let text = Array("\(getpid())\n".utf8)
        ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return HistoryLock(descriptor: descriptor, path: path)
    }

    /// Is some run holding the lock of `file` now? (`history runs` shows a `running` run whose
    /// lock is free as `interrupted`.)
    static func isHeld(for file: URL) -> Bool {
        let descriptor = open(lockPath(for: file), O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        return true
    }

    /// The pid written by whoever holds the lock, as text ("unknown" when there is none yet).
    private static func holder(_ descriptor: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        let text = count > 0 ? String(decoding: buffer[0 ..< count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return text.isEmpty ? "unknown" : text
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
