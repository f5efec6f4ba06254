import Foundation

/// A scratch file for the sorter's runs and the row index: created in the output folder (not a
/// /tmp that may be memory), unlinked at once so that nothing is left behind even by a killed
/// run, and closed when no longer referenced.
final class ScratchFile {
    let descriptor: Int32
    private let folder: String
    private(set) var size = 0

    init(directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportError.io("--out \(directory.path): cannot create the folder: \(FileProblem.describeFolder(path: directory.path))")
        }
        folder = directory.path
        let path = directory.appendingPathComponent(".cg-revenue-scratch.\(getpid()).\(UInt32.random(in: 0 ... UInt32.max)).tmp").path
        descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ReportError.io("--out \(folder): cannot write a scratch file (sorting, row index): \(String(cString: strerror(errno)))")
        }
        unlink(path)
    }

    deinit { close(descriptor) }

    func append(_ bytes: [UInt8]) throws {
        var written = 0
        try bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let result = pwrite(descriptor, raw.baseAddress! + written, raw.count - written, off_t(size + written))
                if result < 0 {
                    if errno == EINTR { continue }
                    throw ReportError.io("--out \(folder): cannot write a scratch file (sorting, row index): \(String(cString: strerror(errno)))")
                }
                written += result
            }
        }
        size += written
    }
}
