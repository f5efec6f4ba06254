import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One connection to the history's server, used synchronously (the store's protocol is
/// synchronous, as SQLite is): each query is a NIO future waited for on the caller's thread.
/// The future completes on NIO's own event loop, never on Swift's cooperative pool, so the wait
/// cannot starve what it waits for. One connection, not a pool: the advisory lock that makes a
/// run the only one is held by the session, for as long as the run lasts.
final class PostgresSession: @unchecked Sendable {
    let target: PostgresTarget
    private let connection: PostgresConnection
    private let logger: Logger

    private init(target: PostgresTarget, connection: PostgresConnection, logger: Logger) {
        self.target = target
        self.connection = connection
        self.logger = logger
    }

    /// Connects (10 s at most), TLS as libpq's `sslmode` says, naming host and port (never the
    /// password) when it cannot. A certificate that does not verify, or a server that refuses the
    /// connection (pg_hba, a wrong password), is a configuration problem (exit 2), said as such.
    static func connect(_ target: PostgresTarget, logger: Logger) throws -> PostgresSession {
        let roots = try PostgresTLS.trustRoots(target)
        var target = target
        if target.password == nil { target.password = PasswordFile.password(for: target) }
        do {
            return try connect(target, tls: try PostgresTLS.configuration(target, roots: roots), logger: logger)
        } catch let error as ReportError {
            throw error
        } catch {
            if let why = PostgresTLS.certificateFailure(error, target: target, roots: roots) {
                throw ReportError.usage("--history \(target): the server at \(target.host):\(target.port) cannot be trusted: \(why)")
            }
            // allow: the server refused a connection without TLS; TLS, unchecked, is the second try.
            if target.sslMode == .allow, let psql = error as? PSQLError, psql.serverInfo?[.sqlState] == "28000" {
                do {
                    return try connect(target, tls: try PostgresTLS.allowRetry(target, roots: roots), logger: logger)
                } catch {
                    throw describe(error, target: target, doing: "cannot connect")
                }
            }
            throw describe(error, target: target, doing: "cannot connect")
        }
    }

    private static func connect(_ target: PostgresTarget, tls: PostgresConnection.Configuration.TLS, logger: Logger) throws -> PostgresSession {
        var configuration = PostgresConnection.Configuration(
            host: target.host, port: target.port, username: target.user, password: target.password?.value,
            database: target.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = [("application_name", PostgresTarget.applicationName)]
        let quiet = Logger(label: "cg-revenue.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        let connection = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration,
                                                        id: 1, logger: quiet).wait()
        return PostgresSession(target: target, connection: connection, logger: logger)
    }

    /// How long one statement may take before the server is taken for gone: a server stopped
    /// under a run (`pg_ctl stop -m immediate`) can leave an answer that never comes.
    static let statementTimeout: TimeAmount = .seconds(30)

    /// Runs `query` and returns its rows.
    @discardableResult
    func rows(_ query: PostgresQuery, doing what: String = "cannot be read") throws -> [PostgresRow] {
        do {
            guard !connection.isClosed else { throw SessionLost(reason: "the connection was closed") }
            let answer = try Self.wait(for: connection.query(query, logger: logger), atMost: Self.statementTimeout) { promise in
                promise.fail(SessionLost(reason: "no answer within \(Self.statementTimeout.nanoseconds / 1_000_000_000) s"))
            }
            return Array(answer.rows)
        } catch {
            throw Self.describe(error, target: target, doing: what)
        }
    }

    /// The server went away under the session.
    struct SessionLost: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    func execute(_ sql: String, doing what: String = "cannot be written") throws {
        try rows(PostgresQuery(unsafeSQL: sql), doing: what)
    }

    /// Runs `body` in one transaction: all of it, or (on any error) none of it.
    func transaction<T>(doing what: String = "cannot be written", _ body: () throws -> T) throws -> T {
        try execute("BEGIN", doing: what)
        do {
            let result = try body()
            try execute("COMMIT", doing: what)
            return result
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    func close() {
        guard !connection.isClosed else { return }
        let closing: EventLoopFuture<Void> = connection.close()
        // A server that does not answer the goodbye is let go of all the same.
        _ = try? Self.wait(for: closing, atMost: .seconds(5)) { $0.succeed(()) }
    }

    /// Waits on the caller's thread for `future`, or until `timeout` has passed, when `expire`
    /// settles it instead.
    private static func wait<Value: Sendable>(for future: EventLoopFuture<Value>, atMost timeout: TimeAmount,
                                             expire: @escaping @Sendable (EventLoopPromise<Value>) -> Void) throws -> Value {
        let bounded = future.eventLoop.makePromise(of: Value.self)
        future.cascade(to: bounded)
        let timer = future.eventLoop.scheduleTask(in: timeout) { expire(bounded) }
        bounded.futureResult.whenComplete { _ in timer.cancel() }
        return try bounded.futureResult.wait()
    }

    /// The server's words (message and SQLSTATE) or the network's, naming the history by its URL
    /// without a password. Rights missing is a configuration problem (exit 2); the rest exit 1.
    static func describe(_ error: any Error, target: PostgresTarget, doing what: String) -> ReportError {
        if let error = error as? ReportError { return error }
        if let lost = error as? SessionLost {
            return .io("--history \(target): \(what): the server at \(target.host):\(target.port) is gone (\(lost.reason))")
        }
        guard let psql = error as? PSQLError else {
            return .io("--history \(target): \(what): \(error)")
        }
        if let info = psql.serverInfo, let message = info[.message] {
            let state = info[.sqlState] ?? ""
            let said = "PostgreSQL: \(message) (SQLSTATE \(state))"
            switch state {
            case "42501": return .usage("--history \(target): \(what): \(said): the role \(target.user) lacks a right it needs (CREATE on the database to make the schema cg_revenue, or USAGE and CREATE on that schema)")
            case "28P01": return .usage("--history \(target): \(what): \(said): check the user and CG_HISTORY_PASSWORD (or history-password-file:, or ~/.pgpass)")
            case "28000": return .usage("--history \(target): \(what): \(said): the server refuses this connection (its pg_hba.conf; a server that takes only TLS refuses sslmode=disable)")
            case "3D000": return .usage("--history \(target): \(what): \(said)")
            default: return .io("--history \(target): \(what): \(said)")
            }
        }
        let reason = psql.underlying.map { "\($0)" } ?? "\(psql.code)"
        return .io("--history \(target): \(what): the server at \(target.host):\(target.port) cannot be reached (\(reason))")
    }
}
