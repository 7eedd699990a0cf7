#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The Smithy endpoint rules engine: the rule set and partitions are decoded from JSON, checked
/// and compiled once into the types below, then evaluated for each set of parameters.
/// Everything here is internal; `EndpointResolver` is the public face.
enum RuleEngine {}

// MARK: - JSON

extension RuleEngine {
    typealias JSON = JSONValue
}

extension JSONValue {
    /// Decodes `text`; `what` names the document in the error.
    static func parse(_ text: String, what: String) throws(EndpointError) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            throw .ruleSet("\(what) is not valid JSON (\(error))")
        }
    }
}

// MARK: - Values

extension RuleEngine {
    /// A value during evaluation. An unset value is `nil` (`Value?`), as in the rules language.
    enum Value: Sendable, Hashable {
        case string(String)
        case bool(Bool)
        case int(Int)
        case array([Value])
        case object([String: Value])

        var typeName: String {
            switch self {
            case .string: "a string"
            case .bool: "a boolean"
            case .int: "an integer"
            case .array: "an array"
            case .object: "an object"
            }
        }

        /// Converts plain JSON data (partition outputs); nulls and fractions are not values.
        init?(json: JSON) {
            switch json {
            case .null, .double: return nil
            case .bool(let b): self = .bool(b)
            case .int(let i): self = .int(Int(i))
            case .string(let s): self = .string(s)
            case .array(let items):
                var values: [Value] = []
                for item in items {
                    guard let value = Value(json: item) else { return nil }
                    values.append(value)
                }
                self = .array(values)
            case .object(let members):
                var values: [String: Value] = [:]
                for (key, member) in members {
                    guard let value = Value(json: member) else { return nil }
                    values[key] = value
                }
                self = .object(values)
            }
        }
    }
}

// MARK: - Compiled rule set

extension RuleEngine {
    /// The standard library functions this engine implements (`getAttr` is an `Expr` case).
    enum Function: String, Sendable, CaseIterable {
        case isSet
        case not
        case booleanEquals
        case stringEquals
        case partition = "aws.partition"
        case parseURL
        case isValidHostLabel
        case substring
        case uriEncode

        var arity: Int {
            switch self {
            case .isSet, .not, .partition, .parseURL, .uriEncode: 1
            case .booleanEquals, .stringEquals, .isValidHostLabel: 2
            case .substring: 4
            }
        }
    }

    /// One step of a `getAttr` path: `name` or `[index]`.
    enum PathStep: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// A string literal with `{Name}` / `{Name#path}` references; `{{` and `}}` are braces.
    struct Template: Sendable, Hashable {
        enum Part: Sendable, Hashable {
            case text(String)
            case reference(name: String, path: [PathStep])
        }
        var parts: [Part]
    }

    indirect enum Expr: Sendable {
        case literal(Value)
        case template(Template)
        case array([Expr])
        case object([String: Expr])
        case ref(String)
        case getAttr(Expr, [PathStep])
        case call(Function, [Expr])
    }

    struct Condition: Sendable {
        var expr: Expr
        /// The name the result is bound to for later conditions and the rule's body.
        var assign: String?
    }

    struct EndpointSpec: Sendable {
        var url: Expr
        var headers: [String: [Expr]]
        var properties: [String: Expr]
    }

    struct Rule: Sendable {
        enum Action: Sendable {
            case endpoint(EndpointSpec)
            case error(Expr)
            case tree([Rule])
        }
        var conditions: [Condition]
        var action: Action
    }

    /// Where a parameter's value comes from: the SDK settings the rule set names as built-ins.
    enum BuiltIn: String, Sendable {
        case region = "AWS::Region"
        case useFIPS = "AWS::UseFIPS"
        case useDualStack = "AWS::UseDualStack"
        case endpoint = "SDK::Endpoint"
    }

    struct Parameter: Sendable {
        enum Kind: String, Sendable { case string, boolean }
        var name: String
        var kind: Kind
        var builtIn: BuiltIn?
        var defaultValue: Value?
        var required: Bool
    }

    struct RuleSet: Sendable {
        var parameters: [Parameter]
        var rules: [Rule]

        /// Checks and compiles a rule set document. Anything this engine cannot evaluate
        /// (an unknown function, rule type or built-in, a reference to nothing) is an error
        /// here, never a surprise during a request.
        init(json: JSON) throws(EndpointError) {
            guard case .object(let root) = json else {
                throw .ruleSet("the rule set is \(json.typeName), expected an object")
            }
            guard case .object(let params)? = root["parameters"] else {
                throw .ruleSet("the rule set has no \"parameters\" object")
            }
            var parameters: [Parameter] = []
            for name in params.keys.sorted() {
                parameters.append(try Self.parameter(name, params[name] ?? .null))
            }
            guard case .array(let rules)? = root["rules"] else {
                throw .ruleSet("the rule set has no \"rules\" array")
            }
            let parser = Parser(names: Set(parameters.map(\.name)))
            self.parameters = parameters
            self.rules = try parser.rules(rules, at: "rules")
        }

        private static func parameter(_ name: String, _ json: JSON) throws(EndpointError) -> Parameter {
            let at = "parameter \(name)"
            guard case .object(let spec) = json else { throw .ruleSet("\(at) is \(json.typeName), expected an object") }
            guard case .string(let typeName)? = spec["type"],
                  let kind = Parameter.Kind(rawValue: typeName.lowercased()) else {
                throw .ruleSet("\(at) has type \(spec["type"].map { "\($0)" } ?? "nil"); only string and boolean parameters are supported")
            }
            var builtIn: BuiltIn?
            if case .string(let raw)? = spec["builtIn"] {
                guard let known = BuiltIn(rawValue: raw) else {
                    throw .ruleSet("\(at) uses the built-in \(raw), which LatticeKit does not provide")
                }
                let expected: Parameter.Kind = (known == .region || known == .endpoint) ? .string : .boolean
                guard expected == kind else { throw .ruleSet("\(at) (\(raw)) should be a \(expected.rawValue)") }
                builtIn = known
            }
            var defaultValue: Value?
            switch spec["default"] {
            case nil, .null?: break
            case .string(let s)? where kind == .string: defaultValue = .string(s)
            case .bool(let b)? where kind == .boolean: defaultValue = .bool(b)
            case let other?: throw .ruleSet("\(at) has a default of \(other.typeName), which does not match its type")
            }
            var required = false
            if case .bool(let r)? = spec["required"] { required = r }
            if required && defaultValue == nil && builtIn == nil {
                throw .ruleSet("\(at) is required but has no default and no built-in LatticeKit can supply")
            }
            return Parameter(name: name, kind: kind, builtIn: builtIn, defaultValue: defaultValue, required: required)
        }
    }

    /// Compiles rules, tracking which names are in scope so that every reference is checked.
    struct Parser {
        var names: Set<String>

        func rules(_ list: [JSON], at path: String) throws(EndpointError) -> [Rule] {
            var result: [Rule] = []
            for (i, item) in list.enumerated() {
                var inner = self  // conditions bind names for this rule only
                result.append(try inner.rule(item, at: "\(path)[\(i)]"))
            }
            return result
        }

        private mutating func rule(_ json: JSON, at path: String) throws(EndpointError) -> Rule {
            guard case .object(let rule) = json else { throw .ruleSet("\(path) is \(json.typeName), expected an object") }
            var conditions: [Condition] = []
            if case .array(let list)? = rule["conditions"] {
                for (i, item) in list.enumerated() {
                    conditions.append(try condition(item, at: "\(path).conditions[\(i)]"))
                }
            } else if rule["conditions"] != nil {
                throw .ruleSet("\(path).conditions is not an array")
            }
            guard case .string(let type)? = rule["type"] else { throw .ruleSet("\(path) has no \"type\"") }
            switch type {
            case "endpoint":
                guard case .object(let spec)? = rule["endpoint"], let url = spec["url"] else {
                    throw .ruleSet("\(path) is an endpoint rule without an endpoint url")
                }
                var headers: [String: [Expr]] = [:]
                if case .object(let map)? = spec["headers"] {
                    for (name, values) in map {
                        guard case .array(let items) = values else {
                            throw .ruleSet("\(path).endpoint.headers.\(name) is not an array")
                        }
                        var exprs: [Expr] = []
                        for item in items { exprs.append(try expr(item, at: "\(path).endpoint.headers.\(name)")) }
                        headers[name] = exprs
                    }
                }
                var properties: [String: Expr] = [:]
                if case .object(let map)? = spec["properties"] {
                    for (name, value) in map {
                        properties[name] = try expr(value, at: "\(path).endpoint.properties.\(name)")
                    }
                }
                let compiled = EndpointSpec(url: try expr(url, at: "\(path).endpoint.url"), headers: headers, properties: properties)
                return Rule(conditions: conditions, action: .endpoint(compiled))
            case "error":
                guard let message = rule["error"] else { throw .ruleSet("\(path) is an error rule without an error message") }
                return Rule(conditions: conditions, action: .error(try expr(message, at: "\(path).error")))
            case "tree":
                guard case .array(let children)? = rule["rules"] else {
                    throw .ruleSet("\(path) is a tree rule without a rules array")
                }
                return Rule(conditions: conditions, action: .tree(try rules(children, at: "\(path).rules")))
            default:
                throw .ruleSet("\(path) has the unknown rule type \"\(type)\" (expected endpoint, error or tree)")
            }
        }

        private mutating func condition(_ json: JSON, at path: String) throws(EndpointError) -> Condition {
            guard case .object(let members) = json, members["fn"] != nil else {
                throw .ruleSet("\(path) is not a function call")
            }
            let compiled = try expr(json, at: path)
            var assign: String?
            if case .string(let name)? = members["assign"] {
                guard !names.contains(name) else {
                    throw .ruleSet("\(path) assigns \(name), which is already defined")
                }
                names.insert(name)
                assign = name
            }
            return Condition(expr: compiled, assign: assign)
        }

        func expr(_ json: JSON, at path: String) throws(EndpointError) -> Expr {
            switch json {
            case .bool(let b): return .literal(.bool(b))
            case .int(let i): return .literal(.int(Int(i)))
            case .string(let s):
                let template = try Self.template(s, at: path)
                for case .reference(let name, _) in template.parts where !names.contains(name) {
                    throw .ruleSet("\(path): the template \"\(s)\" refers to \(name), which is not defined")
                }
                if template.parts.count == 1, case .text(let text) = template.parts[0] {
                    return .literal(.string(text))  // no references: a plain string
                }
                return .template(template)
            case .array(let items):
                var exprs: [Expr] = []
                for (i, item) in items.enumerated() { exprs.append(try expr(item, at: "\(path)[\(i)]")) }
                return .array(exprs)
            case .object(let members):
                if case .string(let name)? = members["ref"] {
                    guard names.contains(name) else { throw .ruleSet("\(path) refers to \(name), which is not defined") }
                    return .ref(name)
                }
                if case .string(let fn)? = members["fn"] {
                    guard case .array(let argv)? = members["argv"] else {
                        throw .ruleSet("\(path): \(fn) has no argv array")
                    }
                    var args: [Expr] = []
                    for (i, arg) in argv.enumerated() { args.append(try expr(arg, at: "\(path).argv[\(i)]")) }
                    if fn == "getAttr" {
                        guard args.count == 2, case .literal(.string(let raw)) = args[1] else {
                            throw .ruleSet("\(path): getAttr takes a value and a literal path")
                        }
                        return .getAttr(args[0], try Self.attrPath(raw, at: path))
                    }
                    guard let function = Function(rawValue: fn) else {
                        throw .ruleSet("\(path) calls \(fn), which LatticeKit's rules engine does not implement")
                    }
                    guard args.count == function.arity else {
                        throw .ruleSet("\(path): \(fn) takes \(function.arity) arguments, not \(args.count)")
                    }
                    return .call(function, args)
                }
                var exprs: [String: Expr] = [:]
                for (key, value) in members { exprs[key] = try expr(value, at: "\(path).\(key)") }
                return .object(exprs)
            case .null, .double:
                throw .ruleSet("\(path) is \(json.typeName), which is not a rules-language value")
            }
        }

        /// Splits `a.b[2]` (or `[0]`) into steps.
        static func attrPath(_ raw: String, at path: String) throws(EndpointError) -> [PathStep] {
            var steps: [PathStep] = []
            for part in raw.split(separator: ".", omittingEmptySubsequences: false) {
                var rest = Substring(part)
                if let bracket = rest.firstIndex(of: "[") {
                    let name = rest[..<bracket]
                    if !name.isEmpty { steps.append(.key(String(name))) }
                    rest = rest[bracket...]
                    while !rest.isEmpty {
                        guard rest.first == "[", let close = rest.firstIndex(of: "]"),
                              let index = Int(rest[rest.index(after: rest.startIndex)..<close]), index >= 0 else {
                            throw .ruleSet("\(path): the getAttr path \"\(raw)\" is malformed")
                        }
                        steps.append(.index(index))
                        rest = rest[rest.index(after: close)...]
                    }
                } else {
                    guard !rest.isEmpty else { throw .ruleSet("\(path): the getAttr path \"\(raw)\" has an empty part") }
                    steps.append(.key(String(rest)))
                }
            }
            return steps
        }

        /// Parses `{Name}`, `{Name#path}`, `{{` and `}}` in a string literal.
        static func template(_ raw: String, at path: String) throws(EndpointError) -> Template {
            var parts: [Template.Part] = []
            var text = ""
            var i = raw.startIndex
            while i < raw.endIndex {
                let c = raw[i]
                let next = raw.index(after: i)
                if c == "{" {
                    if next < raw.endIndex, raw[next] == "{" {
                        text.append("{")
                        i = raw.index(after: next)
                        continue
                    }
                    guard let close = raw[next...].firstIndex(of: "}") else {
                        throw .ruleSet("\(path): the template \"\(raw)\" has an unclosed {")
                    }
                    let body = raw[next..<close]
                    let name: Substring
                    var steps: [PathStep] = []
                    if let hash = body.firstIndex(of: "#") {
                        name = body[..<hash]
                        steps = try attrPath(String(body[body.index(after: hash)...]), at: path)
                    } else {
                        name = body
                    }
                    guard !name.isEmpty else { throw .ruleSet("\(path): the template \"\(raw)\" has an empty reference") }
                    if !text.isEmpty { parts.append(.text(text)); text = "" }
                    parts.append(.reference(name: String(name), path: steps))
                    i = raw.index(after: close)
                    continue
                }
                if c == "}", next < raw.endIndex, raw[next] == "}" {
                    text.append("}")
                    i = raw.index(after: next)
                    continue
                }
                text.append(c)
                i = next
            }
            if !text.isEmpty || parts.isEmpty { parts.append(.text(text)) }
            return Template(parts: parts)
        }
    }
}
