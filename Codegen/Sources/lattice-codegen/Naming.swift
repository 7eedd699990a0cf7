/// Swift names for model names.
enum Naming {
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows", "static", "struct",
        "subscript", "typealias", "var", "break", "case", "continue", "default", "defer", "do", "else", "fallthrough",
        "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "catch", "false", "is", "nil",
        "super", "self", "Self", "throw", "throws", "true", "try", "Type", "any", "some",
    ]

    /// A member or case name, escaped if it is a keyword.
    static func identifier(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }

    /// lowerCamelCase of a model name (`ListServices` -> `listServices`).
    static func lowerFirst(_ name: String) -> String {
        // Leading acronyms stay lowercase together: "HTTPMatch" would be "httpMatch".
        var chars = Array(name)
        var i = 0
        while i < chars.count, chars[i].isUppercase {
            if i > 0, i + 1 < chars.count, chars[i + 1].isLowercase { break }
            chars[i] = Character(chars[i].lowercased())
            i += 1
        }
        return String(chars)
    }

    /// UpperCamelCase of a member name (`listener` -> `Listener`).
    static func upperFirst(_ name: String) -> String {
        name.prefix(1).uppercased() + name.dropFirst()
    }

    /// The name of an enum's `NONE` value, which cannot be `none`: a bare `.none` where an
    /// optional is expected is nil. `AuthType` -> `noAuth`, `Mode` -> `noMode`.
    static func noneReplacement(_ enumName: String) -> String {
        let stem = enumName.hasSuffix("Type") && enumName.count > 4 ? String(enumName.dropLast(4)) : enumName
        return "no" + stem
    }

    /// A static member name for an enum value: `CREATE_IN_PROGRESS` -> `createInProgress`,
    /// `AWS_IAM` -> `awsIam`, `HTTP1` -> `http1`, `fieldValidationFailed` stays.
    static func enumCase(_ value: String) -> String {
        let parts = value.split { !$0.isLetter && !$0.isNumber }.map(String.init)
        guard !parts.isEmpty else { return "empty" }
        let isAllCaps = value.uppercased() == value
        var words: [String] = []
        for p in parts {
            words.append(isAllCaps ? p.lowercased() : p)
        }
        var name = words[0].first!.lowercased() + words[0].dropFirst()
        for w in words.dropFirst() { name += w.prefix(1).uppercased() + w.dropFirst() }
        if name.first!.isNumber { name = "_" + name }
        return identifier(name)
    }

    /// `create-service-network` for `CreateServiceNetwork`, as the aws CLI spells commands.
    static func kebab(_ name: String) -> String {
        var out = ""
        let chars = Array(name)
        for (i, c) in chars.enumerated() {
            if c.isUppercase, i > 0, chars[i - 1].isLowercase || (i + 1 < chars.count && chars[i + 1].isLowercase && chars[i - 1].isUppercase) {
                out += "-"
            }
            out += c.lowercased()
        }
        return out
    }
}
