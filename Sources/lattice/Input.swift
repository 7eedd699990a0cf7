import LatticeKit

/// Builds an operation's input document (members by model name) from `--cli-input-json` and
/// the member options, which win over the JSON's members.
struct InputBuilder {
    let command: Command
    let environment: [String: String]

    func build(_ parsed: ParsedCommand) throws(UsageError) -> JSON {
        var input = JSON.object([])
        if let given = parsed.cliInputJSON {
            let text = try resolveParameterFile(given, option: "cli-input-json")
            let parsedJSON: JSON
            do {
                parsedJSON = try JSONParser.parse(text)
            } catch {
                throw UsageError(message: "Error parsing parameter 'cli-input-json': Invalid JSON: \(error)\nJSON received: \(text)")
            }
            guard case let .object(members) = parsedJSON else {
                throw UsageError(message: "Error parsing parameter 'cli-input-json': the JSON must be an object of the operation's members\nJSON received: \(text)")
            }
            let known = command.options.map(\.member.name)
            for m in members where !known.contains(m.key) {
                throw UsageError(message: "Parameter validation failed:\nUnknown parameter in input: \"\(m.key)\", must be one of: \(known.joined(separator: ", "))")
            }
            // A JSON null means "not given", as botocore's serializer treats None.
            input = .object(members.filter { $0.value != .null })
        }
        for (option, raw) in parsed.values {
            input.set(option.member.name, try value(option, raw))
        }
        let missing = command.options.filter { $0.member.required && input[$0.member.name] == nil }
        if !missing.isEmpty {
            throw UsageError(message: "the following arguments are required: \(missing.map { "--" + $0.flag }.joined(separator: ", "))", showUsage: true)
        }
        return input
    }

    /// One option's value as JSON, by the member's model type.
    func value(_ option: MemberOption, _ raw: GivenValue) throws(UsageError) -> JSON {
        let flag = "--" + option.flag
        switch raw {
        case let .flag(b):
            return .bool(b)
        case let .list(items):
            let values = try items.map { (v: String) throws(UsageError) -> String in try resolveParameterFile(v, option: option.flag) }
            if values.count == 1, trimmed(values[0]).hasPrefix("[") {
                let parsed = try parseJSON(values[0], flag)
                guard case .array = parsed else { throw UsageError(message: "Error parsing parameter '\(flag)': expected a JSON list\nJSON received: \(values[0])") }
                return parsed
            }
            return .array(try values.map { (v: String) throws(UsageError) -> JSON in try scalarOrDocument(v, type: option.member.elementType ?? "string", flag: flag) })
        case let .text(given):
            let text = try resolveParameterFile(given, option: option.flag)
            return try scalarOrDocument(text, type: option.member.type, flag: flag)
        }
    }

    private func scalarOrDocument(_ text: String, type: String, flag: String) throws(UsageError) -> JSON {
        switch type {
        case "integer", "long":
            guard let n = Int64(trimmed(text)) else {
                throw UsageError(message: "Error parsing parameter '\(flag)': invalid literal for int() with base 10: '\(text)'")
            }
            return .number(String(n))
        case "float", "double":
            guard let d = Double(trimmed(text)), d.isFinite else {
                throw UsageError(message: "Error parsing parameter '\(flag)': could not convert string to float: '\(text)'")
            }
            return .number(PythonNumber.reprDouble(d))
        case "boolean":
            switch trimmed(text).lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw UsageError(message: "Error parsing parameter '\(flag)': expected true or false, got '\(text)'")
            }
        case "timestamp":
            let t = trimmed(text)
            if let n = Double(t), n.isFinite { return .number(t) }
            return .string(t)
        case "structure", "union":
            guard trimmed(text).hasPrefix("{") else {
                throw UsageError(message: "Error parsing parameter '\(flag)': expected JSON text (an object in braces); the shorthand syntax is not supported for structures\nValue received: \(text)")
            }
            return try parseJSON(text, flag)
        case "map":
            if trimmed(text).hasPrefix("{") { return try parseJSON(text, flag) }
            return try shorthandMap(text, flag)
        default:
            return .string(text)
        }
    }

    private func parseJSON(_ text: String, _ flag: String) throws(UsageError) -> JSON {
        do {
            return try JSONParser.parse(text)
        } catch {
            throw UsageError(message: "Error parsing parameter '\(flag)': Invalid JSON: \(error)\nJSON received: \(text)")
        }
    }

    /// The aws CLI's shorthand for a map of strings: `key1=value1,key2=value2` (values may be
    /// quoted with " or ' to hold commas).
    private func shorthandMap(_ text: String, _ flag: String) throws(UsageError) -> JSON {
        // A repeated key takes the last value, at its first position (the aws CLI builds a dict).
        var members = MemberList()
        var chars = Array(text)[...]
        while !chars.isEmpty {
            var key = ""
            while let c = chars.first, c != "=" {
                key.append(c)
                chars.removeFirst()
            }
            guard chars.first == "=" else {
                throw UsageError(message: "Error parsing parameter '\(flag)': Expected: '=', received: 'EOF' for input:\n\(text)")
            }
            chars.removeFirst()
            var value = ""
            if let q = chars.first, q == "\"" || q == "'" {
                chars.removeFirst()
                while let c = chars.first, c != q {
                    if c == "\\", chars.count > 1 { chars.removeFirst() }
                    value.append(chars.removeFirst())
                }
                guard chars.first == q else {
                    throw UsageError(message: "Error parsing parameter '\(flag)': unterminated quoted value in:\n\(text)")
                }
                chars.removeFirst()
            } else {
                while let c = chars.first, c != "," {
                    value.append(c)
                    chars.removeFirst()
                }
                value = trimmed(value)
            }
            let k = trimmed(key)
            guard !k.isEmpty else { throw UsageError(message: "Error parsing parameter '\(flag)': a key is empty in:\n\(text)") }
            members.set(k, .string(value))
            while let c = chars.first, c == " " { chars.removeFirst() }
            if chars.first == "," { chars.removeFirst() }
        }
        return members.object
    }

    /// `file://path` is the file's text and `fileb://path` its bytes, as in the aws CLI (`~`
    /// is the home directory); anything else is the value itself.
    func resolveParameterFile(_ value: String, option: String) throws(UsageError) -> String {
        String(decoding: try Self.resolveParameterBytes(value, option: option, environment: environment), as: UTF8.self)
    }

    /// `resolveParameterFile` as bytes: a `fileb://` file exactly as it is on disk.
    static func resolveParameterBytes(_ value: String, option: String, environment: [String: String]) throws(UsageError) -> [UInt8] {
        let prefixes = ["file://", "fileb://"]
        guard let prefix = prefixes.first(where: { value.hasPrefix($0) }) else { return Array(value.utf8) }
        var path = String(value.dropFirst(prefix.count))
        if path.hasPrefix("~/") || path == "~", let home = environment["HOME"] {
            path = home + path.dropFirst(1)
        }
        // Bounded, and never blocking: a FIFO, a device or a directory is refused unread.
        switch FileAccess.readFile(path) {
        case let .contents(bytes):
            return bytes
        case .missing:
            throw UsageError(message: "Error parsing parameter '--\(option)': Unable to load paramfile \(value): [Errno 2] No such file or directory: '\(path)'")
        case let .failed(reason):
            throw UsageError(message: "Error parsing parameter '--\(option)': Unable to load paramfile \(value): \(reason). Give a readable regular file of at most \(FileAccess.describe(FileAccess.maximumSize)).")
        }
    }}
