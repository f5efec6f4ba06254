import ArgumentParser
import Foundation
import CustomerGaugeSandbox
import RevenueReport

/// Writes recorded pages, as `--replay` reads them: how `examples/responses*` are made.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write generated uploads as recorded API pages (page-0001.json, …).",
        discussion: """
            Example (how examples/ is made):
              cg-sandbox generate --uploads 2300 --seed 2026 --from 2025-12-01 --to 2026-07-15 --format json --out examples/responses
            """
    )

    @Option(help: "Number of uploads.") var uploads: Int = 2300
    @Option(help: "Seed of the generator: the same seed gives the same data.") var seed: UInt64 = 2026
    @Option(help: "First day of upload dates.") var from: String = "2025-12-01"
    @Option(help: "Last day of upload dates.") var to: String = "2026-07-15"
    @Option(name: .customLong("page-size"), help: "Uploads per page.") var pageSize: Int = 1000
    @Option(help: "json or xml.") var format: String = "json"
    @Option(help: "Folder to write the pages into (created if missing).") var out: String
    @Flag(name: .customLong("numbers"), help: "JSON: write ids and counts as numbers instead of strings.") var numbers = false
    @Option(help: "in-order (ids rise with the upload time) or random (ids in order, upload times at random: data out of report order).")
    var dates: String = "in-order"

    func run() throws {
        guard let fromDate = CivilDate(from), let toDate = CivilDate(to), fromDate <= toDate else {
            throw ValidationError("--from and --to must be dates (YYYY-MM-DD), --from first")
        }
        guard let wire = WireFormat(rawValue: format) else { throw ValidationError("--format must be json or xml") }
        guard pageSize > 0, uploads >= 0 else { throw ValidationError("--page-size must be positive and --uploads not negative") }
        guard dates == "in-order" || dates == "random" else { throw ValidationError("--dates must be in-order or random") }
        let all = UploadGenerator(seed: seed, count: uploads, from: fromDate, to: toDate, datesInOrder: dates == "in-order").uploads()
        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var pageNumber = 0
        for start in stride(from: 0, to: max(all.count, 1), by: pageSize) {
            pageNumber += 1
            let page = Array(all[start..<min(start + pageSize, all.count)])
            let text = wire == .json ? PageRenderer.json(page, numbersAsStrings: !numbers) : PageRenderer.xml(page)
            let name = PageArchive.pageStem(pageNumber) + "." + wire.rawValue
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        }
        print("wrote \(pageNumber) page(s) of \(all.count) uploads to \(folder.path)")
    }
}
