import CLibXML2
import Foundation

/// The common XML page read without building a tree of values: a root whose children are all
/// records of one element name, each holding the documented fields at most once apiece.
///
/// It reads with libxml2's SAX2 callbacks (the same parser core as `XMLParser`'s reader, with the
/// same options) straight into `RecordFields`: each field's text is gathered into one buffer for
/// the page and noted as its range there; inside `logs` it builds the values with
/// `XMLOpenElement`, as the tree builder does. It declines (returns nil) whatever it does not
/// handle itself: another shape, an error envelope, a field it does not know or sees twice, child
/// elements in a plain field, and anything libxml2 reports, even a warning. Such a page goes the
/// general way (`PageParser`), which also words any error. Like `JSONRecordScanner`, the fields go
/// to the same `RecordTyper` either way.
///
/// Safety: a DOCTYPE stops the parse at once (declined: the general reader refuses it); there is
/// no entity handler, so an entity other than the five predefined ones is an error; no network.
enum XMLRecordScanner {
    /// The records' fields in page order, or nil when the page is not the common case.
    static func records(in data: Data) -> ScannedRecords? {
        _ = XMLParser.initialise
        guard data.count >= 4, data.count <= Int(Int32.max) else { return nil }
        var handler = Self.handler()
        var scan = Scan()
        return withUnsafeMutablePointer(to: &scan) { scan in
            data.withUnsafeBytes { raw -> ScannedRecords? in
                let base = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
                // The first bytes at creation, so the parser sees the byte order mark or declaration
                // that names the encoding before any content (as xmllint and the reader do).
                guard let parser = xmlCreatePushParserCtxt(&handler, scan, base, 4, nil) else { return nil }
                defer { xmlFreeParserCtxt(parser) }
                xmlCtxtUseOptions(parser, XMLParser.options)
                scan.pointee.parser = parser
                let status = xmlParseChunk(parser, base + 4, Int32(raw.count - 4), 1)
                guard status == 0, parser.pointee.wellFormed == 1, !scan.pointee.declined, scan.pointee.finished else { return nil }
                return ScannedRecords(records: scan.pointee.records, gatheredText: scan.pointee.text)
            }
        }
    }

    /// Only what the scan needs: elements, text, and errors; a DOCTYPE stops it. (Made for each
    /// page: libxml2 copies it into its context, and a C struct cannot be a shared constant.)
    private static func handler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = { context, name, _, _, _, _, _, _, _ in
            guard let context, let name else { return }
            Scan.from(context).pointee.start(name)
        }
        handler.endElementNs = { context, _, _, _ in
            guard let context else { return }
            Scan.from(context).pointee.end()
        }
        let text: charactersSAXFunc = { context, bytes, count in
            guard let context, let bytes, count > 0 else { return }
            Scan.from(context).pointee.text(UnsafeBufferPointer(start: bytes, count: Int(count)))
        }
        handler.characters = text
        handler.ignorableWhitespace = text
        handler.cdataBlock = text
        handler.internalSubset = { context, _, _, _ in
            guard let context else { return }
            Scan.from(context).pointee.decline()
        }
        handler.serror = { context, _ in
            guard let context else { return }
            Scan.from(context).pointee.decline()
        }
        return handler
    }

    /// Where the scan is; elements are counted from the root (depth 1), records are at 2, their
    /// fields at 3, and below that only the insides of `logs`. A struct reached through the
    /// parser's user pointer: no reference counting or exclusivity checks per callback.
    private struct Scan {
        var parser: xmlParserCtxtPtr?
        private(set) var declined = false
        private(set) var finished = false
        private(set) var records: [RecordFields] = []
        /// Every field's text, back to back: the records' ranges point into it.
        private(set) var text: [UInt8] = []

        private var depth = 0
        private var recordName: UnsafePointer<xmlChar>?
        private var record = RecordFields()
        private var seen: UInt8 = 0
        private var field: RecordField?
        private var fieldStart = 0
        /// The open elements from a record's `<logs>` down; empty outside `logs`.
        private var logs: [XMLOpenElement] = []
        private var names = XMLElementNames()
        private var fieldsByName: [(UnsafePointer<xmlChar>, RecordField)] = []

        static func from(_ context: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Scan> {
            context.assumingMemoryBound(to: Scan.self)
        }

        mutating func decline() {
            guard !declined else { return }
            declined = true
            if let parser { xmlStopParser(parser) }
        }

        mutating func start(_ name: UnsafePointer<xmlChar>) {
            guard !declined else { return }
            depth += 1
            switch depth {
            case 1:
                // An error envelope, whatever its case, is the general parser's; so is a root
                // `logs`, whose children the mapping makes log entries.
                if Self.matches(name, "error", ignoringCase: true) || Self.matches(name, "logs") { decline() }
            case 2:
                if let recordName {
                    if name != recordName && strcmp(Self.chars(name), Self.chars(recordName)) != 0 { decline() }
                } else {
                    // `Data`/`Error` wrap or answer; a field name makes the root itself a record.
                    for wrapper: StaticString in ["Data", "data", "Error", "error"] where Self.matches(name, wrapper) { return decline() }
                    if recordField(name) != nil { return decline() }
                    recordName = name
                }
                seen = 0
            case 3:
                guard let field = recordField(name), seen & field.bit == 0 else { return decline() }
                seen |= field.bit
                if field == .logs {
                    logs = [XMLOpenElement(name: "logs", isLogs: true, insideLogs: false)]
                } else {
                    self.field = field
                    fieldStart = text.count
                }
            default:
                // Child elements belong only inside logs, and no deeper than the reader allows.
                guard !logs.isEmpty, depth < XMLParser.maximumDepth else { return decline() }
                let name = names.string(name)
                logs.append(XMLOpenElement(name: name, isLogs: name == "logs", insideLogs: true))
            }
        }

        mutating func end() {
            guard !declined else { return }
            defer { depth -= 1 }
            switch depth {
            case 1:
                // A root without records is a shape for the general parser (`<Data/>`, text).
                if records.isEmpty { return decline() }
                finished = true
            case 2:
                // A record without fields would be text, not a record object.
                if seen == 0 { return decline() }
                var finished = RecordFields()
                swap(&finished, &record)  // moved, not copied field by field
                records.append(finished)
            default:
                if !logs.isEmpty {
                    var element = logs.removeLast()
                    let value = element.value()
                    if logs.isEmpty { record.logs = .value(value) } else { logs[logs.count - 1].add(child: element.name, value: value) }
                } else if let field {
                    record[field] = .text(fieldStart ..< text.count)
                    self.field = nil
                }
            }
        }

        mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard !declined else { return }
            if !logs.isEmpty {
                // Between child elements, layout only: an element with children has no text.
                if !logs[logs.count - 1].hasChildElements { logs[logs.count - 1].append(text: bytes) }
            } else if field != nil {
                text.append(contentsOf: bytes)
            }
            // Text between records or fields is layout: the general reader drops it too.
        }

        private static func chars(_ name: UnsafePointer<xmlChar>) -> UnsafePointer<CChar> {
            UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self)
        }

        private static func matches(_ name: UnsafePointer<xmlChar>, _ literal: StaticString, ignoringCase: Bool = false) -> Bool {
            let other = UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self)
            return (ignoringCase ? strcasecmp(chars(name), other) : strcmp(chars(name), other)) == 0
        }

        private mutating func recordField(_ name: UnsafePointer<xmlChar>) -> RecordField? {
            for (known, field) in fieldsByName where known == name { return field }
            guard let field = RecordField(UnsafeBufferPointer(start: name, count: strlen(Self.chars(name)))) else { return nil }
            fieldsByName.append((name, field))
            return field
        }
    }
}
