import CLibXML2
import Foundation

/// Maps any XML page onto `JSONValue` with libxml2's streaming reader (xmlTextReader), by the
/// mapping in `XMLOpenElement` (so `<logs/>` is `[]`, and JSON and XML renderings of the same data
/// agree). The common page takes `XMLRecordScanner` instead; this reader has every other page, and
/// words the error of a page that is not well-formed.
///
/// Safety: no network (XML_PARSE_NONET), no entity substitution, no DTD loading; a document that
/// carries a DOCTYPE at all is refused, which rules out external entities and entity bombs
/// before any is declared to the parser's user.
struct XMLParser {
    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { line > 0 ? "invalid XML at line \(line): \(reason)" : "invalid XML: \(reason)" }
    }

    struct Document {
        var rootName: String
        var root: JSONValue
    }

    static let maximumDepth = 256

    static let initialise: Void = { xmlInitParser() }()

    /// No network, CDATA as text; no entity substitution and no DTD loading (libxml2's defaults).
    static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue)

    static func parse(_ data: Data) throws(Failure) -> Document {
        _ = initialise
        guard !data.isEmpty else { throw Failure(line: 0, reason: "the body is empty") }
        guard data.count <= Int(Int32.max) else { throw Failure(line: 0, reason: "the page is too large") }
        let result: Result<Document, Failure> = data.withUnsafeBytes { raw in
            // xmlReaderForMemory does not copy: the buffer must outlive the reader, which it
            // does here because the reader is freed inside this closure.
            let base = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            guard let reader = xmlReaderForMemory(base, Int32(raw.count), nil, nil, options) else {
                return .failure(Failure(line: 0, reason: "libxml2 could not start a reader"))
            }
            defer { xmlFreeTextReader(reader) }
            let errors = ErrorCollector()
            let context = Unmanaged.passUnretained(errors).toOpaque()
            xmlTextReaderSetStructuredErrorHandler(reader, { context, error in
                guard let context, let error else { return }
                let collector = Unmanaged<ErrorCollector>.fromOpaque(context).takeUnretainedValue()
                collector.record(error.pointee)
            }, context)
            var builder = TreeBuilder()
            do {
                return .success(try builder.read(reader, errors: errors))
            } catch let failure as Failure {
                return .failure(failure)
            } catch {
                return .failure(Failure(line: 0, reason: "\(error)"))
            }
        }
        return try result.get()
    }

    /// Keeps the first error libxml2 reports, instead of letting it print to stderr.
    private final class ErrorCollector {
        var first: Failure?

        func record(_ error: xmlError) {
            guard first == nil else { return }
            var message = error.message.map { String(cString: $0) } ?? "unknown error"
            message = message.trimmingCharacters(in: .whitespacesAndNewlines)
            first = Failure(line: Int(error.line), reason: message)
        }
    }

    private struct TreeBuilder {
        var stack: [XMLOpenElement] = []
        var document: Document?
        var names = XMLElementNames()

        func line(_ reader: xmlTextReaderPtr) -> Int { Int(xmlTextReaderGetParserLineNumber(reader)) }

        mutating func name(_ pointer: UnsafePointer<xmlChar>?) -> String {
            guard let pointer else { return "" }
            return names.string(pointer)
        }

        mutating func read(_ reader: xmlTextReaderPtr, errors: ErrorCollector) throws -> Document {
            while true {
                let status = xmlTextReaderRead(reader)
                if status == 0 { break }
                if status < 0 {
                    throw errors.first ?? Failure(line: line(reader), reason: "the document is not well-formed")
                }
                switch UInt32(xmlTextReaderNodeType(reader)) {
                case XML_READER_TYPE_ELEMENT.rawValue:
                    let name = name(xmlTextReaderConstLocalName(reader))
                    guard stack.count < XMLParser.maximumDepth else {
                        throw Failure(line: line(reader), reason: "nesting deeper than \(XMLParser.maximumDepth) levels")
                    }
                    guard document == nil else { throw Failure(line: line(reader), reason: "more than one root element") }
                    let parentInsideLogs = stack.last.map { $0.isLogs || $0.insideLogs } ?? false
                    stack.append(XMLOpenElement(name: name, isLogs: name == "logs", insideLogs: parentInsideLogs))
                    if xmlTextReaderIsEmptyElement(reader) == 1 { closeElement() }
                case XML_READER_TYPE_END_ELEMENT.rawValue:
                    closeElement()
                case XML_READER_TYPE_WHITESPACE.rawValue, XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue:
                    // Between child elements, layout only: an element with children has no text.
                    if let last = stack.last, !last.hasChildElements, let value = xmlTextReaderConstValue(reader) {
                        stack[stack.count - 1].append(text: value)
                    }
                case XML_READER_TYPE_TEXT.rawValue, XML_READER_TYPE_CDATA.rawValue:
                    if !stack.isEmpty, let value = xmlTextReaderConstValue(reader) {
                        stack[stack.count - 1].append(text: value)
                    }
                case XML_READER_TYPE_DOCUMENT_TYPE.rawValue:
                    throw Failure(line: line(reader), reason: "a DOCTYPE is not accepted (no DTDs, no entities)")
                case XML_READER_TYPE_ENTITY_REFERENCE.rawValue, XML_READER_TYPE_ENTITY.rawValue:
                    throw Failure(line: line(reader), reason: "entity references are not accepted")
                default:
                    break  // comments, processing instructions
                }
            }
            if let first = errors.first { throw first }
            guard let document else { throw Failure(line: 0, reason: "no root element") }
            return document
        }

        private mutating func closeElement() {
            var element = stack.removeLast()
            let value = element.value()
            if stack.isEmpty {
                document = Document(rootName: element.name, root: value)
            } else {
                stack[stack.count - 1].add(child: element.name, value: value)
            }
        }
    }
}
