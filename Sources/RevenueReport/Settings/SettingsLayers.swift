import Configuration
import Foundation
import SystemPackage
import Yams

/// Where a setting's value came from, for messages that name it.
public enum SettingOrigin: Sendable, Equatable, CustomStringConvertible {
    case flag(OptionKey)
    case environment(String)
    case file(key: String, path: String)
    case defaultValue(OptionKey)

    public var description: String {
        switch self {
        case .flag(let key): return "--\(key.rawValue)"
        case .environment(let name): return name
        case .file(let key, let path): return "\(key) in \(path)"
        case .defaultValue(let key): return "the default of --\(key.rawValue)"
        }
    }
}

/// The layers a setting can come from, highest first: flags, environment (`CG_` names only),
/// the YAML config file (read with swift-configuration). Defaults live in `RunSettings`.
public struct SettingsLayers: Sendable {
    let flags: [OptionKey: [String]]
    let environment: ConfigReader
    let file: ConfigReader?
    public let configPath: String?
    /// The process environment, for the secrets that only it may hold.
    public let rawEnvironment: [String: String]

    /// `flags`: the options given on the command line. The config file is `--config`, else `CG_CONFIG`.
    public static func load(flags: [OptionKey: [String]], configPath flagConfig: String?, environment: [String: String]) async throws -> SettingsLayers {
        let environmentReader = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)).scoped(to: "cg")
        let configPath = flagConfig ?? environment["CG_CONFIG"]
        var fileReader: ConfigReader?
        if let configPath {
            let text: String
            do {
                text = try String(contentsOfFile: configPath, encoding: .utf8)
            } catch {
                throw ReportError.usage("--config \(configPath): cannot read the file: \(FileProblem.describe(path: configPath))")
            }
            try validateStructure(text, path: configPath)
            do {
                let provider = try await FileProvider<YAMLSnapshot>(filePath: FilePath(configPath))
                fileReader = ConfigReader(provider: provider)
            } catch {
                throw ReportError.usage("--config \(configPath): \(error)")
            }
        }
        return SettingsLayers(flags: flags, environment: environmentReader, file: fileReader, configPath: configPath, rawEnvironment: environment)
    }

    /// Every key must be known and hold a value of the right shape: a typo must not silently
    /// fall back to a default in a nightly job.
    static func validateStructure(_ text: String, path: String) throws {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ReportError.usage("--config \(path): not valid YAML: \(error)")
        }
        guard let node else { return }  // an empty file sets nothing
        guard let mapping = node.mapping else {
            throw ReportError.usage("--config \(path): expected `key: value` lines at the top level")
        }
        for (keyNode, value) in mapping {
            let name = keyNode.string ?? "?"
            guard let key = OptionKey(rawValue: name) else {
                let hint: String
                switch name {
                case "client-secret", "client_secret", "api-key", "api_key":
                    hint = " (secrets are not read from the config file: use CG_CLIENT_SECRET / CG_API_KEY, or client_secret_file / api_key_file)"
                case "config":
                    hint = " (a config file cannot name another)"
                default:
                    let near = OptionKey.allCases.map(\.rawValue).filter { $0.replacingOccurrences(of: "_", with: "-") == name.replacingOccurrences(of: "_", with: "-") }
                    hint = near.first.map { " (did you mean \($0)?)" } ?? ""
                }
                throw ReportError.usage("--config \(path): unknown key \"\(name)\"\(hint)")
            }
            if value.mapping != nil || (value.sequence != nil && !key.spec.isList) {
                throw ReportError.usage("--config \(path): \(name) must be a single value")
            }
            if let sequence = value.sequence, sequence.contains(where: { $0.scalar == nil }) {
                throw ReportError.usage("--config \(path): \(name) must be a list of plain values")
            }
        }
    }

    /// The value(s) of `key` from the highest layer that has it: a list's items split apart.
    public func lookup(_ key: OptionKey) -> (values: [String], origin: SettingOrigin)? {
        let isList = key.spec.isList
        if let values = flags[key], !values.isEmpty {
            return (isList ? Self.splitList(values, key: key) : values, .flag(key))
        }
        let configKey = ConfigKey(key.rawValue)
        if let text = environment.string(forKey: configKey), !text.isEmpty {
            return (isList ? Self.splitList([text], key: key) : [text], .environment(key.environmentName))
        }
        if let file, let configPath {
            let origin = SettingOrigin.file(key: key.rawValue, path: configPath)
            if isList, let list = file.stringArray(forKey: configKey) {
                return (Self.splitList(list, key: key), origin)
            }
            if let text = file.string(forKey: configKey) {
                return (isList ? Self.splitList([text], key: key) : [resolvePath(text, key: key)], origin)
            }
        }
        return nil
    }

    /// Relative paths in a config file are read from the file's folder, so a cron job's working
    /// folder does not change what it reads or where it writes.
    private func resolvePath(_ text: String, key: OptionKey) -> String {
        // A URL (`--history postgresql://…`) is no path: it is taken as written.
        guard key.spec.isPath, let configPath, !text.hasPrefix("/"), !text.hasPrefix("~"), !text.contains("://") else { return text }
        return URL(fileURLWithPath: configPath).deletingLastPathComponent().appendingPathComponent(text).standardizedFileURL.path
    }

    /// Items separated by commas; addresses at the commas between them only (not in a quoted name).
    static func splitList(_ values: [String], key: OptionKey) -> [String] {
        if key == .mailTo { return values.flatMap(MailAddress.splitList) }
        return values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
