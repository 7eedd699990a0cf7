/// Exit statuses of the aws CLI v2.
enum ExitCode {
    static let success: Int32 = 0
    /// The service answered with an error.
    static let serviceError: Int32 = 254
    /// The command line or the input is wrong; nothing was sent.
    static let usage: Int32 = 252
    /// No region, no credentials, a bad profile or setting.
    static let configuration: Int32 = 253
    /// Anything else (the network, an unreadable answer).
    static let other: Int32 = 255
}
