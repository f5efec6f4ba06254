import Foundation

/// HTTP requests by status code, and retries, counted as they happen (any task, any thread):
/// what the metrics file reports of an API run.
public final class RequestTally: @unchecked Sendable {
    private let lock = NSLock()
    private var byCode: [String: Int] = [:]
    private var retryCount = 0

    public init() {}

    /// One response with `status`, or nil for a request that got none (timeout, dropped connection).
    func count(status: Int?) {
        lock.withLock { byCode[status.map(String.init) ?? "none", default: 0] += 1 }
    }

    func countRetry() {
        lock.withLock { retryCount += 1 }
    }

    /// Requests by code (`"200"`, `"429"`, `"none"`).
    public var requests: [String: Int] { lock.withLock { byCode } }
    public var retries: Int { lock.withLock { retryCount } }
}
