import Foundation

/// Where a PostgreSQL history is: `postgresql://USER@HOST[:PORT]/DATABASE[?sslmode=...&sslrootcert=FILE]`
/// (or `postgres://`), with libpq's TLS parameters and their meanings. The password never comes
/// from the URL (a secret on the command line shows in `ps` and shell history): it comes from
/// `CG_HISTORY_PASSWORD`, `history-password-file:`, or else `~/.pgpass` as libpq reads it.
public struct PostgresTarget: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode`, with its default (`prefer`).
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP only.
        case disable
        /// Plain TCP; TLS (unchecked) only when the server refuses a connection without it.
        case allow
        /// TLS (unchecked) when the server offers it, else plain TCP: libpq's default.
        case prefer
        /// TLS, the certificate unchecked, unless a CA file is at hand (`sslrootcert`, or
        /// `~/.postgresql/root.crt`): then checked as `verify-ca` does, as libpq does.
        case require
        /// TLS, the certificate signed by a trusted CA (the host name not checked).
        case verifyCA = "verify-ca"
        /// TLS, the certificate signed by a trusted CA and naming the host.
        case verifyFull = "verify-full"

        /// Whether the server's certificate is checked against a CA.
        var verifiesCertificate: Bool { self == .verifyCA || self == .verifyFull }
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode
    /// `sslrootcert`: the CA certificates (PEM) to trust; `system` for the system's store; nil:
    /// `~/.postgresql/root.crt` when it exists, else the system's store.
    public var rootCertificate: String?
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
        var mode = SSLMode.prefer
        var rootCertificate: String?
        let modes = SSLMode.allCases.map(\.rawValue).joined(separator: "|")
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let known = SSLMode(rawValue: value) else {
                    throw ReportError.usage("--history \(shown): sslmode=\(item.value ?? ""): choose sslmode=\(modes)")
                }
                mode = known
            case "sslrootcert":
                guard let value = item.value, !value.isEmpty else {
                    throw ReportError.usage("--history \(shown): sslrootcert= names no file (sslrootcert=FILE, or sslrootcert=system)")
                }
                rootCertificate = value
            default:
                throw ReportError.usage("--history \(shown): \(item.name)=\(item.value ?? ""): the URL takes only sslmode=\(modes) and sslrootcert=FILE")
            }
        }
        self.user = user
        self.host = host
        self.port = components.port ?? 5432
        self.database = database.removingPercentEncoding ?? database
        self.sslMode = mode
        self.rootCertificate = rootCertificate
        self.password = password
    }

    /// `postgresql://USER@HOST:PORT/DATABASE?sslmode=…` (never a password).
    public var description: String {
        var parameters: [String] = []
        if sslMode != .prefer { parameters.append("sslmode=\(sslMode.rawValue)") }
        if let rootCertificate { parameters.append("sslrootcert=\(rootCertificate)") }
        return "postgresql://\(user)@\(host):\(port)/\(database)" + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
    }

    /// What `application_name` says of this process: the host and pid another run names when it waits.
    static var applicationName: String {
        "cg-revenue on \(ProcessInfo.processInfo.hostName) pid \(getpid())"
    }
}
