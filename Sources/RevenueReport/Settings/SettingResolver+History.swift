import Foundation

/// The history: `--history` read as a location (`HistoryLocation`), a problem when it cannot be.
extension SettingResolver {
    mutating func historyLocation() -> HistoryLocation? {
        guard let value = text(.history) else { return nil }
        do {
            return try HistoryLocation(value)
        } catch {
            problems.append("\(error)")
            return nil
        }
    }
}
