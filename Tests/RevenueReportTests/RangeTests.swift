import Foundation
import Testing
@testable import RevenueReport

/// The range is exact: [from 00:00:00, to 23:59:59] on the source zone's clock.
@Suite struct RangeTests {
    func ids(in page: String, filter: RecordFilter, zone: SourceZone = .utc) async throws -> [String] {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("pages/page-1.json", page)
        let outputs = try await runReplay(folder.path("pages"), filter: filter, zone: zone, outputs: [.csv], out: folder.path("out"))
        return outputs[.csv]!.split(separator: "\r\n").dropFirst().map { String($0.prefix(while: { $0 != "," })) }
    }

    let edges = "[" + [
        recordJSON(id: "1", date: "2026-02-28 23:59:59"),  // one second before --from
        recordJSON(id: "2", date: "2026-03-01 00:00:00"),  // first second of --from
        recordJSON(id: "3", date: "2026-03-15 12:00:00"),
        recordJSON(id: "4", date: "2026-03-31 23:59:59"),  // last second of --to
        recordJSON(id: "5", date: "2026-04-01 00:00:00"),  // one second after --to
    ].joined(separator: ",") + "]"

    @Test func bothEdgesAreInsideAndOneSecondOutsideIsNot() async throws {
        let filter = RecordFilter(from: CivilDate("2026-03-01"), to: CivilDate("2026-03-31"))
        #expect(try await ids(in: edges, filter: filter) == ["2", "3", "4"])
    }

    @Test func openEndedRanges() async throws {
        #expect(try await ids(in: edges, filter: RecordFilter(from: CivilDate("2026-03-31"))) == ["4", "5"])
        #expect(try await ids(in: edges, filter: RecordFilter(to: CivilDate("2026-02-28"))) == ["1"])
        #expect(try await ids(in: edges, filter: RecordFilter()) == ["1", "2", "3", "4", "5"])
    }

    @Test func aOneDayRange() async throws {
        let filter = RecordFilter(from: CivilDate("2026-03-31"), to: CivilDate("2026-03-31"))
        #expect(try await ids(in: edges, filter: filter) == ["4"])
    }

    @Test func rangeIsOnTheSourceZoneClockAndTimesCarryItsOffset() async throws {
        let zone = try #require(SourceZone(identifier: "Europe/Amsterdam"))
        let page = "[" + recordJSON(id: "1", date: "2026-03-01 00:30:00") + "," + recordJSON(id: "2", date: "2026-07-01 10:00:00") + "]"
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("pages/p.json", page)
        let csv = try await runReplay(folder.path("pages"), filter: RecordFilter(from: CivilDate("2026-03-01")), zone: zone, outputs: [.csv], out: folder.path("o"))[.csv]!
        #expect(csv.contains("1,Processed,RevenueUploadTemplate_5May2019.xlsx,2026-03-01T00:30:00+01:00,"))
        #expect(csv.contains("2,Processed,RevenueUploadTemplate_5May2019.xlsx,2026-07-01T10:00:00+02:00,"))
    }

    @Test func anExplicitOffsetIsConvertedToTheSourceZone() {
        let time = UploadTime.parse("2026-03-01T23:30:00-02:00", zone: .utc)
        #expect(time?.rfc3339 == "2026-03-02T01:30:00Z")
        #expect(UploadTime.parse("2026-02-30 10:00:00", zone: .utc) == nil)
        #expect(UploadTime.parse("2026-03-01", zone: .utc)?.rfc3339 == "2026-03-01T00:00:00Z")
        #expect(UploadTime.parse("2026-03-01 10:15", zone: .utc)?.rfc3339 == "2026-03-01T10:15:00Z")
        #expect(UploadTime.parse("2026-03-01T10:15Z", zone: .utc)?.rfc3339 == "2026-03-01T10:15:00Z")
        #expect(UploadTime.parse("2026-03-01 10:15:07.250", zone: .utc)?.rfc3339 == "2026-03-01T10:15:07Z")
        #expect(UploadTime.parse("2026-03-01 10", zone: .utc) == nil)
        #expect(UploadTime.parse("yesterday", zone: .utc) == nil)
        #expect(UploadTime.parse("2026-03-01 24:00:00", zone: .utc) == nil)
    }
}

@Suite struct TimestampFormatTests {
    @Test func byteAndStringFormattingAgree() throws {
        let amsterdam = try #require(SourceZone(identifier: "Europe/Amsterdam"))
        let newYork = try #require(SourceZone(identifier: "America/New_York"))
        let kolkata = try #require(SourceZone(identifier: "Asia/Kolkata"))
        for (text, zone) in [("2019-05-15 11:35:54", SourceZone.utc), ("0001-01-01 00:00:00", .utc), ("9999-12-31 23:59:59", .utc),
                             ("2026-03-29 03:10:00", amsterdam), ("2026-11-01 01:30:00", newYork), ("2026-01-01 05:30:00", kolkata)] {
            let time = try #require(UploadTime.parse(text, zone: zone))
            #expect(time.rfc3339 == time.rfc3339ByStrings)
        }
        #expect(UploadTime.parse("2026-01-01 05:30:00", zone: kolkata)?.rfc3339 == "2026-01-01T05:30:00+05:30")
        #expect(UploadTime.parse("2026-11-01 12:00:00", zone: newYork)?.rfc3339 == "2026-11-01T12:00:00-05:00")
    }

    @Test func numbersAsBytesMatchTheirStrings() {
        for value: Int64 in [0, 7, -7, 10, 99, 100, 12_345, -1_000_000, Int64(Int32.max), Int64.max, Int64.min] {
            var bytes: [UInt8] = []
            bytes.appendDecimal(value)
            #expect(String(decoding: bytes, as: UTF8.self) == String(value))
        }
        for tenThousandths in [0, 1, 9, 10, 999, 6_667, 9_999, 10_000, 12_345] {
            var bytes: [UInt8] = []
            bytes.appendFourDecimals(tenThousandths)
            #expect(String(decoding: bytes, as: UTF8.self) == formatFourDecimals(tenThousandths))
        }
    }

    @Test func integersFastAndSlow() {
        #expect(RecordTyper.integer("0") == 0)
        #expect(RecordTyper.integer("123456789012345678") == 123456789012345678)
        #expect(RecordTyper.integer("9223372036854775807") == Int64.max)
        #expect(RecordTyper.integer("9223372036854775808") == nil)
        #expect(RecordTyper.integer(" 42 ") == 42)
        #expect(RecordTyper.integer("-3") == -3)
        #expect(RecordTyper.integer("+3") == nil)
        #expect(RecordTyper.integer("") == nil)
        #expect(RecordTyper.integer("1e3") == nil)
    }
}
