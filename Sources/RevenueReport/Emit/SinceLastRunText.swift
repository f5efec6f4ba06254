/// "Since the last run" in words: the HTML's introduction, and the email's text part.
enum SinceLastRunText {
    static func intro(_ since: SinceLastRun) -> String {
        let previous = since.previousRun.map { "the history's last successful run (run \($0))" }
        return previous.map { "Run \(since.run) of \(since.location), compared with what \($0) and the runs before it saw." }
            ?? "Run \(since.run) of \(since.location): the first successful run of this history, so every upload is new."
    }

    static func lines(_ since: SinceLastRun, zone: SourceZone) -> [String] {
        func describe(_ change: UploadChange) -> String {
            let asked = change.revisited ? ", asked again" : ""
            return "  #\(change.upload.id) \(change.upload.sourceFilename ?? "") (\(zone.displayTime(change.upload.dateUpload.instant))\(asked)): \(change.before?.summaryText ?? "not known") -> \(UploadValues(change.upload).summaryText)"
                .replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        }
        var lines = [
            "  \(intro(since))",
            "  New uploads: \(HTMLWriter.grouped(since.new))",
            "  Changed uploads: \(HTMLWriter.grouped(since.changed))",
            "  Finished since the last run: \(HTMLWriter.grouped(since.finished))",
            "  Asked for again: \(HTMLWriter.grouped(since.revisited))",
        ]
        if !since.changes.isEmpty { lines += ["", "Changed:"] + since.changes.map(describe) }
        if !since.finishedUploads.isEmpty { lines += ["", "Finished since the last run:"] + since.finishedUploads.map(describe) }
        return lines
    }
}
