import Foundation
import Testing
@testable import RevenueReport

/// A throwaway cluster as managed PostgreSQL serves it: TLS only (a pg_hba that refuses TCP
/// without it), a certificate from a CA of its own made by `openssl` here, and a role with a password. Started once, on first use.
final class TLSCluster: @unchecked Sendable {
    static let shared = Result { try TLSCluster() }

    let cluster: PostgresCluster
    /// The CA that signed the server's certificate, another CA, and the files the server reads.
    let caFile: URL
    let otherCAFile: URL
    private let serverCertificate: URL
    private let validCertificate: URL
    private let expiredCertificate: URL
    static let passwordUser = "pwuser", password = "pw-s3cret"

    init() throws {
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("cg-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        func openssl(_ arguments: [String]) throws { try PostgresCluster.run("/usr/bin/openssl", arguments) }
        let ext = keys.appendingPathComponent("server.ext")
        // It names localhost only: verify-full to localhost passes, to 127.0.0.1 fails on the name.
        try "subjectAltName=DNS:localhost\n".write(to: ext, atomically: true, encoding: .utf8)
        for ca in ["ca", "other-ca"] {
            try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keys.appendingPathComponent("\(ca).key").path,
                         "-out", keys.appendingPathComponent("\(ca).crt").path, "-days", "3650", "-subj", "/CN=cg-revenue test \(ca)"])
        }
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", keys.appendingPathComponent("server.key").path,
                     "-out", keys.appendingPathComponent("server.csr").path, "-subj", "/CN=localhost"])
        for (name, days) in [("valid", "365"), ("expired", "-1")] {
            try openssl(["x509", "-req", "-in", keys.appendingPathComponent("server.csr").path, "-CA", keys.appendingPathComponent("ca.crt").path,
                         "-CAkey", keys.appendingPathComponent("ca.key").path, "-CAcreateserial", "-days", days, "-extfile", ext.path,
                         "-out", keys.appendingPathComponent("\(name).crt").path])
        }
        caFile = keys.appendingPathComponent("ca.crt")
        otherCAFile = keys.appendingPathComponent("other-ca.crt")
        validCertificate = keys.appendingPathComponent("valid.crt")
        expiredCertificate = keys.appendingPathComponent("expired.crt")
        var serverFiles: (certificate: URL, key: URL)?
        cluster = try PostgresCluster { data, cluster in
            let certificate = data.appendingPathComponent("server.crt"), key = data.appendingPathComponent("server.key")
            try FileManager.default.copyItem(at: keys.appendingPathComponent("valid.crt"), to: certificate)
            try FileManager.default.copyItem(at: keys.appendingPathComponent("server.key"), to: key)
            try cluster.giveToServer(certificate, mode: 0o600)
            try cluster.giveToServer(key, mode: 0o600)
            let conf = data.appendingPathComponent("postgresql.conf")
            let handle = try FileHandle(forWritingTo: conf)
            handle.seekToEndOfFile()
            handle.write(Data("\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\npassword_encryption = 'scram-sha-256'\n".utf8))
            try handle.close()
            try """
                local all all trust
                hostssl all \(Self.passwordUser) 127.0.0.1/32 scram-sha-256
                hostssl all \(Self.passwordUser) ::1/128 scram-sha-256
                hostssl all all 127.0.0.1/32 trust
                hostssl all all ::1/128 trust
                hostnossl all all 0.0.0.0/0 reject
                hostnossl all all ::/0 reject

                """.write(to: data.appendingPathComponent("pg_hba.conf"), atomically: true, encoding: .utf8)
            try cluster.giveToServer(data.appendingPathComponent("pg_hba.conf"), mode: 0o600)
            serverFiles = (certificate, key)
        }
        serverCertificate = serverFiles!.certificate
        try cluster.psql("postgres", "CREATE ROLE \(Self.passwordUser) LOGIN PASSWORD '\(Self.password)' CREATEDB")
    }

    /// A new database, owned by `user`: its URL on `host` (the name the certificate gives) with `parameters`.
    func database(user: String = "postgres", host: String = "localhost", _ parameters: String) throws -> String {
        let url = try cluster.database()
        let name = String(url.split(separator: "/").last!)
        if user != "postgres" { try cluster.psql("postgres", "ALTER DATABASE \(name) OWNER TO \(user)") }
        return "postgresql://\(user)@\(host):\(cluster.port)/\(name)" + (parameters.isEmpty ? "" : "?" + parameters)
    }

    /// The server presents an expired certificate (from the same CA) while `body` runs.
    func withExpiredCertificate<T>(_ body: () async throws -> T) async throws -> T {
        let (expired, valid) = (expiredCertificate, validCertificate)
        try await offThePool { try self.swap(to: expired) }
        do {
            let result = try await body()
            try await offThePool { try self.swap(to: valid) }
            return result
        } catch {
            try await offThePool { try self.swap(to: valid) }
            throw error
        }
    }

    private func swap(to certificate: URL) throws {
        let data = try Data(contentsOf: certificate)
        try data.write(to: serverCertificate)
        try cluster.giveToServer(serverCertificate, mode: 0o600)
        try cluster.reload()
        // The reload is asynchronous: ask the server, handshake after handshake, until the
        // certificate it serves is the new one (the event itself, each handshake pacing the next).
        let wanted = try PostgresCluster.run("/usr/bin/openssl", ["x509", "-in", certificate.path, "-noout", "-enddate"])
        for _ in 0..<400 {
            let served = try PostgresCluster.run("/bin/sh", ["-c", "openssl s_client -starttls postgres -connect 127.0.0.1:\(cluster.port) </dev/null 2>/dev/null | openssl x509 -noout -enddate"])
            if served == wanted { return }
        }
        throw ClusterError("the server did not take the new certificate")
    }
}

func tlsCluster() throws -> TLSCluster { try TLSCluster.shared.get() }

/// The same from a test: the cluster is made (openssl, initdb, pg_ctl: seconds of waiting on child
/// processes) on a thread of its own, never on one of the two threads of Swift's pool, which the
/// tests running beside it need (a blocked pool starved a PostgreSQL session of another test).
func tlsClusterOffThePool() async throws -> TLSCluster {
    try await offThePool { try tlsCluster() }
}

/// Runs blocking work (child processes waited for) on a thread of its own.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}

/// The history on a TLS-only server with a CA of its own, as libpq's users expect it to behave.
@Suite(.serialized) struct PostgresTLSTests {
    let replay = packageRoot.appendingPathComponent("examples/responses").path
    let apiKey = ["CG_API_KEY": "k"]

    /// A report run recording into `url`: a replay (no API), or, for the refusals, against an API
    /// nothing listens on, so that a request made before the history was checked would end in exit 1.
    func report(_ url: String, in folder: TemporaryFolder, api: Bool = false, environment: [String: String] = [:]) async throws -> CommandResult {
        let source = api ? ["--base-url", "http://127.0.0.1:9", "--auth-url", "http://127.0.0.1:9", "--max-attempts", "1", "--from", "2026-01-01", "--to", "2026-01-31"]
                         : ["--replay", replay, "--from", "2026-01-01", "--to", "2026-06-30"]
        return try await runCLI(["report"] + source + ["--out", "out", "--history", url], in: folder.url,
                                environment: apiKey.merging(environment) { $1 }.merging(["HOME": folder.url.path]) { $1 })
    }

    static func databaseName(_ url: String) -> String {
        String(URLComponents(string: url)!.path.dropFirst())
    }

    func runs(_ url: String) throws -> String {
        let name = Self.databaseName(url)
        return try tlsCluster().cluster.psql(name, "SELECT count(*) FROM cg_revenue.run").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func verifyFullWithTheCAFileRecordsTheRunAndRequireAndTheDefaultDoToo() async throws {
        let tls = try await tlsClusterOffThePool()
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        for parameters in ["sslmode=verify-full&sslrootcert=\(tls.caFile.path)", "sslmode=verify-ca&sslrootcert=\(tls.caFile.path)", "sslmode=require", ""] {
            let url = try tls.database(parameters)
            let result = try await report(url, in: folder)
            #expect(result.status == 0, "\(parameters): \(result.stderr)")
            #expect(try runs(url) == "1", "\(parameters)")
        }
        // ~/.postgresql/root.crt, as libpq: verify-full without sslrootcert finds the CA there.
        try FileManager.default.createDirectory(at: folder.path(".postgresql"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: tls.caFile, to: folder.path(".postgresql/root.crt"))
        let url = try tls.database("sslmode=verify-full")
        let result = try await report(url, in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        try FileManager.default.removeItem(at: folder.path(".postgresql"))
    }

    @Test func aCertificateThatDoesNotVerifyIsExit2NamingTheCheckWithNothingWrittenOrAsked() async throws {
        let tls = try await tlsClusterOffThePool()
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let otherCA = try tls.database("sslmode=verify-full&sslrootcert=\(tls.otherCAFile.path)")
        let ca = try await report(otherCA, in: folder, api: true)
        #expect(ca.status == 2, "\(ca.stderr)")
        #expect(ca.stderr.contains("not signed by a CA in \(tls.otherCAFile.path)"), "\(ca.stderr)")
        // 127.0.0.1 is not a name the certificate gives (it names localhost).
        let byAddress = try tls.database(host: "127.0.0.1", "sslmode=verify-full&sslrootcert=\(tls.caFile.path)")
        let host = try await report(byAddress, in: folder, api: true)
        #expect(host.status == 2, "\(host.stderr)")
        #expect(host.stderr.contains("does not name 127.0.0.1"), "\(host.stderr)")
        let expiredURL = try tls.database("sslmode=verify-full&sslrootcert=\(tls.caFile.path)")
        let expired = try await tls.withExpiredCertificate { try await report(expiredURL, in: folder, api: true) }
        #expect(expired.status == 2, "\(expired.stderr)")
        #expect(expired.stderr.contains("certificate expired on"), "\(expired.stderr)")
        for result in [ca, host, expired] {
            #expect(!result.stderr.contains("127.0.0.1:9"), "an API request was made: \(result.stderr)")
        }
        #expect(!folder.exists("out"))
    }

    @Test func disableIsRefusedByTheServerInItsOwnWords() async throws {
        let tls = try await tlsClusterOffThePool()
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let result = try await report(try tls.database("sslmode=disable"), in: folder, api: true)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("pg_hba.conf rejects connection") && result.stderr.contains("no encryption"), "\(result.stderr)")
        // allow: refused without TLS, so TLS is the second try.
        let allow = try tls.database("sslmode=allow")
        let allowed = try await report(allow, in: folder)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(try runs(allow) == "1")
    }

    @Test func thePasswordComesFromPgpassUnlessOthersCanReadIt() async throws {
        let tls = try await tlsClusterOffThePool()
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let url = try tls.database(user: TLSCluster.passwordUser, "sslmode=verify-full&sslrootcert=\(tls.caFile.path)")
        let name = Self.databaseName(url)
        let pgpass = try folder.write("pgpass", "# the team store\nlocalhost:\(tls.cluster.port):\(name):\(TLSCluster.passwordUser):\(TLSCluster.password)\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: pgpass.path)
        let used = try await report(url, in: folder, environment: ["PGPASSFILE": pgpass.path])
        #expect(used.status == 0, "\(used.stderr)")
        #expect(try runs(url) == "1")
        #expect(!used.stderr.contains(TLSCluster.password))
        // ~/.pgpass, with a wildcard.
        try "*:*:*:\(TLSCluster.passwordUser):\(TLSCluster.password)\n".write(to: folder.path(".pgpass"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: folder.path(".pgpass").path)
        let home = try await report(url, in: folder)
        #expect(home.status == 0, "\(home.stderr)")
        // Readable by others: ignored, with a warning; no password, so the server refuses.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: pgpass.path)
        let open = try await report(url, in: folder, environment: ["PGPASSFILE": pgpass.path])
        #expect(open.status != 0)
        #expect(open.stderr.contains("the password file \(pgpass.path) is ignored: its group or others can read it"), "\(open.stderr)")
        #expect(!open.stderr.contains(TLSCluster.password))
    }

    @Test func libpqsParametersAreReadAndOthersRefused() throws {
        let target = try PostgresTarget(url: "postgresql://u@db.example.com/h?sslmode=verify-ca&sslrootcert=/etc/ssl/rds.pem", password: nil)
        #expect(target.sslMode == .verifyCA && target.rootCertificate == "/etc/ssl/rds.pem")
        #expect(try PostgresTarget(url: "postgresql://u@h/d", password: nil).sslMode == .prefer)
        for mode in PostgresTarget.SSLMode.allCases {
            #expect(try PostgresTarget(url: "postgresql://u@h/d?sslmode=\(mode.rawValue)", password: nil).sslMode == mode)
        }
        #expect(throws: ReportError.self) { try PostgresTarget(url: "postgresql://u@h/d?sslmode=sometimes", password: nil) }
        #expect(throws: ReportError.self) { try PostgresTarget(url: "postgresql://u@h/d?sslcert=/x", password: nil) }
        #expect(PasswordFile.split(#"h:5432:d:u:pa\:ss:word"#) == ["h", "5432", "d", "u", "pa:ss:word"])
    }
}
