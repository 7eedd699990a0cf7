/// Parses the INI dialect of the AWS shared config and credentials files into raw sections.
///
/// Rules: `[name]` starts a section (a comment may follow it); `key = value` sets a property
/// (names are case-insensitive and stored lowercased); lines whose first non-blank character
/// is `#` or `;` are comments, and so is the rest of a value from a `#` or `;` that follows
/// white space. An indented line after a property with an empty value is a sub-property
/// (`key = value`); after a property with a value it continues that value on a new line.
struct ConfigFileParser {
    struct RawSection: Equatable {
        var name: String
        var section: ConfigSection
    }

    /// The sections in the order they first appear; a section seen twice is merged, later
    /// values winning.
    static func parse(_ text: String, path: String) throws(ConfigurationError) -> [RawSection] {
        var sections: [RawSection] = []
        var indexByName: [String: Int] = [:]
        var current: Int? = nil
        var lastKey: String? = nil
        var lineNumber = 0

        func fail(_ what: String) -> ConfigurationError {
            ConfigurationError(.invalidConfiguration, "\(path), line \(lineNumber): \(what). Fix or remove the line; the format is `[profile name]` followed by `key = value` lines.")
        }

        // Lines end with LF, CRLF or CR, as Python's universal newlines read them for
        // botocore. (A Swift Character "\r\n" is one grapheme, never equal to "\n": splitting
        // on "\n" alone would read a CRLF file as one line.)
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            lineNumber += 1
            let trimmed = line.lkTrimmed
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let indented = line.first == " " || line.first == "\t"

            if trimmed.hasPrefix("[") {
                guard let close = trimmed.firstIndex(of: "]") else { throw fail("a section header is missing its closing `]`") }
                let rest = trimmed[trimmed.index(after: close)...].lkTrimmed
                if !rest.isEmpty, !rest.hasPrefix("#"), !rest.hasPrefix(";") {
                    throw fail("unexpected text after the section header")
                }
                let name = trimmed[trimmed.index(after: trimmed.startIndex)..<close].lkTrimmed
                if name.isEmpty { throw fail("a section header has no name") }
                if let existing = indexByName[name] {
                    current = existing
                } else {
                    indexByName[name] = sections.count
                    current = sections.count
                    sections.append(RawSection(name: name, section: ConfigSection(name: name)))
                }
                lastKey = nil
                continue
            }

            guard let sectionIndex = current else {
                throw fail("a setting appears before any `[section]` header")
            }

            if indented, let parent = lastKey {
                let parentValue = sections[sectionIndex].section.values[parent] ?? ""
                if parentValue.isEmpty || sections[sectionIndex].section.subsections[parent] != nil {
                    guard let (key, value) = splitProperty(trimmed) else {
                        throw fail("an indented line under `\(parent)` must be `key = value`")
                    }
                    sections[sectionIndex].section.subsections[parent, default: [:]][key] = value
                } else {
                    let continued = stripInlineComment(trimmed)
                    sections[sectionIndex].section.values[parent] = parentValue + "\n" + continued
                }
                continue
            }

            guard let (key, value) = splitProperty(trimmed) else {
                throw fail("expected `key = value`")
            }
            sections[sectionIndex].section.values[key] = value
            sections[sectionIndex].section.subsections[key] = nil
            lastKey = key
        }
        return sections
    }

    /// `key = value` with the key lowercased and trimmed and the value trimmed and without an
    /// inline comment; nil when there is no `=` or the key is empty.
    static func splitProperty(_ line: String) -> (String, String)? {
        guard let eq = line.firstIndex(of: "=") else { return nil }
        let key = line[..<eq].lkTrimmed.lowercased()
        if key.isEmpty { return nil }
        let value = stripInlineComment(line[line.index(after: eq)...].lkTrimmed)
        return (key, value)
    }

    /// The value up to a `#` or `;` that follows a space or tab, trimmed.
    static func stripInlineComment(_ value: String) -> String {
        var previousWasSpace = false
        for index in value.indices {
            let c = value[index]
            if (c == "#" || c == ";") && previousWasSpace {
                return value[..<index].lkTrimmed
            }
            previousWasSpace = c == " " || c == "\t"
        }
        return value
    }
}
