import Foundation

/// Reads recorded pages (`*.json`, `*.xml`) from a folder, in file name order.
///
/// Hidden files and the `*.meta.json` sidecars that `--archive-raw` writes are skipped, so an
/// archive folder replays as it is.
public struct ReplaySource: PageSource {
    public let directory: URL
    /// The same cap as the live API's: a bigger file is refused before it is read.
    public let maxPageBytes: Int

    public init(directory: URL, maxPageBytes: Int = 64 * 1024 * 1024) {
        self.directory = directory
        self.maxPageBytes = maxPageBytes
    }

    public var description: String { "replay of \(directory.path)" }

    public var isExhaustive: Bool { false }

    public var manifestEntry: JSONValue {
        .object([JSONMember("kind", .string("replay")), JSONMember("folder", .string(directory.standardizedFileURL.path))])
    }

    /// The page files this source will read, sorted by name; fails when there are none.
    public func pageFiles() throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ReportError.usage("--replay \(directory.path): no such folder")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw ReportError.io("--replay \(directory.path): cannot list the folder: \(FileProblem.describe(path: directory.path))")
        }
        let pageNames = names
            .filter { !$0.hasPrefix(".") && !$0.hasSuffix(".meta.json") && Self.format(ofFileNamed: $0) != nil }
            .sorted(by: Self.fileNameOrder)
        guard !pageNames.isEmpty else {
            throw ReportError.usage("--replay \(directory.path): the folder holds no *.json or *.xml page")
        }
        return pageNames.map { directory.appendingPathComponent($0) }
    }

    /// Name order with numbers compared as numbers: `page-2` before `page-10`.
    static func fileNameOrder(_ a: String, _ b: String) -> Bool {
        var left = Substring(a), right = Substring(b)
        while let l = left.first, let r = right.first {
            if l.isASCII, l.isNumber, r.isASCII, r.isNumber {
                let leftDigits = left.prefix(while: { $0.isASCII && $0.isNumber })
                let rightDigits = right.prefix(while: { $0.isASCII && $0.isNumber })
                let leftValue = leftDigits.drop(while: { $0 == "0" }), rightValue = rightDigits.drop(while: { $0 == "0" })
                if leftValue.count != rightValue.count { return leftValue.count < rightValue.count }
                if leftValue != rightValue { return leftValue < rightValue }
                left = left.dropFirst(leftDigits.count)
                right = right.dropFirst(rightDigits.count)
            } else {
                if l != r { return l.unicodeScalars.first!.value < r.unicodeScalars.first!.value }
                left = left.dropFirst()
                right = right.dropFirst()
            }
        }
        return left.isEmpty && !right.isEmpty
    }

    static func format(ofFileNamed name: String) -> WireFormat? {
        let lower = name.lowercased()
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".xml") { return .xml }
        return nil
    }

    public func forEachPage<Content: PageContent>(width: Int, read: @escaping @Sendable (RawPage) throws -> Content,
                                                  consume: (Content) throws -> Void) async throws {
        try await forEachConcurrently(pages(), width: width, transform: read, consume: consume)
    }

    /// The recorded pages, read from disk one at a time.
    public func pages() -> Pages {
        Pages(source: self)
    }

    /// Reads each file only when the pipeline asks for the next page.
    public struct Pages: AsyncSequence, Sendable {
        public typealias Element = RawPage
        let source: ReplaySource

        public func makeAsyncIterator() -> Iterator {
            Iterator(source: source)
        }

        public struct Iterator: AsyncIteratorProtocol {
            let source: ReplaySource
            var files: [URL]?
            var nextIndex = 0

            init(source: ReplaySource) {
                self.source = source
            }

            public mutating func next() async throws -> RawPage? {
                if files == nil { files = try source.pageFiles() }
                guard let files, nextIndex < files.count else { return nil }
                let file = files[nextIndex]
                nextIndex += 1
                let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
                guard size <= source.maxPageBytes else {
                    throw ReportError.malformedPage(page: file.path, reason: "the page is \(size) bytes, more than the cap of \(source.maxPageBytes)")
                }
                let bytes: Data
                do {
                    bytes = try Data(contentsOf: file)
                } catch {
                    throw ReportError.io("\(file.path): cannot read: \(FileProblem.describe(path: file.path))")
                }
                return RawPage(origin: file.path, format: ReplaySource.format(ofFileNamed: file.lastPathComponent)!, bytes: bytes)
            }
        }
    }
}
