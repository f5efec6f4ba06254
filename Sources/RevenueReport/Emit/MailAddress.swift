import Foundation

/// One mailbox of an RFC 5322 address list: `finance@example.com`, `Finance <finance@example.com>`
/// or `"Doe, John" <john@example.com>`.
public struct MailAddress: Sendable, Equatable, CustomStringConvertible {
    public var displayName: String?
    /// The addr-spec, `local@domain`.
    public var address: String

    public init(displayName: String? = nil, address: String) {
        self.displayName = displayName
        self.address = address
    }

    /// As a header writes it: the name quoted when it holds anything but words, RFC 2047 when not ASCII.
    public var headerText: String {
        guard let displayName, !displayName.isEmpty else { return address }
        if !displayName.unicodeScalars.allSatisfy({ $0.isASCII }) {
            return "\(EMLWriter.encodedHeader(displayName)) <\(address)>"
        }
        let atext = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+-/=?^_`{|}~ "))
        if displayName.unicodeScalars.allSatisfy({ atext.contains($0) }) && !displayName.hasPrefix(" ") {
            return "\(displayName) <\(address)>"
        }
        let escaped = displayName.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\" <\(address)>"
    }

    public var description: String { headerText }

    /// Splits an address list at the commas between mailboxes (not those in quoted names,
    /// comments or angle brackets) and reads each mailbox; the error says which one is wrong.
    public static func parseList(_ text: String) throws(SettingProblem) -> [MailAddress] {
        var addresses: [MailAddress] = []
        for part in splitList(text) { addresses.append(try parse(part)) }
        return addresses
    }

    /// The mailboxes of `text` as separate texts, split at top-level commas.
    public static func splitList(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var inQuotes = false, escaped = false, commentDepth = 0, inAngle = false
        for character in text {
            if escaped { current.append(character); escaped = false; continue }
            switch character {
            case "\\" where inQuotes || commentDepth > 0: escaped = true
            case "\"" where commentDepth == 0: inQuotes.toggle()
            case "(" where !inQuotes: commentDepth += 1
            case ")" where !inQuotes && commentDepth > 0: commentDepth -= 1
            case "<" where !inQuotes && commentDepth == 0: inAngle = true
            case ">" where !inQuotes && commentDepth == 0: inAngle = false
            case "," where !inQuotes && commentDepth == 0 && !inAngle:
                parts.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        parts.append(current)
        return parts.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// One mailbox: `addr-spec` or `[display-name] <addr-spec>`; comments are dropped.
    public static func parse(_ text: String) throws(SettingProblem) -> MailAddress {
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw SettingProblem("an address is one line, without control characters")
        }
        var name = ""
        var angle: String?
        var bare = ""
        var inQuotes = false, escaped = false, commentDepth = 0, inAngle = false
        for character in text {
            // A backslash escapes only inside a quoted name (kept) or a comment (dropped).
            if escaped { if commentDepth == 0 { name.append(character) }; escaped = false; continue }
            if commentDepth > 0 {
                if character == "(" { commentDepth += 1 } else if character == ")" { commentDepth -= 1 } else if character == "\\" { escaped = true }
                continue
            }
            if inQuotes {
                switch character {
                case "\\": escaped = true
                case "\"": inQuotes = false
                default: name.append(character)
                }
                continue
            }
            if inAngle {
                if character == ">" { inAngle = false } else { angle!.append(character) }
                continue
            }
            switch character {
            case "\"": inQuotes = true
            case "(": commentDepth = 1
            case "<":
                guard angle == nil else { throw SettingProblem("\(text): two <…> in one address") }
                inAngle = true
                angle = ""
            case ">": throw SettingProblem("\(text): a '>' without its '<'")
            default:
                if angle != nil, !character.isWhitespace { throw SettingProblem("\(text): text after the <address>") }
                name.append(character)
                bare.append(character)
            }
        }
        if inQuotes { throw SettingProblem("\(text): a quoted name is not closed") }
        if inAngle { throw SettingProblem("\(text): a '<' without its '>'") }
        if commentDepth > 0 { throw SettingProblem("\(text): a comment '(' is not closed") }
        let address = (angle ?? bare).trimmingCharacters(in: .whitespaces)
        try checkAddrSpec(address, in: text)
        let displayName = angle == nil ? nil : name.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return MailAddress(displayName: displayName?.isEmpty == true ? nil : displayName, address: address)
    }

    private static func checkAddrSpec(_ address: String, in text: String) throws(SettingProblem) {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+-/=?^_`{|}~."))
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              address.unicodeScalars.allSatisfy({ $0.isASCII && ($0 == "@" || allowed.contains($0)) }),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !parts[0].hasPrefix("."), !parts[0].hasSuffix(".")
        else {
            throw SettingProblem("\(text): expected an address such as finance@example.com, \"Finance <finance@example.com>\" or \"\\\"Doe, John\\\" <john@example.com>\"")
        }
    }
}
