/// Numbers written straight into output bytes, without a String on the way: the row writers
/// call these for every upload.
extension [UInt8] {
    /// `-42`, `0`, `1234567`.
    mutating func appendDecimal<T: BinaryInteger>(_ value: T) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var magnitude = UInt64(value.magnitude)
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for UInt64.max's 20 digits
        var count = 0
        Swift.withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                raw[count] = UInt8(48 + magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for index in stride(from: count - 1, through: 0, by: -1) { append(raw[index]) }
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
