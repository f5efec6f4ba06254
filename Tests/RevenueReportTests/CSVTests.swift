import Foundation
import Testing
@testable import RevenueReport

@Suite struct CSVTests {
    func csvRow(filename: String, status: String = "Processed", neutralise: Bool = true) -> String {
        let upload = RevenueUpload(id: 1, status: status, sourceFilename: filename, dateUpload: UploadTime.parse("2026-01-01 00:00:00", zone: .utc)!,
                                   totalRecords: 3, successfulRecords: 2, unsuccessfulRecords: 1, logs: [.string("a \"b\", c")])
        let text = String(decoding: CSVWriter(neutraliseFormulas: neutralise).render([upload]), as: UTF8.self)
        let headerLine = CSVWriter.header.joined(separator: ",") + "\r\n"
        #expect(text.hasPrefix(headerLine))
        return String(decoding: text.utf8.dropFirst(headerLine.utf8.count), as: UTF8.self)
    }

    @Test func headerIsExactlyTheREADMEs() {
        #expect(CSVWriter.header.joined(separator: ",") == "id,status,source_filename,date_upload,total_records,successful_records,unsuccessful_records,success_rate,log_count,logs")
    }

    @Test func commasQuotesAndNewlinesAreQuoted() {
        #expect(csvRow(filename: "a,b.csv") == "1,Processed,\"a,b.csv\",2026-01-01T00:00:00Z,3,2,1,0.6667,1,\"[\"\"a \\\"\"b\\\"\", c\"\"]\"\r\n")
        #expect(csvRow(filename: "say \"hi\".csv").contains(",\"say \"\"hi\"\".csv\","))
        #expect(csvRow(filename: "two\nlines.csv").contains(",\"two\nlines.csv\","))
        #expect(csvRow(filename: "cr\rhere.csv").contains(",\"cr\rhere.csv\","))
        #expect(csvRow(filename: "plain.csv").contains(",plain.csv,"))
    }

    @Test(arguments: ["=SUM(A1)", "+31 6", "-2", "@cmd", "\tTab", "\rCR"])
    func formulaLeadingCellsAreNeutralised(filename: String) {
        let row = csvRow(filename: filename)
        #expect(row.contains("'" + filename))
        #expect(!csvRow(filename: filename, neutralise: false).contains("'" + filename))
        #expect(csvRow(filename: filename, neutralise: false).contains(filename))
    }

    /// Rows are written into memory reserved from the format's own bound: texts made only of
    /// what each format escapes most (quotes for the CSV, control characters for NDJSON) must
    /// fit, and read back as they were.
    @Test func rowsOfTheLongestEscapesFitTheirBound() throws {
        let worst = String(repeating: "\"", count: 300) + String(repeating: "\u{01}\u{2028}", count: 200)
        let upload = RevenueUpload(id: Int64.min, status: worst, sourceFilename: "=" + worst, dateUpload: UploadTime(localSeconds: 253_402_300_799, offsetSeconds: -50_400),
                                   totalRecords: Int(Int32.max), successfulRecords: Int(Int32.max), unsuccessfulRecords: 0, logs: [.string(worst)])
        for format: any RowFormat in [CSVWriter(), NDJSONWriter(), XLSXCells()] {
            var row: [UInt8] = []
            format.appendRow(upload, to: &row)
            #expect(row.count <= format.maximumRowSize(upload), "\(format.kind)")
        }
        let line = NDJSONWriter().render([upload])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.dropLast())) as? [String: Any])
        #expect(object["status"] as? String == worst)
        #expect(object["source_filename"] as? String == "=" + worst)
        let csv = String(decoding: CSVWriter().render([upload]), as: UTF8.self)
        #expect(csv.contains(",\"'=" + worst.replacingOccurrences(of: "\"", with: "\"\"") + "\","))
    }

    @Test func statusIsGuardedToo() {
        #expect(csvRow(filename: "x", status: "=HYPERLINK(\"http://e\")").hasPrefix("1,\"'=HYPERLINK("))
    }

    @Test func successRateRoundsHalfUpToFourDecimals() {
        func rate(_ successful: Int, _ total: Int?) -> String? {
            RevenueUpload(id: 1, status: nil, sourceFilename: nil, dateUpload: UploadTime(localSeconds: 0, offsetSeconds: 0),
                          totalRecords: total, successfulRecords: successful, unsuccessfulRecords: nil, logs: []).successRateText
        }
        #expect(rate(2, 3) == "0.6667")
        #expect(rate(1, 3) == "0.3333")
        #expect(rate(1, 8) == "0.1250")
        #expect(rate(1, 20_000) == "0.0001")  // 0.00005 rounds up
        #expect(rate(3, 3) == "1.0000")
        #expect(rate(0, 0) == nil)
        #expect(rate(0, nil) == nil)
    }
}
