import Foundation

/// Says in our words why a file or folder could not be read or made, from the file system itself:
/// Foundation's messages ("The operation could not be completed.") tell a user nothing.
enum FileProblem {
    /// Why `path` cannot be read (a file) or listed (a folder).
    static func describe(path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return reason(errno) }
        let isFolder = (info.st_mode & S_IFMT) == S_IFDIR
        if access(path, R_OK) != 0 { return reason(errno) }
        return isFolder ? "it is a folder, not a file" : "it is not UTF-8 text"
    }

    /// Why a folder cannot be made at `path`: the first part of the path that is in the way.
    static func describeFolder(path: String) -> String {
        var prefix = URL(fileURLWithPath: path).standardizedFileURL
        var info = stat()
        while prefix.path != "/" {
            if stat(prefix.path, &info) == 0 {
                if (info.st_mode & S_IFMT) != S_IFDIR { return "\(prefix.path) is a file, not a folder" }
                if access(prefix.path, W_OK | X_OK) != 0 { return "\(prefix.path): \(reason(errno))" }
                return "it cannot be created"
            }
            prefix.deleteLastPathComponent()
        }
        return "it cannot be created"
    }

    /// `errno` in lower case words: "permission denied", "no such file or directory".
    static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file or folder"
        case EACCES, EPERM: return "permission denied"
        case ENOSPC: return "no space left on the device"
        case EROFS: return "the file system is read-only"
        case ENOTDIR: return "a part of the path is a file, not a folder"
        default: return String(cString: strerror(code)).lowercased()
        }
    }
}
