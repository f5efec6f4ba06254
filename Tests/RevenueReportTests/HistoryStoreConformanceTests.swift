import Foundation
import Testing
@testable import RevenueReport

/// What every history store must do, written once against the store's protocol (`HistoryStore`,
/// `HistoryReader`) and opened through the one place stores are opened (`HistoryLocation`).
/// Each case runs on every store in `StoreUnderTest.allCases`: a new store adds itself there and
/// must pass all of it. (`HistoryTests` runs the same behaviours end to end, through the binary.)
@Suite struct HistoryStoreConformanceTests {
    /// The stores the suite runs on, each made fresh in a temporary folder.
    enum StoreUnderTest: String, CaseIterable, CustomTestStringConvertible {
        case sqlite
        /// A database of its own on the tests' throwaway cluster (`PostgresCluster`).
        case postgres
        /// The same over TLS, verify-full with the CA file (`TLSCluster`): once, as managed databases serve it.
        case postgresTLS = "postgres-tls"
        var testDescription: String { rawValue }

        func location(in folder: TemporaryFolder) throws -> HistoryLocation {
            try HistoryLocation(self == .sqlite ? folder.path("history.sqlite").path : try historyValue())
        }

        /// What `--history` is given in a test's folder: a file there, or a new database's URL.
        func historyValue() throws -> String {
            switch self {
            case .sqlite: return "h.sqlite"
            case .postgres: return try postgresCluster().database()
            case .postgresTLS:
                let tls = try tlsCluster()
                return try tls.database("sslmode=verify-full&sslrootcert=\(tls.caFile.path)")
            }
        }
    }

    static let july = RunStart(from: CivilDate("2026-07-01"), to: CivilDate("2026-07-15"), source: "conformance")
    static let julyBounds = TimeBounds(start: 1_782_864_000, end: 1_784_160_000)  // 2026-07-01 to 2026-07-16, UTC

    func sighting(_ id: Int64, _ status: String, total: Int = 10, unsuccessful: Int = 0, change: Sighting.Change = .new,
                  matched: Bool = false, day: Int = 2) -> Sighting {
        let upload = RevenueUpload(id: id, status: status, sourceFilename: "file-\(id).csv",
                                   dateUpload: UploadTime(localSeconds: 1_782_864_000 + Int64(day - 1) * 86_400 + id, offsetSeconds: 0),
                                   totalRecords: total, successfulRecords: total - unsuccessful, unsuccessfulRecords: unsuccessful, logs: [])
        return Sighting(upload, change: change, revisited: false, matched: matched)
    }

    func outcome(uploads: Int, new: Int, changed: Int, exitCode: Int32 = 0) -> RunOutcome {
        RunOutcome(exitCode: exitCode, uploads: uploads, new: new, changed: changed, revisited: 0)
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aRunThatSucceedsIsRecordedWithWhatItSaw(store kind: StoreUnderTest) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let location = try kind.location(in: folder)
        let store = try location.open(for: Self.july, logger: quietLogger)
        #expect(store.run == 1 && store.previousRun == nil)
        #expect(try store.knownUploads(in: Self.julyBounds, id: nil).count == 0)
        try store.recordSuccess(outcome(uploads: 2, new: 2, changed: 0), sightings: [sighting(1, "Processed"), sighting(2, "Processing")])
        store.close()

        let reader = try location.openForReading()
        let runs = try reader.runs(last: nil)
        #expect(runs.count == 1)
        #expect(runs.first.map { [$0.status == .ok, $0.exitCode == 0, $0.uploads == 2, $0.new == 2, $0.changed == 0] } == [true, true, true, true, true])
        #expect(runs.first?.from == "2026-07-01" && runs.first?.to == "2026-07-15" && runs.first?.finishedAt != nil)
        #expect(try reader.observations(of: 2)?.map(\.values.status) == ["Processing"])
        #expect(try reader.observations(of: 99) == nil)
        #expect(try reader.latestSuccessfulTo() == CivilDate("2026-07-15"))
        #expect(try location.lastCoveredDay() == CivilDate("2026-07-15"))
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aChangeIsAnObservationAndTheLatestValuesAreKnown(store kind: StoreUnderTest) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let location = try kind.location(in: folder)
        var store = try location.open(for: Self.july, logger: quietLogger)
        try store.recordSuccess(outcome(uploads: 2, new: 2, changed: 0), sightings: [sighting(1, "Processed"), sighting(2, "Processing")])
        store.close()

        store = try location.open(for: Self.july, logger: quietLogger)
        #expect(store.run == 2 && store.previousRun == 1)
        var known = try store.knownUploads(in: Self.julyBounds, id: nil)
        known.seal()
        #expect(known.count == 2)
        #expect(known.lookup(2).map { [$0.wasFinal, $0.alerted] } == [false, false])
        #expect(known.lookup(2)?.fingerprint == KnownUploads.mark(sighting(2, "Processing").values.fingerprint))
        let finished = sighting(2, "Partially Processed", unsuccessful: 3, change: .changed, matched: true)
        try store.recordSuccess(outcome(uploads: 2, new: 0, changed: 1, exitCode: 3), sightings: [finished])
        store.close()

        store = try location.open(for: Self.july, logger: quietLogger)
        defer { store.close() }
        #expect(try store.lastSeen(ids: [2])[2] == finished.values)
        known = try store.knownUploads(in: Self.julyBounds, id: 2)
        known.seal()
        #expect(known.count == 1 && known.lookup(2).map { [$0.wasFinal, $0.alerted] } == [true, true], "final now, and alerted once")
        let observations = try location.openForReading().observations(of: 2)
        #expect(observations?.map(\.run) == [1, 2] && observations?.last?.values.unsuccessfulRecords == 3)
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aFailedRunRecordsOnlyItselfAndTheNextContinuesFromTheLastSuccess(store kind: StoreUnderTest) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let location = try kind.location(in: folder)
        var store = try location.open(for: Self.july, logger: quietLogger)
        try store.recordSuccess(outcome(uploads: 1, new: 1, changed: 0), sightings: [sighting(1, "Processing")])
        store.close()

        store = try location.open(for: RunStart(from: CivilDate("2026-07-16"), to: CivilDate("2026-07-16"), source: "conformance"), logger: quietLogger)
        #expect(store.recordFailure(exitCode: 1, error: "the API said no") == nil)
        store.close()

        let reader = try location.openForReading()
        let runs = try reader.runs(last: nil)
        #expect(runs.map(\.status) == [.failed, .ok], "newest first")
        #expect(runs.first?.exitCode == 1 && runs.first?.error == "the API said no")
        #expect(try reader.observations(of: 1)?.count == 1)
        #expect(try reader.latestSuccessfulTo() == CivilDate("2026-07-15"), "since-last-run starts after the last success")
        #expect(try reader.runs(last: 1).count == 1)
        store = try location.open(for: Self.july, logger: quietLogger)
        defer { store.close() }
        #expect(store.previousRun == 1)
    }

    @Test(arguments: StoreUnderTest.allCases)
    func aRunThatNeverFinishedIsMarkedInterruptedByTheNext(store kind: StoreUnderTest) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let location = try kind.location(in: folder)
        let first = try location.open(for: Self.july, logger: quietLogger)
        try first.recordSuccess(outcome(uploads: 0, new: 0, changed: 0), sightings: [Sighting]())
        first.close()
        let killed = try location.open(for: Self.july, logger: quietLogger)
        #expect(try location.openForReading().runs(last: nil).first?.status == .running)
        killed.close()  // let go without recording anything, as a killed run's lock is let go
        let next = try location.open(for: Self.july, logger: quietLogger)
        defer { next.close() }
        #expect(try location.openForReading().runs(last: nil).map(\.status) == [.running, .interrupted, .ok])
    }

    @Test(arguments: StoreUnderTest.allCases)
    func uploadsLastSeenNotFinalOutsideTheRangeAreAskedForAgain(store kind: StoreUnderTest) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let location = try kind.location(in: folder)
        var store = try location.open(for: Self.july, logger: quietLogger)
        try store.recordSuccess(outcome(uploads: 3, new: 3, changed: 0),
                                sightings: [sighting(1, "Processed", day: 2), sighting(2, "Processing", day: 3), sighting(3, "Processing", day: 10)])
        store.close()
        store = try location.open(for: Self.july, logger: quietLogger)
        defer { store.close() }
        // The next range starts on the 5th: upload 2 (the 3rd, not final) is outside it; 3 is inside; 1 is final.
        let next = TimeBounds(start: 1_782_864_000 + 4 * 86_400, end: nil)
        let pending = try store.pendingUploads(outside: next, id: nil, datedFrom: 0, limit: 10)
        #expect(pending.map(\.id) == [2])
        #expect(try store.pendingUploads(outside: next, id: nil, datedFrom: 1_782_864_000 + 5 * 86_400, limit: 10).isEmpty, "too old to ask for")
    }

    @Test(arguments: StoreUnderTest.allCases)
    func oneRunAtATimeAndTheSecondNamesTheFirst(store kind: StoreUnderTest) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let location = try kind.location(in: folder)
        let first = try location.open(for: Self.july, logger: quietLogger)
        #expect {
            _ = try location.open(for: Self.july, lockWait: 0.3, logger: quietLogger)
        } throws: { error in
            // The holder is named by its pid (SQLite: `another run (pid N)`; PostgreSQL: its
            // application_name, `cg-revenue on HOST pid N`).
            (error as? ReportError)?.exitCode == 1 && "\(error)".contains("pid \(getpid())") && "\(error)".contains("still holds it")
        }
        first.close()
        let second = try location.open(for: Self.july, lockWait: 0.3, logger: quietLogger)
        second.close()
    }

    @Test func aPostgreSQLURLIsReadAndAPasswordInItRefusedWithoutShowingIt() throws {
        let location = try HistoryLocation("postgresql://cg@db.example.com/cg_history?sslmode=verify-full", password: Secret("s3cret"))
        guard case .postgres(let target) = location else { Issue.record("not a PostgreSQL location"); return }
        #expect(target.user == "cg" && target.host == "db.example.com" && target.port == 5432 && target.database == "cg_history")
        #expect(target.sslMode == .verifyFull && target.password?.value == "s3cret")
        #expect(!location.description.contains("s3cret") && !location.planDescription.contains("s3cret"))
        #expect(try HistoryLocation("postgres://cg@db:6543/h").description == "postgresql://cg@db:6543/h")
        for bad in ["postgres://cg:hunter2@db.example.com/cg", "postgresql://db.example.com/cg", "postgresql://cg@db.example.com/",
                    "postgresql://cg@db.example.com/cg?sslmode=sometimes"] {
            #expect {
                _ = try HistoryLocation(bad)
            } throws: { error in
                (error as? ReportError)?.exitCode == 2 && !"\(error)".contains("hunter2")
            }
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func filesSentByUploadAreRecordedAndFoundByTheirBytes(store kind: StoreUnderTest) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let location = try kind.location(in: folder)
        let log = try location.openSentUploads()
        let first = try log.recordSending(SentUpload(file: "march.csv", sentAs: "march.csv", sha256: "aa", sentAt: "2026-12-01T07:30:00.000Z"))
        // Still sending (a run stopped there): not taken as far as anyone knows.
        #expect(try log.takenBefore(sha256: "aa") == nil)
        try log.recordOutcome(key: first, uploadID: 3301, outcome: "taken")
        try log.recordOutcome(key: first, uploadID: nil, outcome: "Processed")
        let refused = try log.recordSending(SentUpload(file: "april.csv", sentAs: "april.csv", sha256: "bb", sentAt: "2026-12-02T07:30:00.000Z"))
        try log.recordOutcome(key: refused, uploadID: nil, outcome: "refused")
        #expect(try log.takenBefore(sha256: "aa") == SentUpload(file: "march.csv", sentAs: "march.csv", sha256: "aa",
                                                                 sentAt: "2026-12-01T07:30:00.000Z", uploadID: 3301, outcome: "Processed"))
        #expect(try log.takenBefore(sha256: "bb") == nil)
        log.close()

        // Read by `history upload ID`; upload runs are not report runs.
        let reader = try location.openForReading()
        #expect(try reader.sent(uploadID: 3301)?.file == "march.csv")
        #expect(try reader.sent(uploadID: 9999) == nil)
        #expect(try reader.runs(last: nil).isEmpty)
    }
}
