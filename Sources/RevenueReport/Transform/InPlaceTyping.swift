/// The common record typed where it lies: numbers and the time read from the bytes of the page,
/// no String made but the upload's own two texts (status, file name).
///
/// Each reading returns nil ("not the common case") for anything it does not take itself; the
/// record then goes the general way (`RecordTyper.type(_ values:)`), which takes or refuses it
/// and says why. So this file only has to be right about what it takes: a plain whole number, a
/// `YYYY-MM-DD HH:MM:SS` time, a string with nothing escaped.
extension RecordTyper {
    /// The upload, or nil when any member is not the common case.
    func uploadInPlace(_ fields: RecordFields, text: Span<UInt8>) -> RevenueUpload? {
        guard case let id?? = fields.id.map({ Self.plainInteger($0, in: text, maximumDigits: 18) }),
              case .text(let timeRange)? = fields.dateUpload,
              let dateUpload = UploadTime.parseAPIForm(text.extracting(timeRange), zone: zone),
              case let status? = Self.optionalText(fields.status, in: text),
              case let sourceFilename? = Self.optionalText(fields.sourceFilename, in: text),
              case let total? = Self.optionalCount(fields.totalRecords, in: text),
              case let successful? = Self.optionalCount(fields.successfulRecords, in: text),
              case let unsuccessful? = Self.optionalCount(fields.unsuccessfulRecords, in: text)
        else { return nil }
        let logs: [JSONValue]
        switch fields.logs {
        case nil: logs = []
        case .value(let value)?: logs = Self.logEntries(value)
        case .text?, .number?: return nil
        }
        let logsJSON = fields.logsAsReceived ?? RevenueUpload.compactJSON(logs)
        return RevenueUpload(id: id, status: status, sourceFilename: sourceFilename, dateUpload: dateUpload, totalRecords: total,
                             successfulRecords: successful, unsuccessfulRecords: unsuccessful, logsJSON: logsJSON, logCount: logs.count)
    }

    /// A string or number of 1 to `maximumDigits` digits and nothing else, as a number.
    static func plainInteger(_ value: FieldValue, in text: Span<UInt8>, maximumDigits: Int) -> Int64? {
        let range: Range<Int>
        switch value {
        case .text(let r), .number(let r): range = r
        case .value: return nil
        }
        guard !range.isEmpty, range.count <= maximumDigits, let number = CivilDate.number(text, range) else { return nil }
        return Int64(number)
    }

    /// A text member: `.some(nil)` when absent or null, `.some(text)` for a string or a number,
    /// nil for anything else.
    static func optionalText(_ value: FieldValue?, in text: Span<UInt8>) -> String?? {
        switch value {
        case nil, .value(.null)?: return .some(nil)
        case .text(let range)?, .number(let range)?: return .some(FieldValue.string(text.extracting(range)))
        case .value?: return nil
        }
    }

    /// A count member: `.some(nil)` when absent, null or empty, `.some(n)` for a whole number
    /// from 0 to `Int32.max` written plainly, nil for anything else.
    static func optionalCount(_ value: FieldValue?, in text: Span<UInt8>) -> Int?? {
        switch value {
        case nil, .value(.null)?: return .some(nil)
        case .text(let range)? where range.isEmpty: return .some(nil)
        case let member?:
            guard let count = plainInteger(member, in: text, maximumDigits: 10), count <= Int64(Int32.max) else { return nil }
            return .some(Int(count))
        }
    }
}
