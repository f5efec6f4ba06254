import Foundation

/// A compound file (OLE2, [MS-CFB]): the container of an `.xls`. What a revenue file needs of it
/// is one stream, `Workbook`: the header, the FAT (through the DIFAT), the directory, and the mini
/// stream with its mini FAT for streams under 4,096 bytes. Every sector number, chain and length is
/// bounded by the file itself: a chain that loops, a sector past the end, a stream longer than its
/// chain are the file's `UnreadableFile` (a `file-type` problem), never a crash or a hang. Modelled
/// on calamine's `cfb.rs` and xlrd's `compdoc.py`.
struct CompoundFile {
    static let signature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    static let endOfChain: UInt32 = 0xFFFF_FFFE
    static let freeSector: UInt32 = 0xFFFF_FFFF

    private let bytes: [UInt8]
    private let sectorSize: Int
    private let miniSectorSize: Int
    private let miniStreamCutoff: Int
    /// The FAT: the next sector of each sector's chain.
    private let fat: [UInt32]
    private let miniFAT: [UInt32]
    /// The root entry's stream: where the small streams' mini sectors are.
    private let miniStream: [UInt8]
    let entries: [Entry]

    struct Entry {
        var name: String
        /// 1 storage, 2 stream, 5 root.
        var type: UInt8
        var start: UInt32
        var size: Int
    }

    init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        guard bytes.count >= 512, Array(bytes[0 ..< 8]) == Self.signature else { throw UnreadableFile("not an Excel 97-2003 workbook (no compound file header)") }
        var header = BoundedBytes(bytes[0 ..< 512], what: "the compound file's header")
        header.position = 0x1C
        guard try header.u16() == 0xFFFE else { throw UnreadableFile("its compound file header has an unknown byte order") }
        let sectorShift = Int(try header.u16()), miniShift = Int(try header.u16())
        guard sectorShift == 9 || sectorShift == 12, miniShift == 6 else {
            throw UnreadableFile("its compound file header names sectors of 2^\(sectorShift) bytes (512 or 4,096 are the sizes there are)")
        }
        sectorSize = 1 << sectorShift
        miniSectorSize = 1 << miniShift
        header.position = 0x2C
        let fatSectors = Int(try header.u32())
        let firstDirectory = try header.u32()
        header.position = 0x38
        miniStreamCutoff = Int(try header.u32())
        let firstMiniFAT = try header.u32()
        _ = try header.u32()  // mini FAT sector count: its chain says it
        let firstDIFAT = try header.u32()
        let difatSectors = Int(try header.u32())
        let sectorCount = max(0, (bytes.count - sectorSize) / sectorSize + ((bytes.count - sectorSize) % sectorSize == 0 ? 0 : 1))
        guard fatSectors <= sectorCount, difatSectors <= sectorCount else {
            throw UnreadableFile("its compound file header names \(fatSectors) FAT sectors in a file of \(sectorCount)")
        }

        // The DIFAT: the first 109 FAT sectors in the header, the rest in a chain of DIFAT sectors.
        var fatSectorNumbers: [UInt32] = []
        header.position = 0x4C
        for _ in 0 ..< 109 { fatSectorNumbers.append(try header.u32()) }
        var difat = firstDIFAT, visited = Set<UInt32>()
        while difat != Self.endOfChain && difat != Self.freeSector {
            guard visited.insert(difat).inserted, visited.count <= difatSectors + 1 else { throw UnreadableFile("its DIFAT chain loops") }
            var sector = try Self.sector(difat, in: bytes, size: sectorSize, what: "a DIFAT sector")
            for _ in 0 ..< sectorSize / 4 - 1 { fatSectorNumbers.append(try sector.u32()) }
            difat = try sector.u32()
        }
        var fat: [UInt32] = []
        fat.reserveCapacity(fatSectors * sectorSize / 4)
        for number in fatSectorNumbers.prefix(fatSectors) where number != Self.freeSector {
            var sector = try Self.sector(number, in: bytes, size: sectorSize, what: "a FAT sector")
            for _ in 0 ..< sectorSize / 4 { fat.append(try sector.u32()) }
        }
        self.fat = fat

        let directory = try Self.chain(from: firstDirectory, fat: fat, in: bytes, sectorSize: sectorSize, limit: nil, what: "the directory")
        var entries: [Entry] = []
        var reader = BoundedBytes(directory[...], what: "the directory")
        while reader.remaining >= 128 {
            let start = reader.position
            let nameBytes = Array(try reader.bytes(64))
            let nameLength = Int(try reader.u16())
            let type = try reader.u8()
            reader.position = start + 0x74
            let first = try reader.u32()
            let size = Int(try reader.u32())  // the high half is 0 in version 3 and ignored (no stream of ours is 4 GB)
            reader.position = start + 128
            let units = stride(from: 0, to: min(max(nameLength - 2, 0), 64), by: 2).map { UInt16(nameBytes[$0]) | UInt16(nameBytes[$0 + 1]) << 8 }
            entries.append(Entry(name: String(decoding: units, as: UTF16.self), type: type, start: first, size: size))
        }
        guard let root = entries.first, root.type == 5 else { throw UnreadableFile("its compound file has no root entry") }
        self.entries = entries
        miniStream = try Self.chain(from: root.start, fat: fat, in: bytes, sectorSize: sectorSize, limit: root.size, what: "the mini stream")
        var miniFAT: [UInt32] = []
        if firstMiniFAT != Self.endOfChain && firstMiniFAT != Self.freeSector {
            let table = try Self.chain(from: firstMiniFAT, fat: fat, in: bytes, sectorSize: sectorSize, limit: nil, what: "the mini FAT")
            var mini = BoundedBytes(table[...], what: "the mini FAT")
            while mini.remaining >= 4 { miniFAT.append(try mini.u32()) }
        }
        self.miniFAT = miniFAT
    }

    /// The stream named `name` (without case), or nil when there is none.
    func stream(named name: String, limit: Int) throws -> [UInt8]? {
        guard let entry = entries.first(where: { $0.type == 2 && $0.name.lowercased() == name.lowercased() }) else { return nil }
        guard entry.size <= limit else { throw UnreadableFile("its \(entry.name) stream is \(entry.size) bytes: more than \(limit)") }
        if entry.size < miniStreamCutoff {
            return try Self.chain(from: entry.start, fat: miniFAT, source: miniStream, sectorSize: miniSectorSize, offset: 0,
                                  limit: entry.size, what: "the \(entry.name) stream")
        }
        return try Self.chain(from: entry.start, fat: fat, in: bytes, sectorSize: sectorSize, limit: entry.size, what: "the \(entry.name) stream")
    }

    /// Sector `number` of the file (the header is sector -1).
    private static func sector(_ number: UInt32, in bytes: [UInt8], size: Int, what: String) throws -> BoundedBytes {
        let start = (Int(number) + 1) * size
        guard number < 0xFFFF_FFFA, start + size <= bytes.count else { throw UnreadableFile("\(what) is sector \(number), past the end of the file") }
        return BoundedBytes(bytes[start ..< start + size], what: what)
    }

    private static func chain(from first: UInt32, fat: [UInt32], in bytes: [UInt8], sectorSize: Int, limit: Int?, what: String) throws -> [UInt8] {
        try chain(from: first, fat: fat, source: bytes, sectorSize: sectorSize, offset: sectorSize, limit: limit, what: what)
    }

    /// The bytes of the chain that starts at `first`, cut to `limit` (the stream's size): every
    /// link checked against the table and the source, a loop caught by counting (a chain cannot be
    /// longer than the table).
    private static func chain(from first: UInt32, fat: [UInt32], source: [UInt8], sectorSize: Int, offset: Int, limit: Int?,
                              what: String) throws -> [UInt8] {
        var out: [UInt8] = []
        if let limit { out.reserveCapacity(min(limit, source.count)) }
        var sector = first, links = 0
        while sector != endOfChain {
            if let limit, out.count >= limit { break }
            guard Int(sector) < fat.count else {
                throw UnreadableFile("\(what) runs to sector \(sector == freeSector ? "FREE" : String(sector)), which is not in its table")
            }
            links += 1
            guard links <= fat.count else { throw UnreadableFile("\(what): its chain of sectors loops") }
            // A stream's last sector may be cut short by the end of the file: only what it needs must be there.
            let start = offset + Int(sector) * sectorSize
            let needed = limit.map { min(sectorSize, $0 - out.count) } ?? sectorSize
            guard start + needed <= source.count else { throw UnreadableFile("\(what) is in sector \(sector), past the end of the file") }
            out.append(contentsOf: source[start ..< start + needed])
            sector = fat[Int(sector)]
        }
        if let limit, out.count < limit {
            throw UnreadableFile("\(what) is \(limit) bytes, longer than its chain of sectors (\(out.count))")
        }
        return out
    }
}
