import ArgumentParser

/// `cg-sandbox`: a local imitation of the CustomerGauge API and its data, for tests and demos.
@main
struct CGSandbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cg-sandbox",
        abstract: "Local imitation of the CustomerGauge revenue-upload API, and the generator of its data.",
        subcommands: [ServeCommand.self, GenerateCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
