import Foundation
import Testing
@testable import RevenueReport

@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Data(text.utf8)) }

    @Test func keepsNumberTextAndMemberOrder() throws {
        #expect(try parse(#"{"b":1,"a":-0.5e10,"c":12345678901234567890123}"#).compactText == #"{"b":1,"a":-0.5e10,"c":12345678901234567890123}"#)
    }

    @Test func trueIsNotOne() throws {
        #expect(try parse("[true,1,false,0,null]") == .array([.bool(true), .number("1"), .bool(false), .number("0"), .null]))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude80""#) == .string("a\"b\\c/d\n\té🚀"))
    }

    @Test(arguments: [
        (#"{"a":1,"a":2}"#, "duplicate member name"),
        (#"[1,2"#, "end of input"),
        (#"[1] x"#, "after the JSON value"),
        (#"{"a":01}"#, "expected ',' or '}'"),
        (#""\ud800""#, "surrogate"),
        ("", "empty"),
        ("<html><body>Bad gateway</body></html>", "unexpected '<'"),
    ])
    func rejectsBadInputWithAReason(text: String, reason: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect("\(error)".contains(reason), "\(error)")
        }
    }

    @Test func boundsNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.Failure.self) { try parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? parse(fine)) != nil)
    }

    @Test func rejectsInvalidUTF8AndAcceptsABOM() throws {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Data([0x22, 0xC3, 0x28, 0x22])) }
        #expect(try JSONParser.parse(Data([0xEF, 0xBB, 0xBF] + Array("[1]".utf8))) == .array([.number("1")]))
    }

    @Test func compactTextEscapesControlCharacters() {
        #expect(JSONValue.string("a\u{01}b\"\n").compactText == #""a\u0001b\"\n""#)
    }
}

@Suite struct XMLParserTests {
    /// An element with more child names than are looked through one by one: a name repeated
    /// after the twentieth still makes a list, and every member keeps its first place.
    @Test func wideElementsStillMakeListsOfRepeatedNames() throws {
        let extras = (1 ... 20).map { "<f\($0)>\($0)</f\($0)>" }.joined()
        let xml = "<r><id>1</id>\(extras)<id>2</id><f3>x</f3><f20>y</f20><f21>z</f21><f3>w</f3></r>"
        let document = try XMLParser.parse(Data(xml.utf8))
        guard case .object(let members) = document.root else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["id"] + (1 ... 21).map { "f\($0)" })
        #expect(document.root["id"] == .array([.string("1"), .string("2")]))
        #expect(document.root["f3"] == .array([.string("3"), .string("x"), .string("w")]))
        #expect(document.root["f20"] == .array([.string("20"), .string("y")]))
        #expect(document.root["f21"] == .string("z"))
        #expect(document.root["f7"] == .string("7"))
    }

    @Test func refusesDoctypeSoNoExternalEntityIsRead() throws {
        let attack = """
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <Data><r><id>1</id><source_filename>&xxe;</source_filename><date_upload>2026-01-01 00:00:00</date_upload></r></Data>
            """
        do {
            _ = try parsePage(attack, format: .xml, origin: "attack.xml")
            Issue.record("a DOCTYPE was accepted")
        } catch {
            let message = "\(error)"
            #expect(message.contains("attack.xml"))
            #expect(message.contains("DOCTYPE"))
            #expect(!message.contains("root:"))
        }
    }

    @Test func refusesEntityExpansionBombs() throws {
        var lol = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        for level in 1...9 {
            lol += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1 == 0 ? "" : String(level - 1));", count: 10) + "\">"
        }
        lol += "]><lolz>&lol9;</lolz>"
        #expect(throws: ReportError.self) { try parsePage(lol, format: .xml) }
    }

    @Test func aBrokenDocumentNamesTheLine() throws {
        do {
            _ = try parsePage("<Data>\n<r><id>1</id>\n</Data>", format: .xml, origin: "p.xml")
            Issue.record("accepted broken XML")
        } catch {
            #expect("\(error)".contains("p.xml"))
            #expect("\(error)".contains("line"))
        }
    }

    @Test func canonicalIntegers() {
        #expect(XMLOpenElement.isCanonicalInteger("0"))
        #expect(XMLOpenElement.isCanonicalInteger("-12"))
        #expect(!XMLOpenElement.isCanonicalInteger("007"))
        #expect(!XMLOpenElement.isCanonicalInteger("-0"))
        #expect(!XMLOpenElement.isCanonicalInteger(" 1"))
        #expect(!XMLOpenElement.isCanonicalInteger("1.0"))
        #expect(!XMLOpenElement.isCanonicalInteger(""))
    }

    @Test func crAndEntitiesSurviveAsText() throws {
        let page = try parsePage("<record><id>1</id><source_filename>a&amp;b&#13;c &lt;d&gt;</source_filename><date_upload>2026-01-01 00:00:00</date_upload></record>", format: .xml)
        #expect(page.records[0].fields["source_filename"] == .string("a&b\rc <d>"))
    }
}
