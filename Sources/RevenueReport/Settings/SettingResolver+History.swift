import Foundation

/// The history: `--history` read as a location (`HistoryLocation`), a problem when it cannot be.
extension SettingResolver {
    mutating func historyLocation() -> HistoryLocation? {
        guard let value = text(.history) else { return nil }
        do {
            return try HistoryLocation(value, password: try layers.historyPassword())
        } catch {
            problems.append("\(error)")
            return nil
        }
    }
}

extension SettingsLayers {
    /// The password of a PostgreSQL history: `CG_HISTORY_PASSWORD`, else the file named by
    /// `history-password-file:` in the config file (never a flag: secrets stay off the command line).
    public func historyPassword() throws -> Secret? {
        if let value = rawEnvironment["CG_HISTORY_PASSWORD"], !value.isEmpty { return Secret(value) }
        guard let found = lookup(.historyPasswordFile), let path = found.values.first else { return nil }
        guard let content = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ReportError.usage("\(found.origin) \(path): cannot read the password file (\(FileProblem.describe(path: path)))")
        }
        let password = content.trimmingCharacters(in: .newlines)
        guard !password.isEmpty else { throw ReportError.usage("\(found.origin) \(path): the password file is empty") }
        return Secret(password)
    }
}
