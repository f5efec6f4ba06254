import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// libpq's TLS conventions (`sslmode`, `sslrootcert`, `~/.postgresql/root.crt`) as NIOSSL and
/// postgres-nio take them, and, when a certificate does not verify, which check failed.
enum PostgresTLS {
    /// The CA certificates to trust: `sslrootcert=FILE`; `sslrootcert=system` or nothing at hand:
    /// the system's store; with no `sslrootcert`, `~/.postgresql/root.crt` when it exists (libpq's).
    enum TrustRoots: Equatable {
        case system
        case file(String)

        var description: String {
            switch self {
            case .system: return "the system's trust store"
            case .file(let path): return path
            }
        }
    }

    static func trustRoots(_ target: PostgresTarget, home: String = PasswordFile.homeDirectory()) throws -> TrustRoots {
        if let named = target.rootCertificate {
            if named == "system" { return .system }
            let path = (named as NSString).expandingTildeInPath
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ReportError.usage("--history \(target): sslrootcert=\(named): cannot read the CA file (\(FileProblem.describe(path: path)))")
            }
            return .file(path)
        }
        let userFile = (home as NSString).appendingPathComponent(".postgresql/root.crt")
        return FileManager.default.isReadableFile(atPath: userFile) ? .file(userFile) : .system
    }

    /// How to connect, first: postgres-nio's TLS for the mode (`allow` starts without TLS).
    static func configuration(_ target: PostgresTarget, roots: TrustRoots) throws -> PostgresConnection.Configuration.TLS {
        switch target.sslMode {
        case .disable, .allow:
            return .disable
        case .prefer:
            return .prefer(try context(verification: .none, roots: roots, target: target))
        case .require:
            // libpq: with a CA file at hand, require checks the certificate as verify-ca does.
            let checks = target.rootCertificate != nil || roots != .system
            return .require(try context(verification: checks ? .noHostnameVerification : .none, roots: roots, target: target))
        case .verifyCA:
            return .require(try context(verification: .noHostnameVerification, roots: roots, target: target))
        case .verifyFull:
            // The host name (or, for an address, the IP address) checked against the certificate's names.
            return .require(try context(verification: .fullVerification, roots: roots, target: target))
        }
    }

    /// `allow`'s second try, when the server refused a connection without TLS: TLS, unchecked.
    static func allowRetry(_ target: PostgresTarget, roots: TrustRoots) throws -> PostgresConnection.Configuration.TLS {
        .require(try context(verification: .none, roots: roots, target: target))
    }

    static func context(verification: CertificateVerification, roots: TrustRoots, target: PostgresTarget) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = verification
        if case .file(let path) = roots, verification != .none {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            } catch {
                throw ReportError.usage("--history \(target): the CA file \(path) holds no PEM certificate (\(error))")
            }
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw ReportError.usage("--history \(target): TLS cannot be set up: \(error)")
        }
    }

    /// Whether a connection failed on the server's certificate (not on the network), and what to say.
    static func certificateFailure(_ error: any Error, target: PostgresTarget, roots: TrustRoots) -> String? {
        let underlying = (error as? PSQLError)?.underlying ?? error
        if let extra = underlying as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "the server's certificate does not name \(target.host) (host name check of sslmode=verify-full)"
        }
        guard let ssl = underlying as? NIOSSLError, case .handshakeFailed(let reason) = ssl,
              "\(reason)".uppercased().contains("CERTIFICATE_VERIFY_FAILED") else { return nil }
        // BoringSSL says only that it failed: the chain is read again, unchecked, to say why.
        if let leaf = try? peerCertificates(target).first {
            let now = time(nil)
            if leaf.notValidAfter < now {
                return "the server's certificate expired on \(day(leaf.notValidAfter)) (dates check)"
            }
            if leaf.notValidBefore > now {
                return "the server's certificate is not valid before \(day(leaf.notValidBefore)) (dates check)"
            }
        }
        return "the server's certificate is not signed by a CA in \(roots.description) (CA check of sslmode=\(target.sslMode.rawValue))"
    }

    private static func day(_ time: time_t) -> String {
        Timestamp.rfc3339(Date(timeIntervalSince1970: TimeInterval(time)))
    }

    /// The certificates the server presents, read over a connection of its own: PostgreSQL's
    /// SSLRequest, then a TLS handshake that keeps the chain and goes no further.
    static func peerCertificates(_ target: PostgresTarget) throws -> [NIOSSLCertificate] {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let chain = OnceOnLoop(loop.makePromise(of: [NIOSSLCertificate].self))
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        let context = try NIOSSLContext(configuration: configuration)
        let hostname = target.host.isIPAddressLiteral ? nil : target.host
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SSLRequestHandler(context: context, hostname: hostname, chain: chain))
                }
            }
        let channel = try bootstrap.connect(host: target.host, port: target.port).wait()
        let timeout = loop.scheduleTask(in: .seconds(10)) { chain.fail(ChannelError.connectTimeout(.seconds(10))) }
        defer {
            timeout.cancel()
            channel.close(promise: nil)
        }
        return try chain.promise.futureResult.wait()
    }

    /// A promise completed once, whoever comes first (the chain, an error, the time running out);
    /// used on its event loop only.
    private final class OnceOnLoop: @unchecked Sendable {
        let promise: EventLoopPromise<[NIOSSLCertificate]>
        private var done = false

        init(_ promise: EventLoopPromise<[NIOSSLCertificate]>) { self.promise = promise }

        func succeed(_ value: [NIOSSLCertificate]) {
            guard !done else { return }
            done = true
            promise.succeed(value)
        }

        func fail(_ error: any Error) {
            guard !done else { return }
            done = true
            promise.fail(error)
        }
    }

    /// Sends PostgreSQL's SSLRequest; on its `S`, puts a TLS handler in its place whose
    /// verification only keeps the chain (and fails the handshake: nothing more is needed).
    private final class SSLRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let context: NIOSSLContext
        let hostname: String?
        let chain: OnceOnLoop

        init(context: NIOSSLContext, hostname: String?, chain: OnceOnLoop) {
            self.context = context
            self.hostname = hostname
            self.chain = chain
        }

        func channelActive(context channelContext: ChannelHandlerContext) {
            // Length 8, then the SSLRequest code 80877103.
            let request = channelContext.channel.allocator.buffer(bytes: [0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F])
            channelContext.writeAndFlush(wrapOutboundOut(request), promise: nil)
        }

        func channelRead(context channelContext: ChannelHandlerContext, data: NIOAny) {
            let answer = unwrapInboundIn(data)
            guard answer.getInteger(at: answer.readerIndex, as: UInt8.self) == UInt8(ascii: "S") else {
                chain.fail(ChannelError.inappropriateOperationForState)
                return
            }
            let promise = chain
            do {
                let tls = try NIOSSLClientHandler(context: self.context, serverHostname: hostname) { certificates, verified in
                    promise.succeed(certificates)
                    verified.succeed(NIOSSLVerificationResult.failed)
                }
                try channelContext.pipeline.syncOperations.addHandler(tls, position: .after(self))
                channelContext.pipeline.syncOperations.removeHandler(self, promise: nil)
            } catch {
                chain.fail(error)
            }
        }

        func errorCaught(context channelContext: ChannelHandlerContext, error: any Error) {
            chain.fail(error)
        }
    }
}

extension String {
    /// An IPv4 or IPv6 address written as such (no SNI for those).
    var isIPAddressLiteral: Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, self, &v4) == 1 || inet_pton(AF_INET6, self, &v6) == 1
    }
}
