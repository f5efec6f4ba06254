import Foundation
import Testing
@testable import RevenueReport

/// Every list shape of the README's "What the API may send", in both formats.
@Suite struct PageShapeTests {
    let typer = RecordTyper(zone: .utc)

    func uploads(_ text: String, _ format: WireFormat) throws -> [RevenueUpload] {
        try parsePage(text, format: format).records.map { record in
            guard case .typed(let upload) = typer.type(record) else {
                Issue.record("record \(record.position) did not type: \(typer.type(record))")
                throw CancellationError()
            }
            return upload
        }
    }

    @Test func jsonSingleRecordObject() throws {
        let result = try uploads(recordJSON(), .json)
        #expect(result.map(\.id) == [123])
        #expect(result[0].status == "Processed")
        #expect(result[0].sourceFilename == "RevenueUploadTemplate_5May2019.xlsx")
        #expect(result[0].dateUpload.rfc3339 == "2019-05-15T11:35:54Z")
        #expect(result[0].totalRecords == 3 && result[0].successfulRecords == 3 && result[0].unsuccessfulRecords == 0)
        #expect(result[0].logs == [])
    }

    @Test func jsonArrayOfRecords() throws {
        let result = try uploads("[\(recordJSON(id: "1")),\(recordJSON(id: "2"))]", .json)
        #expect(result.map(\.id) == [1, 2])
    }

    @Test(arguments: ["Data", "data"])
    func jsonDataWrapperHoldingArray(key: String) throws {
        let result = try uploads("{\"\(key)\":[\(recordJSON(id: "7")),\(recordJSON(id: "8"))]}", .json)
        #expect(result.map(\.id) == [7, 8])
    }

    @Test(arguments: ["Data", "data"])
    func jsonDataWrapperHoldingOneRecord(key: String) throws {
        let result = try uploads("{\"\(key)\":\(recordJSON(id: "9"))}", .json)
        #expect(result.map(\.id) == [9])
    }

    @Test func jsonNumbersAsNumbers() throws {
        let text = #"[{"id":5,"status":"Processed","source_filename":"a.csv","date_upload":"2026-01-02 03:04:05","total_records":10,"successful_records":7,"unsuccessful_records":3,"logs":[{"row":2,"message":"bad"}]}]"#
        let result = try uploads(text, .json)
        #expect(result[0].id == 5)
        #expect(result[0].totalRecords == 10 && result[0].successfulRecords == 7 && result[0].unsuccessfulRecords == 3)
        #expect(result[0].successRateText == "0.7000")
        #expect(result[0].logs == [.object([JSONMember("row", .number("2")), JSONMember("message", .string("bad"))])])
    }

    @Test func jsonMissingAndNullFields() throws {
        let text = #"[{"id":"5","date_upload":"2026-01-02 03:04:05","total_records":null,"status":null}]"#
        let result = try uploads(text, .json)
        #expect(result[0].status == nil)
        #expect(result[0].sourceFilename == nil)
        #expect(result[0].totalRecords == nil && result[0].successfulRecords == nil && result[0].unsuccessfulRecords == nil)
        #expect(result[0].successRateText == nil)
        #expect(result[0].logs == [])
    }

    @Test func jsonEmptyArrayIsAnEmptyPage() throws {
        #expect(try parsePage("[]", format: .json).records.isEmpty)
        #expect(try parsePage("{\"Data\":[]}", format: .json).records.isEmpty)
    }

    @Test(arguments: ["item", "record", "upload"])
    func xmlRootWithRepeatedRecordElements(element: String) throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <response>
              <\(element)><id>1</id><status>Processed</status><source_filename>a.csv</source_filename><date_upload>2026-01-02 03:04:05</date_upload><total_records>3</total_records><successful_records>3</successful_records><unsuccessful_records>0</unsuccessful_records><logs/></\(element)>
              <\(element)><id>2</id><status>Failed</status><source_filename>b.csv</source_filename><date_upload>2026-01-03 03:04:05</date_upload><total_records>2</total_records><successful_records>0</successful_records><unsuccessful_records>2</unsuccessful_records><logs><log>File is larger than 2 MB</log></logs></\(element)>
            </response>
            """
        let result = try uploads(text, .xml)
        #expect(result.map(\.id) == [1, 2])
        #expect(result[1].status == "Failed")
        #expect(result[1].logs == [.string("File is larger than 2 MB")])
    }

    @Test func xmlOneRecordInsideTheRoot() throws {
        let text = "<Data><record><id>4</id><date_upload>2026-01-02 03:04:05</date_upload></record></Data>"
        #expect(try uploads(text, .xml).map(\.id) == [4])
    }

    @Test func xmlSingleRecordAsTheRoot() throws {
        let text = """
            <?xml version="1.0"?>
            <record><id>123</id><status>Processed</status><source_filename>RevenueUploadTemplate_5May2019.xlsx</source_filename>\
            <date_upload>2019-05-15 11:35:54</date_upload><total_records>3</total_records><successful_records>3</successful_records>\
            <unsuccessful_records>0</unsuccessful_records><logs></logs></record>
            """
        let fromXML = try uploads(text, .xml)
        let fromJSON = try uploads(recordJSON(), .json)
        #expect(fromXML == fromJSON)
    }

    @Test func xmlLogsAsNestedElementsMatchJSON() throws {
        let xml = """
            <Data><r><id>1</id><date_upload>2026-01-02 03:04:05</date_upload>
            <logs><entry><row>12</row><column>revenue amount</column><message>not whole</message></entry><entry>Row 7: bad</entry><entry>007</entry></logs>
            </r></Data>
            """
        let json = #"[{"id":"1","date_upload":"2026-01-02 03:04:05","logs":[{"row":12,"column":"revenue amount","message":"not whole"},"Row 7: bad","007"]}]"#
        let fromXML = try uploads(xml, .xml)
        #expect(fromXML == (try uploads(json, .json)))
        #expect(JSONValue.array(fromXML[0].logs).compactText == #"[{"row":12,"column":"revenue amount","message":"not whole"},"Row 7: bad","007"]"#)
    }

    @Test func xmlRepeatedNamesInsideALogEntryBecomeAList() throws {
        let xml = "<Data><r><id>1</id><date_upload>2026-01-02 03:04:05</date_upload><logs><log><row>1</row><row>2</row></log></logs></r></Data>"
        let result = try uploads(xml, .xml)
        #expect(result[0].logs == [.object([JSONMember("row", .array([.number("1"), .number("2")]))])])
    }

    @Test func xmlEmptyElementsAreUnknownValues() throws {
        let xml = "<record><id>3</id><status/><date_upload>2026-01-02 03:04:05</date_upload><total_records/><logs/></record>"
        let result = try uploads(xml, .xml)
        #expect(result[0].totalRecords == nil)
        #expect(result[0].logs == [])
    }

    @Test func xmlEmptyRootIsAnEmptyPage() throws {
        #expect(try parsePage("<Data/>", format: .xml).records.isEmpty)
        #expect(try parsePage("<Data>\n</Data>", format: .xml).records.isEmpty)
    }

    @Test func noDataEnvelopeIsAnEmptyPageInBothFormats() throws {
        let json = try parsePage(#"{"Error":{"Message":"No data found with passed parameters.","Code":400184}}"#, format: .json)
        #expect(json.isNoDataAnswer && json.records.isEmpty)
        let xml = try parsePage("<Error><Message>No data found with passed parameters.</Message><Code>400184</Code></Error>", format: .xml)
        #expect(xml.isNoDataAnswer && xml.records.isEmpty)
        let quotedCode = try parsePage(#"{"Error":{"Message":"No data","Code":"400184"}}"#, format: .json)
        #expect(quotedCode.isNoDataAnswer)
    }

    @Test func otherEnvelopesAreErrorsNamingMessageAndCode() throws {
        let expected = ReportError.apiError(page: "p1", message: "Invalid arguments", code: "300001")
        #expect(throws: expected) {
            try parsePage(#"{"Error":{"Message":"Invalid arguments","Code":300001}}"#, format: .json, origin: "p1")
        }
        #expect(throws: expected) {
            try parsePage("<Error><Message>Invalid arguments</Message><Code>300001</Code></Error>", format: .xml, origin: "p1")
        }
        #expect(expected.description.contains("300001") && expected.description.contains("Invalid arguments"))
    }

    @Test func unrecognisedShapeIsAnError() throws {
        #expect(throws: ReportError.self) { try parsePage(#"{"total": 3}"#, format: .json) }
        #expect(throws: ReportError.self) { try parsePage("42", format: .json) }
    }
}
