// libFuzzer target: the shared config and credentials file parser (ConfigFileParser and
// SharedConfig). Properties, for any text:
// - parsing never crashes: sections, or a ConfigurationError naming the file and a line
//   that exists;
// - section names, keys and values come out trimmed, keys lowercased and non-empty;
// - line endings do not matter: the text with CRLF parses the same (when it had no CR);
// - a comment line in front changes nothing but the line numbers of an error;
// - SharedConfig built from it finds every profile it lists.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
@testable import LatticeKit

private func parse(_ text: String) -> Result<[ConfigFileParser.RawSection], ConfigurationError> {
    do throws(ConfigurationError) {
        return .success(try ConfigFileParser.parse(text, path: "fuzz"))
    } catch {
        return .failure(error)
    }
}

/// `fuzz, line N: ...` → N.
private func errorLine(_ error: ConfigurationError) -> Int? {
    guard error.message.hasPrefix("fuzz, line ") else { return nil }
    return Int(error.message.dropFirst("fuzz, line ".count).prefix { $0.isNumber })
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSharedConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).count
    let result = parse(text)
    switch result {
    case let .failure(error):
        guard error.kind == .invalidConfiguration, let line = errorLine(error), (1...lines).contains(line) else {
            fatalError("config parser: an error without a valid line: \(error.message)")
        }
    case let .success(sections):
        for raw in sections {
            guard !raw.name.isEmpty, raw.name == raw.name.lkTrimmed else { fatalError("config parser: section name '\(raw.name)'") }
            for (key, value) in raw.section.values {
                guard !key.isEmpty, key == key.lowercased(), key == key.lkTrimmed, value == value.lkTrimmed else {
                    fatalError("config parser: property '\(key)' = '\(value)'")
                }
            }
            for (parent, sub) in raw.section.subsections {
                guard raw.section.values[parent] != nil else { fatalError("config parser: subsection '\(parent)' without its property") }
                for (key, value) in sub where key.isEmpty || key != key.lowercased() || value != value.lkTrimmed {
                    fatalError("config parser: sub-property '\(key)' = '\(value)'")
                }
            }
        }
    }

    if !text.contains("\r") {
        let crlf = parse(text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n"))
        guard crlf == result else { fatalError("config parser: CRLF line endings change the result") }
    }

    switch (result, parse("# a comment\n" + text)) {
    case let (.success(a), .success(b)) where a == b: break
    case let (.failure(a), .failure(b)) where errorLine(a).map({ $0 + 1 }) == errorLine(b): break
    default: fatalError("config parser: a leading comment line changes the result")
    }

    if let config = try? SharedConfig(configText: text, credentialsText: text, configFilePath: "c", credentialsFilePath: "k") {
        for name in config.profiles.keys {
            guard (try? config.profile(explicit: name, environment: RuntimeEnvironment(now: { fixedDate }, sleep: { _ in }, random: { 0 }, variables: [:]))) != nil else {
                fatalError("SharedConfig: profile '\(name)' is listed but not found")
            }
        }
    }
    return 0
}

private let fixedDate = Date(timeIntervalSince1970: 0)
