import Foundation

/// libpq's password file, for a history URL whose password neither `CG_HISTORY_PASSWORD` nor
/// `history-password-file:` gives: `PGPASSFILE`, else `~/.pgpass`; lines
/// `hostname:port:database:username:password`, `*` matching anything, `\:` and `\\` escaped, the
/// first line that matches wins. Like libpq, a file that its group or others can read is ignored,
/// with a warning.
enum PasswordFile {
    static func password(for target: PostgresTarget, environment: [String: String] = ProcessInfo.processInfo.environment,
                         home: String = PasswordFile.homeDirectory(), warn: (String) -> Void = PasswordFile.warnOnce) -> Secret? {
        let path = environment["PGPASSFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? (home as NSString).appendingPathComponent(".pgpass")
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular else { return nil }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        guard mode & 0o077 == 0 else {
            warn("warning: the password file \(path) is ignored: its group or others can read it (chmod 0600 \(path))")
            return nil
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = split(String(line))
            guard fields.count == 5 else { continue }
            let wanted = [target.host, String(target.port), target.database, target.user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) {
                return fields[4].isEmpty ? nil : Secret(fields[4])
            }
        }
        return nil
    }

    /// `HOME`, as libpq reads it, else the user's home from the password database.
    static func homeDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let home = environment["HOME"], !home.isEmpty { return home }
        return NSHomeDirectory()
    }

    /// A line's five fields: `:` separates, `\` escapes the next character.
    static func split(_ line: String) -> [String] {
        var fields: [String] = [], current = "", escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":", fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }

    private static let warned = NSLock()
    nonisolated(unsafe) private static var said: Set<String> = []

    /// On stderr, once a process: a run connects more than once.
    static func warnOnce(_ message: String) {
        let first = warned.withLock { said.insert(message).inserted }
        if first { FileHandle.standardError.write(Data((message + "\n").utf8)) }
    }
}
