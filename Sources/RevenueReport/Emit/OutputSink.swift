import Crypto
import Foundation

/// Where a writer puts its bytes. Writers append to `buffer` and call `flushIfFull()` now and
/// then; a file sink then writes the buffer out in large writes and hashes it as it goes, so a
/// report of a million rows never sits whole in memory. A memory sink keeps everything.
public final class OutputSink {
    /// Writers append here.
    public var buffer: [UInt8] = []
    private let descriptor: Int32?
    private let path: String
    private var hasher = SHA256()
    private var flushed = 0
    static let flushThreshold = 1 << 20

    /// A sink that keeps the whole output in `buffer` (tests, the email's parts).
    public init() {
        descriptor = nil
        path = "(memory)"
    }

    /// A sink writing to an open file descriptor, which it does not close.
    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
        buffer.reserveCapacity(Self.flushThreshold + 64 * 1024)
    }

    public func flushIfFull() throws {
        if descriptor != nil, buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Writes what is buffered (file sinks only) and returns the total size and sha256.
    func finish() throws -> (size: Int, sha256: String) {
        if descriptor == nil {
            return (buffer.count, sha256Hex(buffer))
        }
        try flush()
        return (flushed, hexString(hasher.finalize()))
    }

    private func flush() throws {
        guard let descriptor, !buffer.isEmpty else { return }
        hasher.update(data: buffer)
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
