import Foundation

/// `--archive-raw DIR`: every page byte for byte (`page-0001.json`), with a sidecar
/// (`page-0001.meta.json`: URL, status, headers without Authorization, time, sha256).
/// `--replay DIR` reads such a folder as it is and gives the same CSV and NDJSON.
public struct PageArchive {
    public let directory: URL
    private var count = 0

    /// The folder must be new or empty: pages of an earlier run would otherwise replay too.
    public init(directory: URL) throws {
        self.directory = directory
        let manager = FileManager.default
        if manager.fileExists(atPath: directory.path) {
            let entries = (try? manager.contentsOfDirectory(atPath: directory.path)) ?? []
            guard entries.isEmpty else {
                throw ReportError.usage("--archive-raw \(directory.path): the folder is not empty; give a new folder for each run (e.g. archive/$(date +%F))")
            }
        } else {
            do {
                try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw ReportError.io("--archive-raw \(directory.path): cannot create the folder: \(FileProblem.describeFolder(path: directory.path))")
            }
        }
    }

    /// `page-0001`: names that sort in page order, as `--replay` reads them.
    public static func pageStem(_ number: Int) -> String {
        "page-" + pad(number, 4)
    }

    public mutating func save(_ page: RawPage, sha256: String) throws {
        count += 1
        let stem = Self.pageStem(count)
        var meta: [JSONMember] = [JSONMember("sha256", .string(sha256)), JSONMember("bytes", .number(String(page.bytes.count)))]
        if let provenance = page.provenance {
            meta += [
                JSONMember("url", .string(provenance.url)),
                JSONMember("status", .number(String(provenance.status))),
                JSONMember("attempts", .number(String(provenance.attempts))),
                JSONMember("fetched_at", .string(Timestamp.rfc3339(provenance.fetchedAt))),
                JSONMember("request_headers", .object(provenance.requestHeaders.filter { $0.0.lowercased() != "authorization" }.map { JSONMember($0.0, .string($0.1)) })),
                JSONMember("response_headers", .object(provenance.responseHeaders.map { JSONMember($0.0, .string($0.1)) })),
            ]
        } else {
            meta.append(JSONMember("source_file", .string(page.origin)))
        }
        do {
            try page.bytes.write(to: directory.appendingPathComponent("\(stem).\(page.format.rawValue)"), options: .atomic)
            try Data((JSONValue.object(meta).compactText + "\n").utf8).write(to: directory.appendingPathComponent("\(stem).meta.json"), options: .atomic)
        } catch {
            throw ReportError.io("--archive-raw \(directory.path): cannot write \(stem): \(FileProblem.describeFolder(path: directory.path))")
        }
    }
}

/// RFC 3339 in UTC with milliseconds, for evidence (logs, sidecars, manifest).
public enum Timestamp {
    public static func rfc3339(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = millis / 1000
        let day = CivilDate(daysSinceEpoch: Int(seconds / 86_400 - (seconds % 86_400 < 0 ? 1 : 0)))
        let secondOfDay = Int(floorMod(seconds, 86_400))
        return "\(day)T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(Int(floorMod(millis, 1000)), 3))Z"
    }
}
