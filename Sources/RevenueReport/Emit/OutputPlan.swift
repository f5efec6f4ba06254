import Foundation

/// Which outputs a run makes, and how (from `OutputFormat.registry`): the row formats rendered
/// ahead while pages are typed, the writers of whole documents, and which outputs the email
/// carries (made even when not written as files).
struct OutputPlan {
    let configuration: ReportConfiguration
    let rowFormats: [any RowFormat]
    let documentWriters: [(kind: OutputKind, writer: any ReportWriter)]
    /// Outputs made from their rows once all are in (XLSX).
    let finishers: [(kind: OutputKind, finisher: any RowsFinisher)]

    init(_ configuration: ReportConfiguration) throws {
        self.configuration = configuration
        var kinds = configuration.outputs.filter { $0 != .eml }
        if configuration.outputs.contains(.eml) {
            // The message carries the HTML and its attachments even when they are not files.
            for kind in [OutputKind.html] + configuration.mail.attach where !kinds.contains(kind) { kinds.append(kind) }
        }
        var rowFormats: [any RowFormat] = []
        var documentWriters: [(kind: OutputKind, writer: any ReportWriter)] = []
        var finishers: [(kind: OutputKind, finisher: any RowsFinisher)] = []
        for kind in kinds {
            switch kind.format.maker {
            case .rows(let make): rowFormats.append(make(configuration))
            case .document(let make): documentWriters.append((kind, try make(configuration)))
            case .rowsThenFile(let rows, let finish):
                rowFormats.append(rows(configuration))
                finishers.append((kind, finish(configuration)))
            case .message: break
            }
        }
        self.rowFormats = rowFormats
        self.documentWriters = documentWriters
        self.finishers = finishers
    }

    /// Where the row outputs go while pages are collected: each output's temporary file (or,
    /// for an output made from its rows, a scratch file its finisher reads back; for one only
    /// the email carries, memory), opened with the first row and its header written.
    func rowStream(committer: OutputCommitter) -> RowStream {
        RowStream(formats: rowFormats, directory: configuration.outDirectory) { [self] in
            try rowFormats.map { format in
                let sink = finishesFromRows(format.kind)
                    ? try committer.open(name: fileName(format.kind) + ".rows", scratch: true)  // read back by its finisher
                    : writesFile(format.kind)
                    ? try committer.open(name: fileName(format.kind), keepCopy: emailNeeds(format.kind))
                    : OutputSink()  // only the email carries it
                format.appendHeader(to: &sink.buffer)
                return sink
            }
        }
    }

    /// Uploads coming in report order go to the row outputs as they are collected; that needs
    /// every row output to be a file (to be read back should the order break).
    var streamsRows: Bool { rowFormats.allSatisfy { writesFile($0.kind) } }

    /// The rows of this output are an intermediate, read back by its finisher.
    func finishesFromRows(_ kind: OutputKind) -> Bool { finishers.contains { $0.kind == kind } }

    func writesFile(_ kind: OutputKind) -> Bool { configuration.outputs.contains(kind) }

    /// The email's body is the HTML report; its attachments are `--mail-attach`.
    func emailNeeds(_ kind: OutputKind) -> Bool {
        configuration.outputs.contains(.eml) && (kind == .html || configuration.mail.attach.contains(kind))
    }

    func fileName(_ kind: OutputKind) -> String { "\(configuration.stem).\(kind.fileExtension)" }

    /// Where `output` comes in `--emit`.
    func order(of output: WrittenOutput) -> Int {
        configuration.outputs.firstIndex { output.path.hasSuffix("/" + fileName($0)) } ?? configuration.outputs.count
    }
}
