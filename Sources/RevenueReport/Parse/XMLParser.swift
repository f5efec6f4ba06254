import CLibXML2
import Foundation

/// Maps an XML page onto `JSONValue` with libxml2's streaming reader (xmlTextReader).
///
/// The mapping (the README's "What the API may send"): an element with only text becomes a string, an
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
        /// Each child name's first value, in first-seen order.
        var members: [JSONMember] = []
        /// Every value of a name seen more than once, by its place in `members`. Kept apart and
        /// grown in place, so a list of a thousand records is not copied at each append.
        var repeated: [Int: [JSONValue]] = [:]
        /// Places in `members` by name, once there are too many to look through.
        var positions: [String: Int] = [:]
        var entries: [JSONValue] = []
        var hasChildElements = false

        static let linearSearchLimit = 16

        /// Most elements have one text node: it becomes the text, not a copy appended to "".
        mutating func append(text value: UnsafePointer<xmlChar>) {
            if text.isEmpty { text = String(cString: value) } else { text += String(cString: value) }
        }

        mutating func add(child name: String, value: JSONValue) {
            hasChildElements = true
            if isLogs {
                entries.append(value)
                return
            }
            guard let position = position(of: name) else {
                if !positions.isEmpty { positions[name] = members.count }  // once built, kept up to date
                // A record has eight fields: room for them at once, not grown 1, 2, 4, 8.
                if members.isEmpty { members.reserveCapacity(8) }
                members.append(JSONMember(name, value))
                return
            }
            repeated[position, default: [members[position].value]].append(value)
        }

        private mutating func position(of name: String) -> Int? {
            if members.count <= Self.linearSearchLimit {
                return members.firstIndex { $0.key == name }
            }
            if positions.isEmpty {  // built once, from every member so far
                for (index, member) in members.enumerated() where positions[member.key] == nil { positions[member.key] = index }
            }
            return positions[name]
        }

        mutating func value() -> JSONValue {
            if isLogs {
                if !hasChildElements {
                    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                    return trimmed.isEmpty ? .array([]) : .array([XMLParser.scalar(text, insideLogs: true)])
                }
                return .array(entries)
            }
            if hasChildElements {
                for (position, values) in repeated { members[position].value = .array(values) }
                return .object(members)
            }
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
        /// Element names by libxml2's pointer: the reader keeps each name once in its dictionary,
        /// so the same name comes back at the same address and is made into a String once.
        var names: [UnsafePointer<xmlChar>: String] = [:]

        func line(_ reader: xmlTextReaderPtr) -> Int { Int(xmlTextReaderGetParserLineNumber(reader)) }

        mutating func name(_ pointer: UnsafePointer<xmlChar>?) -> String {
            guard let pointer else { return "" }
            if let known = names[pointer] { return known }
            let name = String(cString: pointer)
            if names.count < 1_024 { names[pointer] = name }
            return name
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
                    stack.append(OpenElement(name: name, isLogs: name == "logs", insideLogs: parentInsideLogs))
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
