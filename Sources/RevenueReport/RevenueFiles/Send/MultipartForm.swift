import Foundation

/// A `multipart/form-data` body (RFC 7578) of one part named `file`, as a browser's form or
/// `curl -F file=@…` sends it: the file's name and type, then its bytes.
public struct MultipartForm: Sendable {
    public let boundary: String
    public let body: Data

    public init(file: OutgoingFile, boundary: String = "cg-revenue-" + UUID().uuidString) {
        self.boundary = boundary
        var body = Data()
        body.append(Data("--\(boundary)\r\n".utf8))
        body.append(Data("Content-Disposition: form-data; name=\"file\"; filename=\"\(Self.escaped(file.name))\"\r\n".utf8))
        body.append(Data("Content-Type: \(file.contentType)\r\n\r\n".utf8))
        body.append(file.bytes)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        self.body = body
    }

    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// A file name in a quoted header parameter, escaped as browsers do (WHATWG): `"` as `%22`,
    /// CR and LF as `%0D` and `%0A`; other characters as UTF-8.
    static func escaped(_ name: String) -> String {
        name.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }
}
