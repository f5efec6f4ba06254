import ArgumentParser
import RevenueReport

/// Options whose values are settings of `SettingCatalog`: each property is the command-line
/// form of the setting whose name is the property's in camelCase (`pageSize` for `page-size`),
/// which is how `givenFlags` finds it, in the command and in every group it includes.
protocol SettingOptions: ParsableArguments {}

extension SettingOptions {
    /// `--help`'s text for a setting, from its declaration.
    static func help(_ key: OptionKey, for command: SettingScope = .report) -> ArgumentHelp {
        let spec = key.spec
        return ArgumentHelp(spec.helpWithDefault(for: command), valueName: spec.isOnOff ? nil : spec.valueName)
    }

    /// The options given on the command line, by setting, found by property name (here and in
    /// the option groups included): a setting needs no second list to be read.
    var givenFlags: [OptionKey: [String]] {
        var flags: [OptionKey: [String]] = [:]
        for child in Mirror(reflecting: self).children {
            if let group = child.value as? any IncludedSettingOptions {
                flags.merge(group.includedFlags) { $1 }
                continue
            }
            guard let label = child.label, let key = settingKey(property: label) else { continue }
            switch child.value {
            case let option as Option<String?>: if let value = option.wrappedValue { flags[key] = [value] }
            case let option as Option<[String]>: if !option.wrappedValue.isEmpty { flags[key] = option.wrappedValue }
            case let flag as Flag<Bool?>: if let value = flag.wrappedValue { flags[key] = [value ? "true" : "false"] }
            default: break
            }
        }
        return flags
    }
}

/// `_pageSize` (the property wrapper's storage) or `pageSize` to `.pageSize`; nil for `config`.
func settingKey(property label: String) -> OptionKey? {
    let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
    return OptionKey.allCases.first { $0.propertyName == name }
}

/// An `@OptionGroup` of settings, as `givenFlags` reads it.
protocol IncludedSettingOptions {
    var includedFlags: [OptionKey: [String]] { get }
}

extension OptionGroup: IncludedSettingOptions where Value: SettingOptions {
    var includedFlags: [OptionKey: [String]] { wrappedValue.givenFlags }
}

/// Where the API is and how it is asked: shared by every command that talks to it. (The wire
/// format is not here: `report` names it `--format`, `upload` `--api-format`.)
struct APIOptions: SettingOptions {
    @Option(help: help(.region)) var region: String?
    @Option(help: help(.baseURL)) var baseUrl: String?
    @Option(help: help(.authURL)) var authUrl: String?
    @Option(help: help(.maxAttempts)) var maxAttempts: String?
    @Option(help: help(.timeout)) var timeout: String?
    @Option(help: help(.sourceTimezone)) var sourceTimezone: String?
}

/// The same for `upload`, in its words (it posts to another path, and finds the upload in the listing).
struct UploadAPIOptions: SettingOptions {
    @Option(help: help(.region, for: .upload)) var region: String?
    @Option(help: help(.baseURL, for: .upload)) var baseUrl: String?
    @Option(help: help(.authURL, for: .upload)) var authUrl: String?
    @Option(help: help(.maxAttempts, for: .upload)) var maxAttempts: String?
    @Option(help: help(.timeout, for: .upload)) var timeout: String?
    @Option(help: help(.sourceTimezone, for: .upload)) var sourceTimezone: String?
}

/// The config file, the plan and the log: shared by every command that runs a job.
struct RunOptions: SettingOptions {
    @Option(help: ArgumentHelp("YAML file whose keys are these options' long names (page-size: 500). Also CG_CONFIG.", valueName: "FILE"))
    var config: String?
    @Flag(inversion: .prefixedNo, help: help(.dryRun)) var dryRun: Bool?
    @Option(help: help(.logLevel)) var logLevel: String?
    @Option(help: help(.logFormat)) var logFormat: String?
    @Flag(inversion: .prefixedNo, help: help(.quiet)) var quiet: Bool?
}

/// What a monitor sees of a run.
struct OperationsOptions: SettingOptions {
    @Option(help: help(.metricsFile)) var metricsFile: String?
    @Option(help: help(.pingURL)) var pingUrl: String?
}

/// Memory across runs: where the history is (`report` adds `--alert-once`, which is its own).
struct HistoryOptions: SettingOptions {
    @Option(help: help(.history)) var history: String?
}

/// The history as `upload` uses it: what was sent, and what CustomerGauge took.
struct UploadHistoryOptions: SettingOptions {
    @Option(help: help(.history, for: .upload)) var history: String?
}
