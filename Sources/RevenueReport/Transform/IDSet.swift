/// The upload ids seen so far, kept compactly so that spotting repeats costs little memory at
/// a million uploads (a `Set<Int64>` of a million ids takes about 16 MB; this about 130 KB when
/// the ids are the API's consecutive numbers).
///
/// The layout follows Roaring bitmaps: ids are grouped by their high 48 bits; a group holds its
/// low 16 bits as a sorted list while it has few, and as a 65,536-bit bitmap (8 KB) once a list
/// would be larger than that.
struct IDSet {
    private var groups: [Int64: Group] = [:]
    private(set) var count = 0

    /// Adds `id`; false when it was already there.
    mutating func insert(_ id: Int64) -> Bool {
        let inserted = groups[id >> 16, default: Group()].insert(UInt16(truncatingIfNeeded: id))
        if inserted { count += 1 }
        return inserted
    }

    func contains(_ id: Int64) -> Bool {
        groups[id >> 16]?.contains(UInt16(truncatingIfNeeded: id)) ?? false
    }

    private struct Group {
        /// Sorted low bits while the group is sparse; emptied when `bits` takes over.
        var sorted: [UInt16] = []
        /// 1,024 words of 64 bits once the group is dense; empty before.
        var bits: [UInt64] = []

        static let denseAbove = 4_096

        mutating func insert(_ low: UInt16) -> Bool {
            if !bits.isEmpty { return setBit(low) }
            // Ids mostly arrive in increasing order: try the end first.
            if let last = sorted.last, last < low {
                sorted.append(low)
            } else {
                let position = lowerBound(low)
                if position < sorted.count, sorted[position] == low { return false }
                sorted.insert(low, at: position)
            }
            if sorted.count > Self.denseAbove {
                bits = [UInt64](repeating: 0, count: 1_024)
                for value in sorted { _ = setBit(value) }
                sorted = []
            }
            return true
        }

        func contains(_ low: UInt16) -> Bool {
            if !bits.isEmpty { return bits[Int(low >> 6)] & (1 << UInt64(low & 63)) != 0 }
            let position = lowerBound(low)
            return position < sorted.count && sorted[position] == low
        }

        private mutating func setBit(_ low: UInt16) -> Bool {
            let mask: UInt64 = 1 << UInt64(low & 63)
            let word = Int(low >> 6)
            if bits[word] & mask != 0 { return false }
            bits[word] |= mask
            return true
        }

        private func lowerBound(_ low: UInt16) -> Int {
            var lower = 0
            var upper = sorted.count
            while lower < upper {
                let middle = (lower + upper) / 2
                if sorted[middle] < low { lower = middle + 1 } else { upper = middle }
            }
            return lower
        }
    }
}
