import Foundation

/// A calendar date without a zone (`2026-03-15`), as `--from` and `--to` take it.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(_ text: String) {
        // Read where the text lies (a span of its bytes): no copy for each date read.
        let bytes = text.utf8.span
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let y = Self.number(bytes, 0 ..< 4), let m = Self.number(bytes, 5 ..< 7), let d = Self.number(bytes, 8 ..< 10)
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The digits at `range` of `bytes` as a number; nil if any is not a digit.
    static func number(_ bytes: Span<UInt8>, _ range: Range<Int>) -> Int? {
        var value = 0
        for index in range {
            let byte = bytes[index]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// Checks `YYYY-MM-DD` and says what is wrong when it is not a day: the form, or which part.
    public static func check(_ text: String) -> Result<CivilDate, SettingProblem> {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let y = number(bytes[0..<4]), let m = number(bytes[5..<7]), let d = number(bytes[8..<10])
        else { return .failure(SettingProblem("expected a date as YYYY-MM-DD")) }
        guard (1...9999).contains(y) else { return .failure(SettingProblem("year \(y) is out of range")) }
        guard (1...12).contains(m) else { return .failure(SettingProblem("there is no month \(m) (months are 01 to 12)")) }
        let days = daysIn(month: m, year: y)
        guard (1...days).contains(d) else {
            return .failure(SettingProblem("day \(d) does not exist: \(String(format: "%04d-%02d", y, m)) has \(days) days"))
        }
        return .success(CivilDate(year: y, month: m, day: d)!)
    }

    static func number<Digits: Collection<UInt8>>(_ digits: Digits) -> Int? {
        var value = 0
        for byte in digits {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(daysSinceEpoch days: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    public func adding(days: Int) -> CivilDate {
        CivilDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public var description: String {
        pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }
}

func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

/// The zone the API's timestamps are in (`--source-timezone`).
public struct SourceZone: Sendable, CustomStringConvertible {
    public let identifier: String
    private let zone: TimeZone?  // nil for UTC: the common case needs no lookups

    public static let utc = SourceZone(utc: ())

    private init(utc: Void) {
        identifier = "UTC"
        zone = nil
    }

    /// Fails for an unknown zone name.
    public init?(identifier: String) {
        if identifier == "UTC" || identifier == "Z" || identifier == "Etc/UTC" {
            self = .utc
            return
        }
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
    }

    public var description: String { identifier }

    /// The zone's offset from UTC, in seconds, at a wall-clock time of this zone given as seconds
    /// since 1970-01-01T00:00:00 read as if it were UTC. In a DST gap or overlap, the offset in
    /// force just before the change is used.
    public func offset(atLocalSeconds local: Int64) -> Int {
        guard let zone else { return 0 }
        let guess = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local)))
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local - Int64(guess))))
        return offset
    }

    /// The offset in force at an instant.
    public func offset(atInstant instant: Int64) -> Int {
        guard let zone else { return 0 }
        return zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }
}

/// A moment read from `date_upload`: its wall-clock time in the source zone and that zone's offset.
public struct UploadTime: Sendable, Hashable, Comparable {
    /// Wall-clock time in the source zone, as seconds since 1970-01-01T00:00:00 read as UTC.
    public var localSeconds: Int64
    /// The source zone's offset from UTC at that moment.
    public var offsetSeconds: Int

    public var instant: Int64 { localSeconds - Int64(offsetSeconds) }

    public var localDate: CivilDate {
        CivilDate(daysSinceEpoch: Int((localSeconds - floorMod(localSeconds, 86_400)) / 86_400))
    }

    public static func < (a: UploadTime, b: UploadTime) -> Bool {
        a.instant < b.instant
    }

    /// Reads `YYYY-MM-DD HH:MM:SS` (the API's form, in the source zone). Also takes a `T`
    /// separator, fractional seconds (dropped), a missing seconds field or time (midnight), and
    /// an explicit `Z` or `±HH:MM` offset, which is then converted to the source zone.
    public static func parse(_ text: String, zone: SourceZone) -> UploadTime? {
        // The API's own form, read in place: the general path below copies and may reshape.
        if let time = parseAPIForm(text.utf8.span, zone: zone) { return time }
        var b = Array(text.utf8)
        // Tolerated shortenings: a date alone is its midnight, `HH:MM` has 0 seconds.
        if b.count == 10 { b += Array(" 00:00:00".utf8) }
        if b.count >= 16, b.count == 16 || !(b[16] == UInt8(ascii: ":")), b[13] == UInt8(ascii: ":") {
            b.insert(contentsOf: Array(":00".utf8), at: 16)
        }
        guard b.count >= 19, let wall = wallSeconds(b.span.extracting(0 ..< 19)) else { return nil }
        var rest = b[19...]
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            guard let firstDigit = rest.first, firstDigit >= 0x30, firstDigit <= 0x39 else { return nil }
            rest = rest.drop(while: { $0 >= 0x30 && $0 <= 0x39 })
        }
        if rest.isEmpty {
            return UploadTime(localSeconds: wall, offsetSeconds: zone.offset(atLocalSeconds: wall))
        }
        // An explicit offset: the instant is known; show it in the source zone.
        let explicitOffset: Int
        if rest.count == 1, rest.first == UInt8(ascii: "Z") || rest.first == UInt8(ascii: "z") {
            explicitOffset = 0
        } else if rest.count == 6, rest.first == UInt8(ascii: "+") || rest.first == UInt8(ascii: "-"),
                  rest[rest.startIndex + 3] == UInt8(ascii: ":"),
                  let h = CivilDate.number(rest[(rest.startIndex + 1)..<(rest.startIndex + 3)]),
                  let m = CivilDate.number(rest[(rest.startIndex + 4)..<(rest.startIndex + 6)]), h < 24, m < 60 {
            explicitOffset = (rest.first == UInt8(ascii: "-") ? -1 : 1) * (h * 3600 + m * 60)
        } else {
            return nil
        }
        let instant = wall - Int64(explicitOffset)
        let offset = zone.offset(atInstant: instant)
        return UploadTime(localSeconds: instant + Int64(offset), offsetSeconds: offset)
    }

    /// Exactly `YYYY-MM-DD HH:MM:SS` (or with `T`), the API's form, in the source zone; nil for
    /// anything else (`parse` takes the other forms).
    static func parseAPIForm(_ bytes: Span<UInt8>, zone: SourceZone) -> UploadTime? {
        guard let wall = wallSeconds(bytes) else { return nil }
        return UploadTime(localSeconds: wall, offsetSeconds: zone.offset(atLocalSeconds: wall))
    }

    /// `YYYY-MM-DD HH:MM:SS` (or with `T`) exactly, as seconds since 1970 on the wall clock.
    private static func wallSeconds(_ b: Span<UInt8>) -> Int64? {
        guard b.count == 19, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: " ") || b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let year = CivilDate.number(b, 0 ..< 4), let month = CivilDate.number(b, 5 ..< 7), let day = CivilDate.number(b, 8 ..< 10),
              let hour = CivilDate.number(b, 11 ..< 13), let minute = CivilDate.number(b, 14 ..< 16), let second = CivilDate.number(b, 17 ..< 19),
              hour < 24, minute < 60, second < 60,
              let date = CivilDate(year: year, month: month, day: day)
        else { return nil }
        return Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// RFC 3339 with the source zone's offset: `2019-05-15T11:35:54Z`, `2026-03-29T03:10:00+02:00`.
    public var rfc3339: String {
        var bytes: [UInt8] = []
        appendRFC3339(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The same, appended as bytes.
    public func appendRFC3339(to out: inout [UInt8]) {
        out.append(addingCapacity: Self.rfc3339MaximumSize) { write(into: &$0) }
    }

    /// At most how many bytes `write(into:)` writes: `YYYY-MM-DDTHH:MM:SS+HH:MM`.
    static let rfc3339MaximumSize = 25

    /// The same, written into reserved output: the CSV and NDJSON writers call this for every row.
    func write(into out: inout OutputSpan<UInt8>) {
        let date = localDate
        let secondOfDay = Int(floorMod(localSeconds, 86_400))
        out.appendTwoDigits(date.year / 100)
        out.appendTwoDigits(date.year)
        out.append(UInt8(ascii: "-"))
        out.appendTwoDigits(date.month)
        out.append(UInt8(ascii: "-"))
        out.appendTwoDigits(date.day)
        out.append(UInt8(ascii: "T"))
        out.appendTwoDigits(secondOfDay / 3600)
        out.append(UInt8(ascii: ":"))
        out.appendTwoDigits(secondOfDay / 60 % 60)
        out.append(UInt8(ascii: ":"))
        out.appendTwoDigits(secondOfDay % 60)
        if offsetSeconds == 0 {
            out.append(UInt8(ascii: "Z"))
        } else {
            let magnitude = abs(offsetSeconds)
            out.append(UInt8(ascii: offsetSeconds < 0 ? "-" : "+"))
            out.appendTwoDigits(magnitude / 3600)
            out.append(UInt8(ascii: ":"))
            out.appendTwoDigits(magnitude / 60 % 60)
        }
    }

    /// The String-building original, kept to check `appendRFC3339` against.
    var rfc3339ByStrings: String {
        let secondsOfDay = Int(floorMod(localSeconds, 86_400))
        var text = localDate.description + "T" + pad(secondsOfDay / 3600, 2) + ":" + pad(secondsOfDay / 60 % 60, 2) + ":" + pad(secondsOfDay % 60, 2)
        if offsetSeconds == 0 {
            text += "Z"
        } else {
            let magnitude = abs(offsetSeconds)
            text += (offsetSeconds < 0 ? "-" : "+") + pad(magnitude / 3600, 2) + ":" + pad(magnitude / 60 % 60, 2)
        }
        return text
    }
}

func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
    let r = a % b
    return r < 0 ? r + b : r
}
