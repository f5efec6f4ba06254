import CustomerGaugeSandbox
import Foundation
import Testing
@testable import RevenueReport

/// The SAX reader of common XML pages must type every page it takes exactly as the general
/// parser (libxml2's reader and the tree builder) and the typer do, and hand everything else to them.
@Suite struct XMLScannerParityTests {
    /// Each record's outcome through the scanner, or nil when the scanner declines the page.
    func scanned(_ bytes: Data) -> [String]? { FuzzEntry.scannedOutcomes(RawPage(origin: "p", format: .xml, bytes: bytes)) }

    /// The same through `PageParser` and the typer; nil when the general parser refuses the page.
    func general(_ bytes: Data) -> [String]? { FuzzEntry.generalOutcomes(RawPage(origin: "p", format: .xml, bytes: bytes)) }

    @Test func takesTheExamplePagesAndTypesThemAsTheGeneralParserDoes() throws {
        try expectExamplePagesScannedAsParsed("examples/responses-xml", format: .xml)
    }

    /// The generator's pages, awkward names and every kind of log entry included, as the bench
    /// and the sandbox send them.
    @Test func takesGeneratedPagesAndTypesThemAsTheGeneralParserDoes() {
        let uploads = UploadGenerator(seed: 11, count: 900, from: CivilDate("2026-01-01")!, to: CivilDate("2026-03-31")!).uploads()
        let awkward = uploads.enumerated().map { index, upload in
            var copy = upload
            if index % 4 == 0 { copy.sourceFilename = UploadGenerator.awkwardNames[index % UploadGenerator.awkwardNames.count] + "\r\n & <tail> " }
            return copy
        }
        var withLogs = 0
        for start in stride(from: 0, to: awkward.count, by: 300) {
            let page = Array(awkward[start ..< start + 300])
            withLogs += page.filter { !$0.logs.isEmpty }.count
            let bytes = Data(PageRenderer.xml(page).utf8)
            let fast = scanned(bytes)
            #expect(fast?.count == 300)
            #expect(fast == general(bytes))
        }
        #expect(withLogs > 50)
    }

    static let record = "<id>1</id><date_upload>2026-01-02 03:04:05</date_upload>"

    static let pages: [String] = [
        "<Data><record>\(record)</record></Data>",
        "<?xml version=\"1.0\"?>\n<data>\n  <r>\(record)<status/><logs/></r>\n  <r><id> 2 </id><date_upload>2026-01-02</date_upload></r>\n</data>\n",
        "<Data><record><id>x</id><total_records>01</total_records><successful_records>-1</successful_records><unsuccessful_records>1e3</unsuccessful_records></record></Data>",
        "<Data><record>\(record)<logs>  </logs></record></Data>",
        "<Data><record>\(record)<logs> one line </logs></record></Data>",
        "<Data><record>\(record)<logs>\u{00A0}</logs></record></Data>",  // Unicode white space only
        "<Data><record>\(record)<logs><log>7</log><log>007</log><log>-0</log><log><row>38</row><message>bad &amp; &lt;q&gt; é</message></log><log/></logs></record></Data>",
        "<Data><record>\(record)<logs><log><a>1</a><a>2</a><b><c>-5</c></b></log><log>text<x>1</x>tail</log><log><logs><l>3</l></logs></log></logs></record></Data>",
        "<Data><record>\(record)<source_filename>a<!-- c -->b<?pi x?>c<![CDATA[<d>&]]>&#13;&#x1F680;</source_filename></record></Data>",
        "<ns:Data xmlns:ns=\"urn:x\"><ns:record a=\"1\"><ns:id>3</ns:id><date_upload>2026-01-02 03:04:05</date_upload></ns:record></ns:Data>",
        "\u{FEFF}<Data><record>\(record)</record><record><id>4</id></record></Data>",
        "<Data><record>\(record)<extra>1</extra></record></Data>",  // 11: a field it does not know: declined
        "<Data><record>\(record)<id>2</id></record></Data>",  // 12: a repeated field: declined
        "<Data><record>\(record)</record><item>\(record)</item></Data>",  // 13: two record names: declined
        "<record>\(record)</record>",  // 14: the root is the record: declined
        "<Error><Code>400184</Code><Message>No data</Message></Error>",  // 15: declined
        "<Data/>",  // 16: no records: declined
        "<Data><Data><record>\(record)</record></Data></Data>",  // 17: declined
        "<Data><record><id>1<b/></id></record></Data>",  // 18: an element in a plain field: declined
        "<Data><record/></Data>",  // 19: a record with no fields: declined
        "<logs><record>\(record)</record></logs>",  // 20: a root logs: declined
        "<Data><record>\(record)</record></Data><Data/>",  // 21: two roots: declined, refused
        "<Data><record>\(record)</record>",  // 22: unclosed: declined, refused
        "<Data><record><id>&nope;</id></record></Data>",  // 23: an undeclared entity: declined, refused
    ]

    @Test(arguments: pages)
    func agreesWithTheGeneralParserOrDeclines(page: String) {
        let bytes = Data(page.utf8)
        guard let fast = scanned(bytes) else { return }  // declined: the general parser has the page
        #expect(fast == general(bytes))
    }

    @Test func takesTheCommonShapesWhateverTheValues() {
        for index in 0 ... 10 {
            #expect(scanned(Data(Self.pages[index].utf8)) != nil, "\(Self.pages[index])")
        }
    }

    @Test func declinesWhatItDoesNotHandle() {
        for index in 11 ... 20 {
            #expect(scanned(Data(Self.pages[index].utf8)) == nil, "\(Self.pages[index])")
        }
        for index in 21 ... 23 {
            #expect(scanned(Data(Self.pages[index].utf8)) == nil && general(Data(Self.pages[index].utf8)) == nil, "\(Self.pages[index])")
        }
    }

    @Test func encodingsAreReadAsTheReaderReadsThem() throws {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><Data><r><id>7</id><source_filename>Umsätze 🚀.xlsx</source_filename><date_upload>2026-01-01 00:00:00</date_upload></r></Data>"
        var utf16 = Data([0xFF, 0xFE])
        utf16.append(text.data(using: .utf16LittleEndian)!)
        let latin1 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Data><r><id>8</id><source_filename>Ums\u{E4}tze.xlsx</source_filename><date_upload>2026-01-01 00:00:00</date_upload></r></Data>"
        for bytes in [utf16, latin1.data(using: .isoLatin1)!] {
            let fast = try #require(scanned(bytes))
            #expect(fast == general(bytes))
            #expect(fast.first?.contains("Ums\u{E4}tze") == true, "\(fast)")
        }
    }

    /// A DOCTYPE, entities, deep nesting, bad bytes: declined (the general reader then refuses
    /// them and says why), or taken and agreed.
    @Test func hostileInputsAreDeclinedOrAgreed() throws {
        let folder = packageRoot.appendingPathComponent("Fuzz/regressions/FuzzXMLPage")
        var hostile = try FileManager.default.contentsOfDirectory(atPath: folder.path).map { try Data(contentsOf: folder.appendingPathComponent($0)) }
        let doctypes = [
            "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Data><r><id>1</id><source_filename>&x;</source_filename></r></Data>",
            "<?xml version=\"1.0\"?><!DOCTYPE Data SYSTEM \"http://127.0.0.1:9/dtd\"><Data><r>\(Self.record)</r></Data>",
            "<!DOCTYPE Data><Data><r>\(Self.record)</r></Data>",
        ]
        for page in doctypes {
            #expect(scanned(Data(page.utf8)) == nil, "\(page)")
            hostile.append(Data(page.utf8))
        }
        let deep = "<Data><r>\(Self.record)<logs>" + String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300) + "</logs></r></Data>"
        #expect(scanned(Data(deep.utf8)) == nil)
        var badBytes = Array("<Data><r><id>1</id><source_filename>".utf8)
        badBytes += [0xC3, 0x28, 0xFF]
        badBytes += Array("</source_filename></r></Data>".utf8)
        #expect(scanned(Data(badBytes)) == nil)
        hostile += [Data(deep.utf8), Data(badBytes), Data(), Data("<".utf8), Data("<Da".utf8)]
        for bytes in hostile {
            if let fast = scanned(bytes) { #expect(fast == general(bytes), "\(String(decoding: bytes.prefix(80), as: UTF8.self))") }
        }
    }
}
