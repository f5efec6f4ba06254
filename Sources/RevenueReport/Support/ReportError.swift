/// Every failure the pipeline reports, with the exit code the command line turns it into.
///
/// Messages name what went wrong and where (file or URL, record id), and never carry secrets.
public enum ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bad options or configuration: exit 2.
    case usage(String)
    /// A page that cannot be read or parsed: exit 1.
    case malformedPage(page: String, reason: String)
    /// The API's error envelope, other than 400184 (no data): exit 1.
    case apiError(page: String, message: String, code: String)
    /// Records that could not be typed, when not told to skip them: exit 1.
    case invalidRecords([RecordRejection])
    /// A page holding only ids already seen: the source is looping: exit 1.
    case repeatedPage(page: String, firstID: Int64)
    /// A page with records that is byte for byte the page before it: the source ignores `start`: exit 1.
    case identicalPage(page: String, previous: String)
    /// Reading the replay folder or writing outputs failed: exit 1.
    case io(String)
    /// The API could not be reached or kept failing after every retry: exit 1.
    case fetchFailed(url: String, reason: String, attempts: Int)
    /// The token endpoint or the API refused the credentials: exit 1.
    case authentication(String)

    public var exitCode: Int32 {
        switch self {
        case .usage: return 2
        default: return 1
        }
    }

    public var description: String {
        switch self {
        case .usage(let message):
            return message
        case .malformedPage(let page, let reason):
            return "\(page): \(reason)"
        case .apiError(let page, let message, let code):
            return "\(page): the API answered with error \(code): \(message)"
        case .invalidRecords(let rejections):
            let shown = rejections.prefix(20).map { "  \($0)" }.joined(separator: "\n")
            let more = rejections.count > 20 ? "\n  … and \(rejections.count - 20) more" : ""
            return "\(rejections.count) record(s) could not be read (use --skip-invalid to report them and go on):\n\(shown)\(more)"
        case .repeatedPage(let page, let firstID):
            return "\(page): every id on this page was already seen (first: \(firstID)); the source is repeating pages, stopping instead of looping"
        case .identicalPage(let page, let previous):
            return "\(page): the same bytes as the page before it (\(previous)); the source is repeating pages (ignoring start?), stopping instead of looping"
        case .io(let message):
            return message
        case .fetchFailed(let url, let reason, let attempts):
            return "\(url): \(reason) (gave up after \(attempts) attempt\(attempts == 1 ? "" : "s"))"
        case .authentication(let message):
            return message
        }
    }
}

/// A record that could not be typed, named by its page, position and id where it has one.
public struct RecordRejection: Sendable, Equatable, CustomStringConvertible {
    public var page: String
    /// 1-based position of the record on its page.
    public var position: Int
    public var id: String?
    public var reason: String

    public init(page: String, position: Int, id: String?, reason: String) {
        self.page = page
        self.position = position
        self.id = id
        self.reason = reason
    }

    public var description: String {
        let who = id.map { "record id \($0)" } ?? "record without id"
        return "\(who) (\(page), record \(position)): \(reason)"
    }
}
