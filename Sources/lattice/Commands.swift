import LatticeKit

/// botocore's `xform_name(name, "-")`, which names the aws CLI's options and commands:
/// `serviceNetworkIdentifier` → `service-network-identifier`, `GatewayARNs` → `gateway-arns`.
enum CLIName {
    static func kebab(_ name: String) -> String {
        if name.contains("-") { return name }
        var chars = Array(name.utf8)
        // `[A-Z]{2,}s$`: a pluralised acronym goes to the end as one lowercase word.
        if chars.count >= 3, chars[chars.count - 1] == UInt8(ascii: "s") {
            var start = chars.count - 1
            while start > 0, isUpper(chars[start - 1]) { start -= 1 }
            if chars.count - 1 - start >= 2 {
                chars = Array(chars[..<start]) + [UInt8(ascii: "-")] + chars[start...].map(lower)
            }
        }
        // `(.)([A-Z][a-z]+)` → `\1-\2`, then `([a-z0-9])([A-Z])` → `\1-\2`, then lowercase.
        var first: [UInt8] = []
        var s = 0
        while s < chars.count {
            if s + 2 < chars.count, isUpper(chars[s + 1]), isLower(chars[s + 2]) {
                var end = s + 2
                while end < chars.count, isLower(chars[end]) { end += 1 }
                first.append(chars[s])
                first.append(UInt8(ascii: "-"))
                first.append(contentsOf: chars[(s + 1)..<end])
                s = end
            } else {
                first.append(chars[s])
                s += 1
            }
        }
        var second: [UInt8] = []
        s = 0
        while s < first.count {
            if s + 1 < first.count, isLower(first[s]) || isDigit(first[s]), isUpper(first[s + 1]) {
                second.append(first[s])
                second.append(UInt8(ascii: "-"))
                second.append(first[s + 1])
                s += 2
            } else {
                second.append(first[s])
                s += 1
            }
        }
        return String(decoding: second.map(lower), as: UTF8.self)
    }

    /// Python's `str.lower()` for the ASCII letters model names are made of.
    private static func lower(_ c: UInt8) -> UInt8 { isUpper(c) ? c + 0x20 : c }
    private static func isUpper(_ c: UInt8) -> Bool { c >= 0x41 && c <= 0x5A }
    private static func isLower(_ c: UInt8) -> Bool { c >= 0x61 && c <= 0x7A }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}

/// One operation as a command: its options, made from the model's top-level input members.
struct Command {
    let descriptor: OperationDescriptor
    let options: [MemberOption]

    var name: String { descriptor.cliName }
    var operation: String { descriptor.spec.name }
    var pagination: PaginationSpec? { descriptor.pagination }

    init(_ descriptor: OperationDescriptor) {
        self.descriptor = descriptor
        options = descriptor.spec.members.map(MemberOption.init)
    }

    static func named(_ name: String) -> Command? {
        OperationDescriptor.all.first { $0.cliName == name }.map(Command.init)
    }

    static var all: [Command] { OperationDescriptor.all.map(Command.init) }

    /// The option for `--name` (or `--no-name` for a boolean member).
    func option(flag: String) -> (MemberOption, negated: Bool)? {
        if let o = options.first(where: { $0.flag == flag }) { return (o, false) }
        if flag.hasPrefix("no-"), let o = options.first(where: { $0.isBoolean && $0.flag == String(flag.dropFirst(3)) }) {
            return (o, true)
        }
        return nil
    }
}

/// A top-level input member as a command-line option.
struct MemberOption {
    let member: MemberSpec
    /// The option without its dashes: `service-network-identifier`.
    let flag: String

    init(_ member: MemberSpec) {
        self.member = member
        flag = CLIName.kebab(member.name)
    }

    var isBoolean: Bool { member.type == "boolean" }
    var isList: Bool { member.type == "list" }
    var isInteger: Bool { member.type == "integer" || member.type == "long" }
    /// Structures, unions and maps: JSON text (maps of strings also `k=v,k2=v2`).
    var isComplex: Bool { ["structure", "union", "map"].contains(member.type) }

    /// How help shows the value: `string`, `integer`, `list of string`, `structure (JSON)`.
    var typeDescription: String {
        switch member.type {
        case "list": return "list of \(member.elementType ?? "string")" + ((member.elementType == "structure" || member.elementType == "union") ? " (JSON)" : "")
        case "structure", "union": return "\(member.type) (JSON)"
        case "map": return "map (JSON or key=value,...)"
        default: return member.type
        }
    }

    var usage: String {
        switch member.type {
        case "boolean": return "--\(flag) | --no-\(flag)"
        case "list": return "--\(flag) <value> [<value> ...]"
        default: return "--\(flag) <value>"
        }
    }
}
