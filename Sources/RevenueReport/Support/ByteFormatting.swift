/// Numbers written straight into output bytes, without a String on the way: the row writers
/// call these for every upload.
extension [UInt8] {
    /// `-42`, `0`, `1234567`.
    mutating func appendDecimal<T: BinaryInteger>(_ value: T) {
        var magnitude = UInt64(value.magnitude)
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: a sign and UInt64.max's 20 digits
        Swift.withUnsafeMutableBytes(of: &digits) { raw in
            // Filled from the end, then appended in one go.
            var start = raw.count
            repeat {
                start -= 1
                raw[start] = UInt8(48 + magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                start -= 1
                raw[start] = UInt8(ascii: "-")
            }
            append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[start...]))
        }
    }

    /// Ten-thousandths as a number with 4 decimals: `6667` -> `0.6667`.
    mutating func appendFourDecimals(_ tenThousandths: Int) {
        appendDecimal(tenThousandths / 10_000)
        append(UInt8(ascii: "."))
        var fraction = tenThousandths % 10_000
        var divisor = 1_000
        while divisor > 0 {
            append(UInt8(48 + fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }
}
