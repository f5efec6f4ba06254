import CLibXML2
import Foundation

/// Walks an XML document (a revenue file, or a part of a workbook) element by element with
/// libxml2's reader, hardened as the API pages are: no network, no entity substitution, no DTD
/// loading, and a DOCTYPE refused outright. Whatever libxml2 reports ends the walk as an
/// `UnreadableFile` naming the line.
struct XMLWalker {
    enum Event {
        case start(name: String, depth: Int)
        case text(String)
        case end(name: String, depth: Int)
    }

    /// The bytes of a document (held by the caller for as long as the walk lasts).
    static func walk(_ bytes: [UInt8], what: String, _ body: (Event, OpaquePointer) throws -> Void) throws {
        _ = XMLParser.initialise
        guard !bytes.isEmpty else { throw UnreadableFile("\(what) is empty") }
        try bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            guard let reader = xmlReaderForMemory(base, Int32(buffer.count), nil, nil, XMLParser.options) else {
                throw UnreadableFile("\(what): libxml2 could not start a reader")
            }
            defer { xmlFreeTextReader(reader) }
            try walk(reader, what: what, body)
        }
    }

    /// A document in a file, read as it goes (memory stays flat).
    static func walk(file path: String, what: String, _ body: (Event, OpaquePointer) throws -> Void) throws {
        _ = XMLParser.initialise
        guard let reader = xmlReaderForFile(path, nil, XMLParser.options) else { throw UnreadableFile("\(what) cannot be read as XML") }
        defer { xmlFreeTextReader(reader) }
        try walk(reader, what: what, body)
    }

    /// A part of a workbook, pulled as libxml2 asks for it while it is inflated (memory stays
    /// flat). What stopped the inflating (too large, a bad checksum) is what is thrown.
    static func walk(part: InflatingPart, _ body: (Event, OpaquePointer) throws -> Void) throws {
        _ = XMLParser.initialise
        defer { part.stop() }
        let pull: xmlInputReadCallback = { context, buffer, length in
            guard let context, let buffer, length > 0 else { return -1 }
            return Unmanaged<InflatingPart>.fromOpaque(context).takeUnretainedValue()
                .read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(length)))
        }
        guard let reader = xmlReaderForIO(pull, nil, Unmanaged.passUnretained(part).toOpaque(), nil, nil, XMLParser.options) else {
            throw part.error ?? UnreadableFile("\(part.path) is empty")
        }
        defer { xmlFreeTextReader(reader) }
        do {
            try walk(reader, what: part.path, body)
        } catch let error as UnreadableFile {
            throw part.error ?? error
        }
    }

    /// An attribute of the element the reader is on.
    static func attribute(_ reader: OpaquePointer, _ name: String) -> String? {
        guard let value = xmlTextReaderGetAttribute(reader, name) else { return nil }
        defer { free(value) }  // libxml2's xmlFree is free unless an application replaced it
        return String(cString: value)
    }

    private final class FirstError {
        var message: String?
    }

    private static func walk(_ reader: OpaquePointer, what: String, _ body: (Event, OpaquePointer) throws -> Void) throws {
        let errors = FirstError()
        xmlTextReaderSetStructuredErrorHandler(reader, { context, error in
            guard let context, let error else { return }
            let errors = Unmanaged<FirstError>.fromOpaque(context).takeUnretainedValue()
            if errors.message == nil {
                let text = error.pointee.message.map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "not well-formed"
                errors.message = "line \(error.pointee.line): \(text)"
            }
        }, Unmanaged.passUnretained(errors).toOpaque())
        var sawRoot = false
        while true {
            let status = xmlTextReaderRead(reader)
            if status == 0 { break }
            if status < 0 { throw UnreadableFile("\(what) is not well-formed XML (\(errors.message ?? "line \(xmlTextReaderGetParserLineNumber(reader))"))") }
            let depth = Int(xmlTextReaderDepth(reader))
            switch UInt32(xmlTextReaderNodeType(reader)) {
            case XML_READER_TYPE_ELEMENT.rawValue:
                guard depth < 64 else { throw UnreadableFile("\(what): nesting deeper than 64 levels") }
                sawRoot = true
                let name = xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
                let empty = xmlTextReaderIsEmptyElement(reader) == 1
                try body(.start(name: name, depth: depth), reader)
                if empty { try body(.end(name: name, depth: depth), reader) }
            case XML_READER_TYPE_END_ELEMENT.rawValue:
                let name = xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
                try body(.end(name: name, depth: depth), reader)
            case XML_READER_TYPE_TEXT.rawValue, XML_READER_TYPE_CDATA.rawValue, XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue,
                 XML_READER_TYPE_WHITESPACE.rawValue:
                if let value = xmlTextReaderConstValue(reader) { try body(.text(String(cString: value)), reader) }
            case XML_READER_TYPE_DOCUMENT_TYPE.rawValue:
                throw UnreadableFile("\(what): a DOCTYPE is not accepted (no DTDs, no entities)")
            case XML_READER_TYPE_ENTITY_REFERENCE.rawValue, XML_READER_TYPE_ENTITY.rawValue:
                throw UnreadableFile("\(what): entity references are not accepted")
            default:
                break
            }
        }
        if let message = errors.message { throw UnreadableFile("\(what) is not well-formed XML (\(message))") }
        guard sawRoot else { throw UnreadableFile("\(what) has no root element") }
    }
}

/// An XML revenue file: a root whose child elements are the records; a record's child
/// elements, in order, are its fields whatever their names. The n-th record is row n + 1, as if
/// the field names were a header row.
struct XMLRowReader: RevenueRowReader {
    let path: String
    var impliesHeader: Bool { true }

    func forEachRow(_ body: (RevenueRow) throws -> Void) throws {
        var record = 0
        var cells: [RevenueCell] = []
        var text = ""
        try XMLWalker.walk(file: path, what: "the file") { event, _ in
            switch event {
            case .start(_, let depth):
                if depth == 1 { cells = [] }
                if depth == 2 { text = "" }
            case .text(let value):
                text += value
            case .end(_, let depth):
                if depth == 2 { cells.append(.text(text.trimmingCharacters(in: .whitespacesAndNewlines))) }
                if depth == 1 {
                    record += 1
                    try body(RevenueRow(row: record + 1, cells: cells))
                }
                if depth <= 1 { text = "" }
            }
        }
    }
}
