import Foundation

/// What the upload POST answered: `{"Data": {"data": 1}}` (XML `<Data><data>1</data></Data>`)
/// when the file was taken, `{"Data": false}` when it was not; an error envelope is an error.
public enum UploadAnswer: Sendable, Equatable {
    case taken
    case refused

    /// Reads a 2xx answer's body; throws the API's error (its message and code) for an error
    /// envelope, and a malformed-page error for anything without `Data`.
    static func read(_ body: Data, format: WireFormat, url: String) throws -> UploadAnswer {
        let value: JSONValue
        var rootName: String?
        do {
            switch format {
            case .json:
                value = try JSONParser.parse(body)
            case .xml:
                let document = try XMLParser.parse(body)
                value = document.root
                rootName = document.rootName
            }
        } catch {
            throw ReportError.malformedPage(page: url, reason: "the upload's answer is not \(format.rawValue.uppercased()): \(error)")
        }
        if rootName?.lowercased() == "error" || value["Error"] != nil || value["error"] != nil {
            // Throws the envelope's message and code; an envelope that says "no data" is no answer either.
            _ = try PageParser.interpret(value, rootName: rootName, origin: url)
            throw ReportError.malformedPage(page: url, reason: "the upload's answer is an error envelope")
        }
        let data: JSONValue? = rootName?.lowercased() == "data" ? value : (value["Data"] ?? value["data"])
        guard let data else {
            throw ReportError.malformedPage(page: url, reason: "the upload's answer has no Data: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        switch data {
        case .bool(false), .null: return .refused
        case .string(let text) where ["false", "0", ""].contains(text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()):
            return .refused
        default: return .taken
        }
    }
}
