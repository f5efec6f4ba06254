import Foundation
import Logging

/// When to try a request again and how long to wait: exponential backoff with full jitter
/// (AWS Architecture Blog, "Exponential Backoff And Jitter"), `Retry-After` honoured, a bounded
/// number of attempts and a bound on the total time spent waiting.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    /// The first backoff ceiling; it doubles each attempt up to `maxDelay`.
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval
    /// No request keeps retrying once this much time has passed since its first attempt.
    public var maxTotalTime: TimeInterval

    public init(maxAttempts: Int = 5, baseDelay: TimeInterval = 0.5, maxDelay: TimeInterval = 30, maxTotalTime: TimeInterval = 300) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxTotalTime = maxTotalTime
    }

    /// HTTP statuses worth another try: rate limiting and server-side failures.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || status == 408 || (500...599).contains(status)
    }

    /// The wait before attempt `attempt + 1`, after `attempt` failed (1-based); nil when the
    /// budget of attempts or time is spent.
    public func delay<R: RandomNumberGenerator>(afterAttempt attempt: Int, retryAfter: TimeInterval?, elapsed: TimeInterval, using random: inout R) -> TimeInterval? {
        guard attempt < maxAttempts else { return nil }
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        var wait = Double.random(in: 0...max(ceiling, 0.000_001), using: &random)
        if let retryAfter { wait = max(wait, retryAfter) }
        guard elapsed + wait <= maxTotalTime else { return nil }
        return wait
    }

    public func delay(afterAttempt attempt: Int, retryAfter: TimeInterval?, elapsed: TimeInterval) -> TimeInterval? {
        var random = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, retryAfter: retryAfter, elapsed: elapsed, using: &random)
    }

    /// `Retry-After` as seconds (`120`) or an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`).
    public static func parseRetryAfter(_ value: String?, now: Date = Date()) -> TimeInterval? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value), seconds >= 0 { return TimeInterval(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}

/// What one attempt of a request decided.
enum AttemptOutcome<Value> {
    case done(Value)
    /// Worth another try after a backoff: 429, 5xx, a timeout, a dropped connection.
    case retry(reason: String, retryAfter: TimeInterval?)
    /// Try again at once without spending an attempt (the token was renewed meanwhile).
    case again
}

extension RetryPolicy {
    /// Runs `attempt` (given its 1-based number) until it is done, a non-retryable error is
    /// thrown, or the budget of attempts or time is spent. Transient transport failures count
    /// as retries; each retry is logged at info with its reason.
    func run<Value>(url: String, failurePrefix: String = "", logger: Logger, tally: RequestTally? = nil,
                    _ attempt: (Int) async throws -> AttemptOutcome<Value>) async throws -> Value {
        let started = Date()
        var number = 0
        var freeRetries = 0
        while true {
            number += 1
            let outcome: AttemptOutcome<Value>
            do {
                outcome = try await attempt(number)
            } catch TransportFailure.transient(let why), TransportFailure.notSent(let why) {
                outcome = .retry(reason: why, retryAfter: nil)
            } catch let failure as TransportFailure {
                throw ReportError.fetchFailed(url: url, reason: failure.description, attempts: number)
            }
            switch outcome {
            case .done(let value):
                return value
            case .again:
                number -= 1
                freeRetries += 1
                guard freeRetries <= 2 * maxAttempts else {
                    throw ReportError.fetchFailed(url: url, reason: "\(failurePrefix)the credentials keep being refused", attempts: number)
                }
            case .retry(let reason, let retryAfter):
                guard let wait = delay(afterAttempt: number, retryAfter: retryAfter, elapsed: Date().timeIntervalSince(started)) else {
                    throw ReportError.fetchFailed(url: url, reason: failurePrefix + reason, attempts: number)
                }
                tally?.countRetry()
                logger.info("retrying \(url) in \(String(format: "%.1f", wait)) s (attempt \(number + 1) of \(maxAttempts)): \(reason)")
                try await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
            }
        }
    }
}
