import Foundation
import Testing
@testable import RevenueReport

/// The tree-less reader of common JSON pages must type every page it takes exactly as the
/// general parser and typer do, and hand everything else to them.
@Suite struct JSONScannerParityTests {
    /// Each record's outcome through the scanner, or nil when the scanner declines the page.
    func scanned(_ bytes: Data) -> [String]? { FuzzEntry.scannedOutcomes(RawPage(origin: "p", format: .json, bytes: bytes)) }

    /// The same through `PageParser` and the typer; nil when the general parser refuses the page.
    func general(_ bytes: Data) -> [String]? { FuzzEntry.generalOutcomes(RawPage(origin: "p", format: .json, bytes: bytes)) }

    /// The scanner keeps a record's logs as received only when writing them again would give
    /// the same bytes: checked against `write` on text with and without what it would change.
    @Test func logsAreKeptAsReceivedOnlyWhenWritingThemAgainGivesTheSameBytes() throws {
        let samples = [#"[]"#, #"["a",1,{"b":[true,null]}]"#, #"["é …","x"]"#, #"[ "a"]"#, #"["a",{"b" :1}]"#, "[\"a\n\"]".replacingOccurrences(of: "\n", with: "\\n"),
                       #"["\u0041"]"#, #"["a\/b"]"#, "[\"\u{2028}\"]", "[\"\u{2029}x\"]", #"[1.50,-0,2E+3]"#, "[\"a\",\n\"b\"]"]
        var keptSome = false, declinedSome = false
        for sample in samples {
            let bytes = Array(sample.utf8)
            let value = try JSONParser.parse(Data(bytes))
            var written: [UInt8] = []
            value.write(to: &written)
            let kept = bytes.withUnsafeBufferPointer { JSONValue.isWrittenAsReceived($0) }
            // Kept only when writing again gives these very bytes (an escape that would come
            // back the same is still written again: the check does not decode escapes).
            if kept { #expect(written == bytes, "\(sample): kept, but written again as \(String(decoding: written, as: UTF8.self))") }
            if written != bytes { #expect(!kept, "\(sample)") }
            keptSome = keptSome || kept
            declinedSome = declinedSome || !kept
        }
        #expect(keptSome && declinedSome)
        // What the generator and most APIs send is kept.
        for compact in [#"[]"#, #"["a",1,{"b":[true,null]}]"#, #"["é …","x"]"#, #"[1.50,-0,2E+3]"#] {
            #expect(Array(compact.utf8).withUnsafeBufferPointer { JSONValue.isWrittenAsReceived($0) }, "\(compact)")
        }
    }

    @Test func takesTheExamplePagesAndTypesThemAsTheGeneralParserDoes() throws {
        try expectExamplePagesScannedAsParsed("examples/responses", format: .json)
    }

    static let pages: [String] = [
        #"[]"#,
        #"{"data": []}"#,
        #"{"Data": [{"id": "1", "date_upload": "2026-01-02 03:04:05"}]}"#,
        #"\#u{FEFF}[{"id": 2, "status": null, "date_upload": "2026-01-02"}]"#,
        #"[{}]"#,
        #"[{"id": "x", "date_upload": 5, "total_records": true, "successful_records": {}, "unsuccessful_records": [1]}]"#,
        #"[{"id": "3", "date_upload": "2026-01-02 03:04:05", "logs": [{"row": 38, "message": "bad \"q\" \u00e9"}, 7, "x"]}]"#,
        #"[{"id": "4", "date_upload": "2026-01-02 03:04:05", "logs": "one line"}]"#,
        #"[{"id": "5", "date_upload": "2026-01-02T03:04:05+02:00", "logs": ""}]"#,
        #"[{"id": "6", "date_upload": "2026-02-30 03:04:05"}]"#,
        #"[{"id": "7", "date_upload": "2026-01-02 03:04:05", "source_filename": "a,\"b\"\n\u2028.csv"}]"#,
        #"[{"id": "8", "extra": 1, "date_upload": "2026-01-02 03:04:05"}]"#,  // unknown member: declined
        #"[{"id": "9", "id": "10", "date_upload": "2026-01-02 03:04:05"}]"#,  // repeated: declined, general refuses
        #"[{"i\u0064": "11", "date_upload": "2026-01-02 03:04:05"}]"#,  // escaped name: declined
        #"{"data": [], "more": 1}"#,
        #"{"Error": {"Code": 400184, "Message": "No data"}}"#,
        #"{"id": "12", "date_upload": "2026-01-02 03:04:05"}"#,  // a single record: declined, general takes it
        #"[1, 2]"#,
        #"[{"id": "13", "date_upload": "2026-01-02 03:04:05"},]"#,
        #"[{"id": "14", "date_upload": "2026-01-02 03:04:05"}] x"#,
        #"[{"id": "15", "date_upload": "2026-01-02 03:04:05", "total_records": "01", "successful_records": -1, "unsuccessful_records": 1e3}]"#,
        #"[{"id": " 16 ", "date_upload": "2026-01-02 03:04:05", "status": 42}]"#,
        // Logs kept as received (compact, no escapes) and logs written again (spaces, escapes,
        // a raw U+2028): the same upload either way.
        #"[{"id": "41", "date_upload": "2026-01-02 03:04:05", "logs": ["Row 1: x",{"row":2,"message":"y é …"},3,true,null,-1.5e3,[[]],{}]}]"#,
        #"[{"id": "42", "date_upload": "2026-01-02 03:04:05", "logs": [ "Row 1: x" , {"row": 2} ]}]"#,
        #"[{"id": "43", "date_upload": "2026-01-02 03:04:05", "logs": ["a\u00e9","b\/c","\\"]}]"#,
        "[{\"id\": \"44\", \"date_upload\": \"2026-01-02 03:04:05\", \"logs\": [\"line\u{2028}separator\", \"p\u{2029}\"]}]",
    ]

    @Test(arguments: pages)
    func agreesWithTheGeneralParserOrDeclines(page: String) {
        let bytes = Data(page.utf8)
        guard let fast = scanned(bytes) else { return }  // declined: the general parser has the page
        #expect(fast == general(bytes))
    }

    @Test func takesTheCommonShapesWhateverTheValues() {
        for index in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 21, 22, 23, 24, 25] {
            #expect(scanned(Data(Self.pages[index].utf8)) != nil, "\(Self.pages[index])")
        }
    }

    @Test func declinesWhatItDoesNotHandle() {
        for page in [Self.pages[11], Self.pages[12], Self.pages[13], Self.pages[14], Self.pages[15], Self.pages[16], Self.pages[17]] {
            #expect(scanned(Data(page.utf8)) == nil, "\(page)")
        }
        #expect(scanned(Data(Self.pages[18].utf8)) == nil && general(Data(Self.pages[18].utf8)) == nil)  // trailing comma
        #expect(scanned(Data(Self.pages[19].utf8)) == nil && general(Data(Self.pages[19].utf8)) == nil)  // text after the list
    }

    /// A record typed in place (from its bytes) must be the upload the general way gives; what
    /// the in-place reading does not take goes the general way. Values at the edges of each
    /// reading: digits' count, signs, spaces, leading zeros, the time's form, text that is not ASCII.
    @Test(arguments: [
        (#""id": "123456789012345678""#, true), (#""id": "1234567890123456789""#, false), (#""id": 7"#, true), (#""id": "007""#, true),
        (#""id": " 7""#, false), (#""id": "+7""#, false), (#""id": "-7""#, false), (#""id": 7.0"#, false), (#""id": """#, false),
        (#""total_records": "2147483647""#, true), (#""total_records": "2147483648""#, false), (#""total_records": """#, true),
        (#""total_records": null"#, true), (#""total_records": 0"#, true), (#""total_records": "00000000001""#, false),
        (#""status": 42"#, true), (#""status": "Fertig é …""#, true), (#""status": "a\"b""#, false), (#""status": null"#, true),
        (#""status": true"#, false), (#""source_filename": "Umsätze März.xlsx""#, true), (#""source_filename": "\u00e9""#, false),
        (#""date_upload": "2026-01-02T03:04:05""#, true), (#""date_upload": "2026-01-02 03:04""#, false),
        (#""date_upload": "2026-01-02 03:04:05Z""#, false), (#""date_upload": "2026-13-02 03:04:05""#, false),
        (#""logs": []"#, true), (#""logs": ["a", {"row": 1}]"#, true), (#""logs": "a""#, false), (#""logs": null"#, true),
    ])
    func theCommonRecordIsTypedInPlaceAsTheGeneralWayTypesIt(member: String, inPlace: Bool) throws {
        var members = [#""id": "1""#, #""date_upload": "2026-01-02 03:04:05""#, #""status": "Processed""#, #""total_records": "3""#]
        let name = String(member.prefix { $0 != ":" })
        members.removeAll { $0.hasPrefix(name + ":") }
        members.append(member)
        let bytes = Data("[{\(members.joined(separator: ", "))}]".utf8)
        let fast = try #require(scanned(bytes), "\(member): the scanner should take the page")
        #expect(fast == general(bytes), "\(member)")
        let page = RawPage(origin: "p", format: .json, bytes: bytes)
        let records = try #require(PageParser.scannedRecords(page))
        let typedInPlace = records.withText(of: page) { RecordTyper(zone: .utc).uploadInPlace(records.records[0], text: $0) != nil }
        #expect(typedInPlace == inPlace, "\(member)")
    }

    @Test func hostileInputsAreDeclinedOrAgreed() throws {
        let folder = packageRoot.appendingPathComponent("Fuzz/regressions/FuzzJSONPage")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let bytes = try Data(contentsOf: folder.appendingPathComponent(file))
            if let fast = scanned(bytes) { #expect(fast == general(bytes), "\(file)") }
        }
        // Nesting past the parser's limit inside a record is refused here too, not recursed into.
        let deep = #"[{"id": "1", "logs": "# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}]"
        #expect(scanned(Data(deep.utf8)) == nil)
    }
}
