import Foundation
import Testing
@testable import RevenueReport

/// The parts that keep memory flat and use every core: the compact id set, the external sorter
/// (its spilled runs must give what an in-memory sort gives), and the ordered concurrent stage.
@Suite struct SortAndStreamTests {
    @Test func idSetAgreesWithASet() {
        var compact = IDSet()
        var plain = Set<Int64>()
        var generator = SystemRandomNumberGenerator()
        var ids: [Int64] = Array(0 ..< 20_000)  // dense: turns groups into bitmaps
        ids += (0 ..< 5_000).map { _ in Int64.random(in: -1_000_000 ... 1_000_000, using: &generator) }
        ids += [Int64.min, Int64.max, -1, 0, 65_535, 65_536, -65_536]
        ids += ids.shuffled().prefix(3_000)  // repeats
        for id in ids {
            #expect(compact.insert(id) == plain.insert(id).inserted, "id \(id)")
        }
        #expect(compact.count == plain.count)
        for probe in [Int64(-5), 19_999, 20_000, 1_000_001, Int64.min + 1] {
            #expect(compact.contains(probe) == plain.contains(probe), "probe \(probe)")
        }
    }

    /// Uploads in scrambled order, some sharing a time, with text that needs quoting.
    /// `longLog`: every upload's one log entry instead (its index before it), for big records.
    func scrambledUploads(_ count: Int, longLog: String? = nil) -> [RevenueUpload] {
        (0 ..< count).map { index in
            let id = Int64((index * 7_919) % count) + 1
            return RevenueUpload(id: id, status: index % 5 == 0 ? "Failed" : "Processed", sourceFilename: "file, \"\(id)\".csv",
                                 dateUpload: UploadTime(localSeconds: 1_767_225_600 + Int64(id % 97) * 3_600, offsetSeconds: 0),
                                 totalRecords: index % 11 == 0 ? nil : 10, successfulRecords: 9, unsuccessfulRecords: 1,
                                 logs: longLog.map { [.string("\(index) \($0)")] } ?? (index % 3 == 0 ? [.string("row \(index) failed"), .number("7")] : []))
        }
    }

    @Test(arguments: [64, 4_096, 1 << 30])
    func spilledRunsMergeToTheSameOrderAsAnInMemorySort(runBytes: Int) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let uploads = scrambledUploads(3_000)
        let formats: [any RowFormat] = [CSVWriter(), NDJSONWriter()]
        var sorter = ExternalSorter(directory: folder.url, runBytes: runBytes)
        for upload in uploads {
            var record: [UInt8] = []
            SortRecord.append(upload, formats: formats, to: &record)
            try record.withUnsafeBytes { try sorter.add($0) }
        }
        var keys: [Int64] = []
        var csv: [UInt8] = []
        var ndjson: [UInt8] = []
        let outcome = try sorter.forEachInOrder { record in
            keys.append(record.id)
            var index = 0
            record.forEachRow { row in
                if index == 0 { csv += row } else { ndjson += row }
                index += 1
            }
        }
        let expected = uploads.sorted(by: RevenueUpload.reportOrder)
        #expect(keys == expected.map(\.id))
        #expect(csv == CSVWriter().render(expected).dropFirst(CSVWriter.header.joined(separator: ",").utf8.count + 2).map { $0 })
        #expect(ndjson == NDJSONWriter().render(expected))
        if runBytes < 1 << 20 { #expect(outcome.spilledRuns > 1) } else { #expect(outcome.spilledRuns == 0) }
        #expect(outcome.neededSorting)
        // The sort file was unlinked as soon as it was made: nothing is left in the folder.
        #expect(try folder.listing().isEmpty)
    }

    /// Runs of several megabytes: the merge gives the sort file's pages back as it reads (a
    /// megabyte or more of a run at a time) while the other runs, whose first and last pages
    /// it shares, are still being read. Every byte must come through.
    @Test func runsLargerThanWhatTheMergeGivesBackAtATimeMergeIntact() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let filler = String(repeating: "Row 1: the amount is not a number; ", count: 30)
        let uploads = scrambledUploads(8_000, longLog: filler)
        let formats: [any RowFormat] = [CSVWriter(), NDJSONWriter()]
        var sorter = ExternalSorter(directory: folder.url, runBytes: 3 << 20)
        var total = 0
        for upload in uploads {
            var record: [UInt8] = []
            SortRecord.append(upload, formats: formats, to: &record)
            total += record.count
            try record.withUnsafeBytes { try sorter.add($0) }
        }
        #expect(total > 16 << 20, "enough for runs of several megabytes")
        var ndjson: [UInt8] = []
        let outcome = try sorter.forEachInOrder { record in
            var index = 0
            record.forEachRow { row in
                if index == 1 { ndjson += row }
                index += 1
            }
        }
        #expect(outcome.spilledRuns >= 6)
        #expect(ndjson == NDJSONWriter().render(uploads.sorted(by: RevenueUpload.reportOrder)))
    }

    /// What the merge gives back is gone from the file (its blocks freed), and the bytes of the
    /// stretch beside it, on the page they share, are not touched.
    @Test func aReaderThatGivesBackWhatItReadLeavesTheNextStretchWhole() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let path = folder.path("stretches").path
        let first = 5 << 20 + 1_234  // ends inside a page
        let bytes = (0 ..< first + (2 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let descriptor = open(path, O_RDWR)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        func blocks() -> Int {
            var status = stat()
            fstat(descriptor, &status)
            return Int(status.st_blocks)
        }
        let before = blocks()
        let reader = SequentialFileReader(descriptor: descriptor, range: 0 ..< first, bufferSize: 64 << 10, what: "the test file",
                                          releasingWhatItRead: true)
        var read: [UInt8] = []
        while let piece = try reader.read(min(10_000, first - read.count)), !piece.isEmpty { read += piece }
        #expect(read == Array(bytes[..<first]))
        let rest = SequentialFileReader(descriptor: descriptor, range: first ..< bytes.count, bufferSize: 64 << 10, what: "the test file")
        #expect(try rest.read(bytes.count - first).map(Array.init) == Array(bytes[first...]))
        // A file system that cannot punch holes keeps the blocks: then only the bytes are checked.
        if blocks() < before {
            #expect(before - blocks() >= (4 << 20) / 512, "at least four of the five megabytes read were given back")
        }
    }

    /// Uploads given to a sorter that streams to row files while they come in order, a page at a
    /// time; returns the files' contents and whether the sorter had to sort.
    func streamThroughFiles(_ uploads: [RevenueUpload], runBytes: Int, in folder: URL) throws -> (csv: String, ndjson: String, sorted: Bool) {
        let formats: [any RowFormat] = [CSVWriter(), NDJSONWriter()]
        let committer = OutputCommitter(directory: folder)
        let rows = RowStream(formats: formats, directory: folder) {
            try formats.map { format in
                let sink = try committer.open(name: "rows.\(format.kind.fileExtension)")
                format.appendHeader(to: &sink.buffer)
                return sink
            }
        }
        var sorter = ExternalSorter(directory: folder, runBytes: runBytes, streamingTo: rows)
        for page in stride(from: 0, to: uploads.count, by: 250) {
            var records: [UInt8] = []
            for upload in uploads[page ..< min(page + 250, uploads.count)] { SortRecord.append(upload, formats: formats, to: &records) }
            try records.withUnsafeBytes { try sorter.add($0) }
        }
        let outcome = try sorter.finish(into: rows)
        try rows.openIfNeeded()
        for sink in rows.sinks { _ = try committer.close(sink) }
        _ = try committer.commit()
        let csv = try String(contentsOf: folder.appendingPathComponent("rows.csv"), encoding: .utf8)
        let ndjson = try String(contentsOf: folder.appendingPathComponent("rows.ndjson"), encoding: .utf8)
        return (csv, ndjson, outcome.neededSorting)
    }

    @Test(arguments: [64, 1 << 30])
    func uploadsInOrderAreWrittenAsTheyComeAndOthersAreSortedToTheSameFiles(runBytes: Int) throws {
        let sorted = scrambledUploads(3_000).sorted(by: RevenueUpload.reportOrder)
        let expectedCSV = String(decoding: CSVWriter().render(sorted), as: UTF8.self)
        let expectedNDJSON = String(decoding: NDJSONWriter().render(sorted), as: UTF8.self)
        let orders: [(name: String, uploads: [RevenueUpload], needsSorting: Bool)] = [
            ("in order", sorted, false),
            ("in order, then one late upload", Array(sorted[..<1_700]) + Array(sorted[1_701...]) + [sorted[1_700]], true),
            ("in order, then scrambled", Array(sorted[..<1_200]) + sorted[1_200...].shuffled(), true),
            ("scrambled", sorted.shuffled(), true),
            ("backwards", sorted.reversed(), true),
        ]
        for order in orders {
            let folder = try TemporaryFolder()
            defer { folder.cleanUp() }
            let result = try streamThroughFiles(order.uploads, runBytes: runBytes, in: folder.url)
            #expect(result.csv == expectedCSV, "\(order.name)")
            #expect(result.ndjson == expectedNDJSON, "\(order.name)")
            #expect(result.sorted == order.needsSorting, "\(order.name)")
            #expect(try folder.listing().sorted() == ["rows.csv", "rows.ndjson"], "\(order.name): scratch files left")
        }
    }

    @Test func pagesReadNewestFirstGiveTheSameFilesAsPagesInOrder() async throws {
        let examples = packageRoot.appendingPathComponent("examples/responses")
        let reversed = try TemporaryFolder()
        let inOrder = try TemporaryFolder()
        let fromReversed = try TemporaryFolder()
        defer { reversed.cleanUp(); inOrder.cleanUp(); fromReversed.cleanUp() }
        let names = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".json") }.sorted()
        for (index, name) in names.enumerated() {
            try FileManager.default.copyItem(at: examples.appendingPathComponent(name),
                                             to: reversed.url.appendingPathComponent("page-\(names.count - index).json"))
        }
        let filter = RecordFilter(from: CivilDate("2026-01-01"), to: CivilDate("2026-06-30"))
        let expected = try await runReplay(examples, filter: filter, out: inOrder.url)
        let actual = try await runReplay(reversed.url, filter: filter, sortRunBytes: 16 << 10, out: fromReversed.url)
        #expect(actual[.csv] == expected[.csv])
        #expect(actual[.ndjson] == expected[.ndjson])
        #expect(try fromReversed.listing().allSatisfy { !$0.hasPrefix(".") })
    }

    @Test func theExcerptKeepsTheFirstRowsWhateverTheOrderUploadsComeIn() {
        let uploads = scrambledUploads(5_000)
        let sorted = uploads.sorted(by: RevenueUpload.reportOrder)
        let excerpt = ReportExcerpt(uploads: uploads, failRules: [.notProcessed])
        #expect(excerpt.uploadCount == uploads.count)
        #expect(excerpt.tableRows == Array(sorted.prefix(HTMLWriter.tableRowLimit)))
        let needingAttention = sorted.filter(\.needsAttention)
        #expect(excerpt.attentionCount == needingAttention.count)
        #expect(excerpt.attention == Array(needingAttention.prefix(HTMLWriter.attentionLimit)))
        #expect(excerpt.failMatches.map(\.id) == sorted.filter { $0.status != "Processed" }.map(\.id))
    }

    @Test func aRunThatSpillsWritesTheSameFilesAsOneThatDoesNot() async throws {
        let examples = packageRoot.appendingPathComponent("examples/responses")
        let inMemory = try TemporaryFolder()
        let spilled = try TemporaryFolder()
        defer { inMemory.cleanUp(); spilled.cleanUp() }
        let filter = RecordFilter(from: CivilDate("2026-01-01"), to: CivilDate("2026-06-30"))
        let expected = try await runReplay(examples, filter: filter, out: inMemory.url)
        let actual = try await runReplay(examples, filter: filter, sortRunBytes: 16 << 10, out: spilled.url)
        #expect(actual == expected)
        #expect(try spilled.listing() == inMemory.listing())
        #expect(try spilled.listing().allSatisfy { !$0.hasPrefix(".") })
    }

    struct Numbered: Error, Equatable { var index: Int }

    /// Yields 0 ..< count, then fails when `failAt` is reached.
    struct Counting: AsyncSequence, Sendable {
        var count: Int
        var failAt: Int?

        struct AsyncIterator: AsyncIteratorProtocol {
            var next = 0
            let count: Int
            let failAt: Int?

            mutating func next() async throws -> Int? {
                if next == failAt { throw Numbered(index: next) }
                guard next < count else { return nil }
                defer { next += 1 }
                return next
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(count: count, failAt: failAt) }
    }

    @Test func resultsComeInSourceOrderWhateverOrderTheyFinishIn() async throws {
        var seen: [Int] = []
        try await forEachConcurrently(Counting(count: 200), width: 4, transform: { index in
            // Uneven work, so later elements often finish first.
            var spin = 0
            for step in 0 ..< ((index * 7_919) % 13) * 20_000 { spin &+= step }
            return index + (spin == -1 ? 1 : 0)
        }, consume: { seen.append($0) })
        #expect(seen == Array(0 ..< 200))
    }

    @Test func theFirstFailureInSourceOrderIsTheOneThrown() async throws {
        var seen: [Int] = []
        await #expect(throws: Numbered(index: 5)) {
            try await forEachConcurrently(Counting(count: 50), width: 8, transform: { index in
                if index == 5 || index == 6 { throw Numbered(index: index) }
                return index
            }, consume: { seen.append($0) })
        }
        #expect(seen == [0, 1, 2, 3, 4])
        // A source that fails after an element whose transform failed: the element's error wins.
        await #expect(throws: Numbered(index: 2)) {
            try await forEachConcurrently(Counting(count: 50, failAt: 4), width: 8, transform: { index in
                if index == 2 { throw Numbered(index: index) }
                return index
            }, consume: { _ in })
        }
        // And the source's own failure comes after every element before it.
        var delivered: [Int] = []
        await #expect(throws: Numbered(index: 4)) {
            try await forEachConcurrently(Counting(count: 50, failAt: 4), width: 8, transform: { $0 }, consume: { delivered.append($0) })
        }
        #expect(delivered == [0, 1, 2, 3])
    }
}
