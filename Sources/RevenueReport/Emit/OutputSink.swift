import Crypto
import Foundation

/// Where a writer puts its bytes. Writers append to `buffer` and call `flushIfFull()` now and
/// then; a file sink then writes the buffer out in large writes and hashes it as it goes, so a
/// report of a million rows never sits whole in memory. A memory sink keeps everything.
public final class OutputSink {
    /// Writers append here.
    public var buffer: [UInt8] = []
    private var descriptor: Int32?
    let path: String
    /// Every byte flushed, when the sink was asked to keep a copy (an output the email carries).
    private(set) var keptBytes: [UInt8] = []
    private let keepCopy: Bool
    private var hasher = SHA256()
    private var flushed = 0
    static let flushThreshold = 1 << 20

    /// A sink that keeps the whole output in `buffer` (tests, the email's parts).
    public init() {
        descriptor = nil
        path = "(memory)"
        keepCopy = false
    }

    /// A sink writing to an open file descriptor, which `finish` syncs and closes.
    init(descriptor: Int32, path: String, keepCopy: Bool = false) {
        self.descriptor = descriptor
        self.path = path
        self.keepCopy = keepCopy
        buffer.reserveCapacity(Self.flushThreshold + 64 * 1024)
    }

    deinit {
        if let descriptor { close(descriptor) }
    }

    public func flushIfFull() throws {
        if descriptor != nil, buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Writes what is buffered, syncs and closes the file (file sinks), and returns the total
    /// size and sha256. A memory sink keeps its bytes in `buffer`.
    func finish() throws -> (size: Int, sha256: String) {
        guard let descriptor else {
            keptBytes = buffer
            return (buffer.count, sha256Hex(buffer))
        }
        try flush()
        self.descriptor = nil
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw ReportError.io("\(path): write failed: \(String(cString: strerror(errno)))")
        }
        return (flushed, hexString(hasher.finalize()))
    }

    private func flush() throws {
        guard let descriptor, !buffer.isEmpty else { return }
        hasher.update(data: buffer)
        if keepCopy { keptBytes += buffer }
        var written = 0
        try buffer.withUnsafeBytes { bytes in
            while written < bytes.count {
                let result = Foundation.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw ReportError.io("\(path): write failed: \(String(cString: strerror(errno)))")
                }
                written += result
            }
        }
        flushed += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}
