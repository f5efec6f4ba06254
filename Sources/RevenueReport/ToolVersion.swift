public enum ToolVersion {
    /// The version `--version`, the User-Agent and the reports carry.
    public static let current = "0.4.0"
}
