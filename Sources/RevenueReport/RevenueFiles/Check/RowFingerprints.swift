/// The rows seen so far, for `duplicate-row`: each record's 64-bit fingerprint and its row, in an
/// open-addressing table of 12 bytes a slot (a `Dictionary` of the same costs 16, and a million
/// records is where `check` must still be flat). Grows at half full.
struct RowFingerprints {
    private var fingerprints: [UInt64]
    private var rows: [UInt32]
    private var count = 0
    private var mask: Int

    init(capacity: Int = 4096) {
        fingerprints = Array(repeating: 0, count: capacity)
        rows = Array(repeating: 0, count: capacity)
        mask = capacity - 1
    }

    /// The row that had `fingerprint` first, or nil (and it is remembered for `row`).
    mutating func firstRow(of fingerprint: Int, row: Int) -> Int? {
        let key = UInt64(bitPattern: Int64(fingerprint)) | 1  // 0 marks an empty slot
        var slot = Int(truncatingIfNeeded: key >> 7) & mask
        while fingerprints[slot] != 0 {
            if fingerprints[slot] == key { return Int(rows[slot]) }
            slot = (slot + 1) & mask
        }
        fingerprints[slot] = key
        rows[slot] = UInt32(clamping: row)
        count += 1
        if count * 2 > fingerprints.count { grow() }
        return nil
    }

    private mutating func grow() {
        let oldFingerprints = fingerprints, oldRows = rows
        fingerprints = Array(repeating: 0, count: oldFingerprints.count * 2)
        rows = Array(repeating: 0, count: oldFingerprints.count * 2)
        mask = fingerprints.count - 1
        for (index, key) in oldFingerprints.enumerated() where key != 0 {
            var slot = Int(truncatingIfNeeded: key >> 7) & mask
            while fingerprints[slot] != 0 { slot = (slot + 1) & mask }
            fingerprints[slot] = key
            rows[slot] = oldRows[index]
        }
    }
}
