import CLibXML2
import Foundation

/// Maps an XML page onto `JSONValue` with libxml2's streaming reader (xmlTextReader).
///
/// The mapping (DESIGN.md, "Shapes to accept"): an element with only text becomes a string, an
/// element with child elements an object, repeated child names a list. Every child of a `<logs>`
/// element is one entry of a list (so `<logs/>` is `[]`), and inside `logs` a text that is a
/// canonical integer becomes a number, so JSON and XML renderings of the same data agree.
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

    private static let initialise: Void = { xmlInitParser() }()

    static func parse(_ data: Data) throws(Failure) -> Document {
        _ = initialise
        guard !data.isEmpty else { throw Failure(line: 0, reason: "the body is empty") }
        guard data.count <= Int(Int32.max) else { throw Failure(line: 0, reason: "the page is too large") }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue)
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

    /// One open element while reading.
    private struct OpenElement {
        var name: String
        var isLogs: Bool
        var insideLogs: Bool
        var text = ""
        var members: [JSONMember] = []
        var memberPositions: [String: Int] = [:]
        var repeatedNames: Set<String> = []
        var entries: [JSONValue] = []
        var hasChildElements = false

        mutating func add(child name: String, value: JSONValue) {
            hasChildElements = true
            if isLogs {
                entries.append(value)
                return
            }
            guard let position = memberPositions[name] else {
                memberPositions[name] = members.count
                members.append(JSONMember(name, value))
                return
            }
            if repeatedNames.contains(name), case .array(var items) = members[position].value {
                items.append(value)
                members[position].value = .array(items)
            } else {
                repeatedNames.insert(name)
                members[position].value = .array([members[position].value, value])
            }
        }

        func value() -> JSONValue {
            if isLogs {
                if !hasChildElements {
                    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                    return trimmed.isEmpty ? .array([]) : .array([XMLParser.scalar(text, insideLogs: true)])
                }
                return .array(entries)
            }
            if hasChildElements { return .object(members) }
            return XMLParser.scalar(text, insideLogs: insideLogs)
        }
    }

    static func scalar(_ text: String, insideLogs: Bool) -> JSONValue {
        insideLogs && isCanonicalInteger(text) ? .number(text) : .string(text)
    }

    /// `0`, `42`, `-7`: no sign other than minus, no leading zeros, no spaces.
    static func isCanonicalInteger(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.hasPrefix("-") { digits = digits.dropFirst() }
        guard let first = digits.utf8.first, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        if first == 0x30 { return digits.utf8.count == 1 && !text.hasPrefix("-") }
        return true
    }

    private struct TreeBuilder {
        var stack: [OpenElement] = []
        var document: Document?

        mutating func read(_ reader: xmlTextReaderPtr, errors: ErrorCollector) throws -> Document {
            while true {
                let status = xmlTextReaderRead(reader)
                if status == 0 { break }
                if status < 0 {
                    throw errors.first ?? Failure(line: Int(xmlTextReaderGetParserLineNumber(reader)), reason: "the document is not well-formed")
                }
                let line = Int(xmlTextReaderGetParserLineNumber(reader))
                switch UInt32(xmlTextReaderNodeType(reader)) {
                case XML_READER_TYPE_ELEMENT.rawValue:
                    let name = xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
                    guard stack.count < XMLParser.maximumDepth else {
                        throw Failure(line: line, reason: "nesting deeper than \(XMLParser.maximumDepth) levels")
                    }
                    guard document == nil else { throw Failure(line: line, reason: "more than one root element") }
                    let parentInsideLogs = stack.last.map { $0.isLogs || $0.insideLogs } ?? false
                    stack.append(OpenElement(name: name, isLogs: name == "logs", insideLogs: parentInsideLogs))
                    if xmlTextReaderIsEmptyElement(reader) == 1 { closeElement() }
                case XML_READER_TYPE_END_ELEMENT.rawValue:
                    closeElement()
                case XML_READER_TYPE_TEXT.rawValue, XML_READER_TYPE_CDATA.rawValue,
                     XML_READER_TYPE_WHITESPACE.rawValue, XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue:
                    if !stack.isEmpty, let value = xmlTextReaderConstValue(reader) {
                        stack[stack.count - 1].text += String(cString: value)
                    }
                case XML_READER_TYPE_DOCUMENT_TYPE.rawValue:
                    throw Failure(line: line, reason: "a DOCTYPE is not accepted (no DTDs, no entities)")
                case XML_READER_TYPE_ENTITY_REFERENCE.rawValue, XML_READER_TYPE_ENTITY.rawValue:
                    throw Failure(line: line, reason: "entity references are not accepted")
                default:
                    break  // comments, processing instructions
                }
            }
            if let first = errors.first { throw first }
            guard let document else { throw Failure(line: 0, reason: "no root element") }
            return document
        }

        private mutating func closeElement() {
            let element = stack.removeLast()
            let value = element.value()
            if stack.isEmpty {
                document = Document(rootName: element.name, root: value)
            } else {
                stack[stack.count - 1].add(child: element.name, value: value)
            }
        }
    }
}
