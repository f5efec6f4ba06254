import Foundation

/// Operations: `--metrics-file` and `--ping-url`.
extension SettingResolver {
    /// The metrics file (its folder must take it, before any request) and the ping URL (https
    /// unless loopback; a secret, so no message shows it).
    mutating func operations() -> (URL?, URL?) {
        var metricsFile: URL?
        if let path = text(.metricsFile) {
            let url = URL(fileURLWithPath: path)
            if let problem = MetricsFile.checkWritable(url) {
                problems.append("\(origin(.metricsFile)) \(path): \(problem)")
            } else {
                metricsFile = url
            }
        }
        var pingURL: URL?
        if let text = text(.pingURL) {
            do {
                pingURL = try APIEndpoint.checked(text, option: "--ping-url")
            } catch {
                let reason = text.lowercased().hasPrefix("http://") ? "plain http is only allowed to a loopback host (127.0.0.0/8, ::1, localhost); use https" : "not an https URL"
                problems.append("\(origin(.pingURL)) ********: \(reason)")
            }
        }
        return (metricsFile, pingURL)
    }
}
