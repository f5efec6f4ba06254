import Foundation

/// Where a PostgreSQL history is: `postgresql://USER@HOST[:PORT]/DATABASE[?sslmode=...]` (or
/// `postgres://`). The password never comes from the URL (a secret on the command line shows in
/// `ps` and shell history): it comes from `CG_HISTORY_PASSWORD` or `history-password-file:`.
public struct PostgresTarget: Sendable, Equatable, CustomStringConvertible {
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP (a server on the same host or a private network).
        case disable
        /// TLS, the server's certificate not checked.
        case require
        /// TLS, the certificate checked against the system's trust store and the host name.
        case verifyFull = "verify-full"
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode
    public var password: Secret?

    /// Reads the URL; `password` is what the environment or the config file gave.
    public init(url text: String, password: Secret?) throws {
        let shown = HistoryLocation.withoutPassword(text)
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "postgresql" || scheme == "postgres" else {
            throw ReportError.usage("--history \(shown): not a PostgreSQL URL (postgresql://USER@HOST[:PORT]/DATABASE)")
        }
        if components.password != nil {
            throw ReportError.usage("--history \(shown): the URL holds a password; secrets never go on the command line: give it in CG_HISTORY_PASSWORD or history-password-file: in the config file")
        }
        guard let user = components.user?.removingPercentEncoding, !user.isEmpty else {
            throw ReportError.usage("--history \(shown): no user (postgresql://USER@HOST[:PORT]/DATABASE)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw ReportError.usage("--history \(shown): no host (postgresql://USER@HOST[:PORT]/DATABASE)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw ReportError.usage("--history \(shown): no database (postgresql://USER@HOST[:PORT]/DATABASE)")
        }
        var mode = SSLMode.disable
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode", let value = item.value, let known = SSLMode(rawValue: value) else {
                throw ReportError.usage("--history \(shown): \(item.name)=\(item.value ?? ""): the URL takes only sslmode=disable|require|verify-full")
            }
            mode = known
        }
        self.user = user
        self.host = host
        self.port = components.port ?? 5432
        self.database = database.removingPercentEncoding ?? database
        self.sslMode = mode
        self.password = password
    }

    /// `postgresql://USER@HOST:PORT/DATABASE` (never a password).
    public var description: String {
        "postgresql://\(user)@\(host):\(port)/\(database)" + (sslMode == .disable ? "" : "?sslmode=\(sslMode.rawValue)")
    }

    /// What `application_name` says of this process: the host and pid another run names when it waits.
    static var applicationName: String {
        "cg-revenue on \(ProcessInfo.processInfo.hostName) pid \(getpid())"
    }
}
