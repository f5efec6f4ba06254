import Foundation

/// Page bodies already rendered, by night and query: the data changes only from one night to the
/// next (`SandboxData`), so a
/// page asked for again (by a retry, by another run of a benchmark) is served without rendering
/// it again. The API's own rendering happens on its servers; here it would share the client's
/// cores and blur what a benchmark of the client measures. Bounded: past `capacityBytes` new
/// pages are rendered and not kept.
final class RenderedPages: @unchecked Sendable {
    private let lock = NSLock()
    private var bodies: [String: String] = [:]
    private var bytes = 0
    let capacityBytes: Int

    init(capacityBytes: Int = 128 << 20) {
        self.capacityBytes = capacityBytes
    }

    func body(for key: String, render: () -> String) -> String {
        if let known = lock.withLock({ bodies[key] }) { return known }
        let body = render()
        lock.withLock {
            if bytes + body.utf8.count <= capacityBytes, bodies[key] == nil {
                bodies[key] = body
                bytes += body.utf8.count
            }
        }
        return body
    }
}
