/// The rows seen so far, for `duplicate-row`: each record's 64-bit fingerprint and its row, in
/// open-addressing tables of 12 bytes a slot (a `Dictionary` of the same costs 16, and a million
/// records is where `check` must still be flat). The fingerprints are spread over 16 shards by
/// their top bits, each growing on its own at half full: a growth then holds one shard twice,
/// not the whole table (at a million records 27 MB at the peak instead of 38).
struct RowFingerprints {
    private var shards: [Shard]

    init(capacityPerShard: Int = 256) {
        shards = Array(repeating: Shard(capacity: capacityPerShard), count: 16)
    }

    /// The row that had `fingerprint` first, or nil (and it is remembered for `row`).
    mutating func firstRow(of fingerprint: UInt64, row: Int) -> Int? {
        let key = fingerprint | 1  // 0 marks an empty slot
        return shards[Int(truncatingIfNeeded: key >> 60)].firstRow(of: key, row: UInt32(clamping: row))
    }

    private struct Shard {
        private var keys: [UInt64]
        private var rows: [UInt32]
        private var count = 0
        private var mask: Int

        init(capacity: Int) {
            keys = Array(repeating: 0, count: capacity)
            rows = Array(repeating: 0, count: capacity)
            mask = capacity - 1
        }

        mutating func firstRow(of key: UInt64, row: UInt32) -> Int? {
            var slot = Int(truncatingIfNeeded: key >> 7) & mask
            while keys[slot] != 0 {
                if keys[slot] == key { return Int(rows[slot]) }
                slot = (slot + 1) & mask
            }
            keys[slot] = key
            rows[slot] = row
            count += 1
            if count * 2 > keys.count { grow() }
            return nil
        }

        private mutating func grow() {
            let oldKeys = keys, oldRows = rows
            keys = Array(repeating: 0, count: oldKeys.count * 2)
            rows = Array(repeating: 0, count: oldKeys.count * 2)
            mask = keys.count - 1
            for (index, key) in oldKeys.enumerated() where key != 0 {
                var slot = Int(truncatingIfNeeded: key >> 7) & mask
                while keys[slot] != 0 { slot = (slot + 1) & mask }
                keys[slot] = key
                rows[slot] = oldRows[index]
            }
        }
    }
}

/// A record's 64-bit fingerprint: FNV-1a over each value's bytes, a separator after each, and
/// MurmurHash3's finaliser so that every bit (the shard's top ones, the slot's middle ones)
/// depends on every byte. Not the standard `Hasher`: that costs 4x as much for six short
/// strings, and a fingerprint needs no seed (two records that differ collide once in 2^64).
struct RowFingerprint {
    private var state: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func add(_ text: String) {
        let bytes = text.utf8.span
        for index in bytes.indices { state = (state ^ UInt64(bytes[index])) &* 0x0000_0100_0000_01B3 }
        state = (state ^ 0x1F) &* 0x0000_0100_0000_01B3  // unit separator: "ab","c" is not "a","bc"
    }

    var value: UInt64 {
        var mixed = state
        mixed ^= mixed >> 33
        mixed &*= 0xFF51_AFD7_ED55_8CCD
        mixed ^= mixed >> 33
        mixed &*= 0xC4CE_B9FE_1A85_EC53
        mixed ^= mixed >> 33
        return mixed
    }
}
