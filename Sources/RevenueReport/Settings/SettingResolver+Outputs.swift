import Foundation

/// The headers and attachments of `STEM.eml`.
public struct MailSettings: Sendable, Equatable {
    public static let defaultFrom = "cg-revenue <cg-revenue@localhost>"
    static let defaultFromAddress = MailAddress(displayName: "cg-revenue", address: "cg-revenue@localhost")
    public static let defaultSubject = "Revenue uploads {{range}}: {{uploads}} uploads, {{attention}} need attention"

    public var from: MailAddress?
    public var to: [MailAddress] = []
    public var subject: String?
    public var attach: [OutputKind] = [.csv]

    public init(from: MailAddress? = nil, to: [MailAddress] = [], subject: String? = nil, attach: [OutputKind] = [.csv]) {
        self.from = from
        self.to = to
        self.subject = subject
        self.attach = attach
    }
}

/// Outputs and mail: `--mail-from`, `--mail-to`, `--mail-subject`, `--mail-attach`.
extension SettingResolver {
    mutating func mailSettings() -> MailSettings {
        var mail = MailSettings(subject: given[.mailSubject]?.value.text,
                                attach: list(.mailAttach).compactMap { OutputKind(rawValue: $0) })
        if let from = given[.mailFrom] {
            do { mail.from = try MailAddress.parse(from.value.text ?? "") } catch {
                problems.append(Self.sentence(.mailFrom, from.value.text ?? "", from.origin, error.reason))
            }
        }
        if let to = given[.mailTo] {
            for text in to.value.items {
                do { mail.to.append(try MailAddress.parse(text)) } catch {
                    problems.append(Self.sentence(.mailTo, text, to.origin, error.reason))
                }
            }
        }
        return mail
    }
}
