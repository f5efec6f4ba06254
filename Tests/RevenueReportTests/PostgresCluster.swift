import Foundation
@testable import RevenueReport

/// A throwaway PostgreSQL cluster for the tests: Debian's `postgresql` binaries, `initdb` into a
/// temporary folder (as the `postgres` user when the tests run as root: the server refuses root),
/// a free port on loopback and a socket folder of its own. Started once, on first use, by
/// whichever test needs it; stopped when the test process exits, whatever the tests said.
/// Each test takes a database of its own (`database()`), so tests run side by side.
final class PostgresCluster: @unchecked Sendable {
    static let shared = Result { try PostgresCluster() }

    let folder: URL
    let port: Int
    private let binaries: URL
    private static let lock = NSLock()
    nonisolated(unsafe) private static var counter = 0

    /// A cluster of its own (`shared` is the one most tests share; one a test stops needs its own).
    /// `configure` is given the data folder after `initdb` and before the server starts (TLS, pg_hba).
    init(configure: ((_ data: URL, _ cluster: PostgresCluster) throws -> Void)? = nil) throws {
        guard let binaries = try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql").sorted(by: { (Int($0) ?? 0) < (Int($1) ?? 0) }).last
            .map({ URL(fileURLWithPath: "/usr/lib/postgresql/\($0)/bin") }),
            FileManager.default.isExecutableFile(atPath: binaries.appendingPathComponent("initdb").path) else {
            throw ClusterError("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin: install Debian's postgresql (.ci/run does)")
        }
        self.binaries = binaries
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cg-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        port = try Self.freePort()
        if getuid() == 0 { try Self.run("/bin/chown", ["postgres", folder.path]) }
        try asServerUser("initdb", ["-D", folder.appendingPathComponent("data").path, "-A", "trust", "-U", "postgres", "--no-sync"])
        try configure?(folder.appendingPathComponent("data"), self)
        try asServerUser("pg_ctl", ["-D", folder.appendingPathComponent("data").path, "-l", folder.appendingPathComponent("log").path, "-w",
                                    "-o", "-p \(port) -k \(folder.path) -c listen_addresses=127.0.0.1 -c fsync=off", "start"])
        ClusterShutdown.register(self)
    }

    /// A new empty database on the cluster: its `postgresql://` URL.
    func database() throws -> String {
        let name = Self.lock.withLock { () -> String in
            Self.counter += 1
            return "t\(getpid())_\(Self.counter)"
        }
        _ = try psql("postgres", "CREATE DATABASE \(name)")
        return url(name)
    }

    func url(_ database: String, user: String = "postgres") -> String { "postgresql://\(user)@127.0.0.1:\(port)/\(database)" }

    /// Runs `sql` with `psql` (a client we did not write) and returns what it printed, unaligned.
    @discardableResult
    func psql(_ database: String, _ sql: String, user: String = "postgres") throws -> String {
        try Self.run(binaries.appendingPathComponent("psql").path,
                     ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", database, "-c", sql])
    }

    /// `pg_ctl stop` (`mode`: fast or immediate) and `pg_ctl start` again: a server that goes away mid-run.
    func stop(mode: String = "fast") throws {
        try asServerUser("pg_ctl", ["-D", folder.appendingPathComponent("data").path, "-m", mode, "-w", "stop"])
    }

    func start() throws {
        try asServerUser("pg_ctl", ["-D", folder.appendingPathComponent("data").path, "-l", folder.appendingPathComponent("log").path, "-w",
                                    "-o", "-p \(port) -k \(folder.path) -c listen_addresses=127.0.0.1 -c fsync=off", "start"])
    }

    /// `pg_ctl reload`: the server reads its configuration (and its TLS files) again.
    func reload() throws {
        try asServerUser("pg_ctl", ["-D", folder.appendingPathComponent("data").path, "reload"])
    }

    /// Makes `path` the server user's (when the tests run as root), with `mode`.
    func giveToServer(_ path: URL, mode: Int16) throws {
        if getuid() == 0 { try Self.run("/bin/chown", ["postgres", path.path]) }
        try FileManager.default.setAttributes([.posixPermissions: NSNumber(value: mode)], ofItemAtPath: path.path)
    }

    @discardableResult
    private func asServerUser(_ tool: String, _ arguments: [String]) throws -> String {
        let path = binaries.appendingPathComponent(tool).path
        return getuid() == 0 ? try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments) : try Self.run(path, arguments)
    }

    /// Runs a tool and returns what it printed: `posix_spawn` and `waitpid`, the output through a
    /// file. (Foundation's `Process` waited forever here for `runuser pg_ctl start`, whose server
    /// lives on holding what it inherited; a pipe would never reach its end either.)
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("cg-pg-output-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw ClusterError("\(executable): cannot start: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED and WEXITSTATUS, by hand (macros Swift does not import).
        let exited = status & 0x7f == 0, code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            throw ClusterError("\(executable) \(arguments.joined(separator: " ")) ended with status \(status): \(text)")
        }
        return text
    }

    /// A port nothing listens on now (bound to 0, read, let go).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw ClusterError("no free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func stopForGood() {
        _ = try? asServerUser("pg_ctl", ["-D", folder.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: folder)
    }
}

struct ClusterError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Stops the cluster when the test process exits (`atexit`), passed or failed.
enum ClusterShutdown {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var clusters: [PostgresCluster] = []

    static func register(_ cluster: PostgresCluster) {
        lock.withLock {
            if clusters.isEmpty { atexit { ClusterShutdown.stopAll() } }
            clusters.append(cluster)
        }
    }

    static func stopAll() {
        for cluster in lock.withLock({ clusters }) { cluster.stopForGood() }
    }
}

/// The shared cluster, or the reason there is none (a test that needs it fails with it).
func postgresCluster() throws -> PostgresCluster {
    try PostgresCluster.shared.get()
}
