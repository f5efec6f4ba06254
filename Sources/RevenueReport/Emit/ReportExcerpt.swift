/// What the HTML report, the email and `--fail-on` need of the uploads, gathered as they pass
/// by in report order: the first rows of the table, the first uploads that need attention, the
/// `--fail-on` matches, and counts. Only these few uploads are ever decoded whole at the end.
public struct ReportExcerpt: Sendable {
    public private(set) var tableRows: [RevenueUpload] = []
    /// The first uploads that need attention (up to `HTMLWriter.attentionLimit`).
    public private(set) var attention: [RevenueUpload] = []
    public private(set) var attentionCount = 0
    public private(set) var uploadCount = 0
    public private(set) var failMatches: [FailMatch] = []
    let failRules: [FailRule]

    public init(failRules: [FailRule] = []) {
        self.failRules = failRules
    }

    /// Every upload of `uploads`, which must be in report order.
    public init(uploads: [RevenueUpload], failRules: [FailRule] = []) {
        self.init(failRules: failRules)
        for upload in uploads {
            add(upload, needsAttention: upload.needsAttention, mayMatch: true)
        }
    }

    /// The next record from the sorter; its flags say whether it needs decoding.
    mutating func add(_ record: SpillRecord) {
        let flags = record.flags
        let needsAttention = flags.contains(.needsAttention)
        let wanted = tableRows.count < HTMLWriter.tableRowLimit || (needsAttention && attention.count < HTMLWriter.attentionLimit)
            || flags.contains(.failMatch)
        guard wanted else {
            uploadCount += 1
            if needsAttention { attentionCount += 1 }
            return
        }
        add(record.upload, needsAttention: needsAttention, mayMatch: flags.contains(.failMatch))
    }

    private mutating func add(_ upload: RevenueUpload, needsAttention: Bool, mayMatch: Bool) {
        uploadCount += 1
        if tableRows.count < HTMLWriter.tableRowLimit { tableRows.append(upload) }
        if needsAttention {
            attentionCount += 1
            if attention.count < HTMLWriter.attentionLimit { attention.append(upload) }
        }
        if mayMatch, !failRules.isEmpty {
            let matched = failRules.filter { $0.matches(upload) }
            if !matched.isEmpty { failMatches.append(FailMatch(upload: upload, rules: matched)) }
        }
    }
}
