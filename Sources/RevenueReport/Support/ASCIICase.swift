/// Case-insensitive matching of bytes against a lower-case ASCII word, A-Z folded to a-z and
/// every other byte as it is: for the hot paths that would otherwise make a lower-cased copy
/// of every value only to compare it.
enum ASCIICase {
    static func folded(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    /// `bytes` are `lowercase`, in any letter case.
    static func equals<Bytes: Collection<UInt8>>(_ bytes: Bytes, _ lowercase: String) -> Bool {
        bytes.count == lowercase.utf8.count && hasPrefix(bytes, lowercase)
    }

    /// `bytes` begin with `lowercase`, in any letter case.
    static func hasPrefix<Bytes: Collection<UInt8>>(_ bytes: Bytes, _ lowercase: String) -> Bool {
        var iterator = bytes.makeIterator()
        for expected in lowercase.utf8 {
            guard let byte = iterator.next(), folded(byte) == expected else { return false }
        }
        return true
    }
}
