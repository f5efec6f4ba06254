/// Writing output bytes into reserved memory (`OutputSpan`), without a String on the way and
/// without `Unsafe`: the row writers call these for every upload.
///
/// The caller reserves room first (`Array.append(addingCapacity:initializingWith:)` with a bound
/// the writer gives); each `append` then only checks that room, so a wrong bound stops the
/// program rather than writing past it.
extension OutputSpan<UInt8> {
    /// The bytes of `bytes`, in order.
    mutating func append(copying bytes: Span<UInt8>) {
        for index in bytes.indices { append(bytes[index]) }
    }

    /// Text that is part of the format (a JSON key, `null`): its UTF-8 bytes.
    mutating func append(literal text: String) {
        append(copying: text.utf8.span)
    }

    /// `-42`, `0`, `1234567`: the digits counted first, then written from the last one back.
    mutating func appendDecimal(_ value: Int64) {
        var magnitude = value.magnitude
        var width = 1
        var rest = magnitude / 10
        while rest > 0 { width += 1; rest /= 10 }
        if value < 0 { append(UInt8(ascii: "-")) }
        let start = count
        append(repeating: UInt8(ascii: "0"), count: width)
        var digits = mutableSpan
        var position = start + width - 1
        repeat {
            digits[position] = UInt8(48 + magnitude % 10)
            magnitude /= 10
            position -= 1
        } while magnitude > 0
    }

    mutating func appendDecimal(_ value: Int) { appendDecimal(Int64(value)) }

    /// `value`'s last `width` digits, zeros in front (`7`, 2 -> `07`).
    mutating func appendPadded(_ value: Int, width: Int) {
        var divisor: UInt = 1
        for _ in 1 ..< width { divisor *= 10 }
        var rest = value.magnitude % (divisor * 10)
        while divisor > 0 {
            append(UInt8(48 + rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// `value`'s last two digits (`7` -> `07`): months, days, hours, minutes, seconds.
    mutating func appendTwoDigits(_ value: Int) {
        let lastTwo = value.magnitude % 100
        append(UInt8(48 + lastTwo / 10))
        append(UInt8(48 + lastTwo % 10))
    }

    /// Ten-thousandths as a number with 4 decimals: `6667` -> `0.6667`.
    mutating func appendFourDecimals(_ tenThousandths: Int) {
        appendDecimal(tenThousandths / 10_000)
        append(UInt8(ascii: "."))
        appendPadded(tenThousandths % 10_000, width: 4)
    }

    /// A fixed-width integer, little-endian: the scratch files' layout (`BinaryRecord.swift`).
    mutating func appendInteger<T: FixedWidthInteger>(_ value: T) {
        for shift in stride(from: 0, to: T.bitWidth, by: 8) { append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    /// Overwrites the `u32` at `offset` (written before as a placeholder) with `value`.
    mutating func patch(_ value: UInt32, at offset: Int) {
        var written = mutableSpan
        for byte in 0 ..< 4 { written[offset + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte)) }
    }
}

extension [UInt8] {
    /// `-42`, `0`, `1234567`.
    mutating func appendDecimal<T: BinaryInteger>(_ value: T) {
        append(addingCapacity: 20) { $0.appendDecimal(Int64(value)) }
    }

    /// Ten-thousandths as a number with 4 decimals: `6667` -> `0.6667`.
    mutating func appendFourDecimals(_ tenThousandths: Int) {
        append(addingCapacity: 25) { $0.appendFourDecimals(tenThousandths) }
    }
}
