extension RuleEngine {
    /// What an endpoint rule produced.
    struct Endpoint: Sendable, Hashable {
        var url: String
        var headers: [String: [String]]
        var properties: [String: Value]
    }

    /// Evaluates a compiled rule set against parameter values.
    struct Evaluator: Sendable {
        var ruleSet: RuleSet
        var partitions: PartitionTable

        /// Parses both documents; the result is ready to evaluate any number of times.
        init(ruleSetJSON: String, partitionsJSON: String) throws(EndpointError) {
            self.ruleSet = try RuleSet(json: JSON.parse(ruleSetJSON, what: "the endpoint rule set"))
            self.partitions = try PartitionTable(json: JSON.parse(partitionsJSON, what: "the partitions document"))
        }

        /// The input values by parameter name, taken from the SDK settings each built-in names;
        /// defaults fill what is unset.
        func inputs(for parameters: EndpointParameters) -> [String: Value] {
            var values: [String: Value] = [:]
            for parameter in ruleSet.parameters {
                var value: Value?
                switch parameter.builtIn {
                case .region?: value = parameters.region.map(Value.string)
                case .endpoint?: value = parameters.endpoint.map(Value.string)
                case .useFIPS?: value = .bool(parameters.useFIPS)
                case .useDualStack?: value = .bool(parameters.useDualStack)
                case nil: value = nil
                }
                if let value = value ?? parameter.defaultValue { values[parameter.name] = value }
            }
            return values
        }

        /// Runs the rules in order; the first endpoint rule reached wins, an error rule reached
        /// throws its message.
        func evaluate(_ inputs: [String: Value]) throws(EndpointError) -> Endpoint {
            var scope: [String: Value] = [:]
            for parameter in ruleSet.parameters {
                guard let value = inputs[parameter.name] ?? parameter.defaultValue else {
                    if parameter.required { throw .ruleSet("no value for the required parameter \(parameter.name)") }
                    continue
                }
                switch (parameter.kind, value) {
                case (.string, .string), (.boolean, .bool): scope[parameter.name] = value
                default: throw .ruleSet("the parameter \(parameter.name) should be a \(parameter.kind.rawValue), not \(value.typeName)")
                }
            }
            if let endpoint = try evaluate(ruleSet.rules, scope) { return endpoint }
            throw .noMatchingRule(describe(scope))
        }

        private func evaluate(_ rules: [Rule], _ scope: [String: Value]) throws(EndpointError) -> Endpoint? {
            for rule in rules {
                var local = scope
                guard try holds(rule.conditions, &local) else { continue }
                switch rule.action {
                case .endpoint(let spec):
                    return try endpoint(spec, local)
                case .error(let message):
                    throw .ruleSetRejected(try string(message, local, what: "an error message"))
                case .tree(let children):
                    // A tree whose conditions held is terminal: one of its rules must apply.
                    if let endpoint = try evaluate(children, local) { return endpoint }
                    throw .noMatchingRule(describe(local))
                }
            }
            return nil
        }

        /// True when every condition is set and not false; assignments land in `scope`.
        private func holds(_ conditions: [Condition], _ scope: inout [String: Value]) throws(EndpointError) -> Bool {
            for condition in conditions {
                let value = try eval(condition.expr, scope)
                if let name = condition.assign, let value { scope[name] = value }
                guard let value, value != .bool(false) else { return false }
            }
            return true
        }

        private func endpoint(_ spec: EndpointSpec, _ scope: [String: Value]) throws(EndpointError) -> Endpoint {
            let url = try string(spec.url, scope, what: "the endpoint url")
            var headers: [String: [String]] = [:]
            for (name, exprs) in spec.headers {
                var values: [String] = []
                for expr in exprs { values.append(try string(expr, scope, what: "the header \(name)")) }
                headers[name] = values
            }
            var properties: [String: Value] = [:]
            for (name, expr) in spec.properties {
                if let value = try eval(expr, scope) { properties[name] = value }
            }
            return Endpoint(url: url, headers: headers, properties: properties)
        }

        private func string(_ expr: Expr, _ scope: [String: Value], what: String) throws(EndpointError) -> String {
            guard case .string(let text)? = try eval(expr, scope) else {
                throw .ruleSet("\(what) did not evaluate to a string")
            }
            return text
        }

        func eval(_ expr: Expr, _ scope: [String: Value]) throws(EndpointError) -> Value? {
            switch expr {
            case .literal(let value):
                return value
            case .template(let template):
                return .string(try render(template, scope))
            case .array(let items):
                var values: [Value] = []
                for item in items {
                    guard let value = try eval(item, scope) else { throw .ruleSet("an array literal holds an unset value") }
                    values.append(value)
                }
                return .array(values)
            case .object(let members):
                var values: [String: Value] = [:]
                for (key, member) in members {
                    if let value = try eval(member, scope) { values[key] = value }
                }
                return .object(values)
            case .ref(let name):
                return scope[name]
            case .getAttr(let base, let path):
                guard let value = try eval(base, scope) else { return nil }
                return try Self.attribute(of: value, path)
            case .call(let function, let argExprs):
                var args: [Value?] = []
                for arg in argExprs { args.append(try eval(arg, scope)) }
                return try call(function, args)
            }
        }

        private func render(_ template: Template, _ scope: [String: Value]) throws(EndpointError) -> String {
            var out = ""
            for part in template.parts {
                switch part {
                case .text(let text):
                    out += text
                case .reference(let name, let path):
                    guard let base = scope[name] else { throw .ruleSet("a template refers to \(name), which is unset") }
                    let value = try Self.attribute(of: base, path)
                    guard case .string(let text)? = value else {
                        throw .ruleSet("the template reference {\(name)} is \(value?.typeName ?? "unset"), not a string")
                    }
                    out += text
                }
            }
            return out
        }

        /// Follows a getAttr path; a missing key or an index out of range is unset.
        static func attribute(of value: Value, _ path: [PathStep]) throws(EndpointError) -> Value? {
            var current = value
            for step in path {
                switch (step, current) {
                case (.key(let key), .object(let members)):
                    guard let next = members[key] else { return nil }
                    current = next
                case (.index(let index), .array(let items)):
                    guard index < items.count else { return nil }
                    current = items[index]
                case (.key(let key), _):
                    throw .ruleSet("getAttr asks for \(key) of \(current.typeName)")
                case (.index(let index), _):
                    throw .ruleSet("getAttr asks for [\(index)] of \(current.typeName)")
                }
            }
            return current
        }

        private func call(_ function: Function, _ args: [Value?]) throws(EndpointError) -> Value? {
            switch function {
            case .isSet:
                return .bool(args[0] != nil)
            case .not:
                return .bool(!(try Self.bool(args[0], function)))
            case .booleanEquals:
                return .bool(try Self.bool(args[0], function) == Self.bool(args[1], function))
            case .stringEquals:
                return .bool(try Self.string(args[0], function) == Self.string(args[1], function))
            case .partition:
                guard let region = args[0] else { return partitions.fallback.outputs }
                return partitions.partition(for: try Self.string(region, function)).outputs
            case .parseURL:
                guard let url = args[0] else { return nil }
                return Library.parseURL(try Self.string(url, function))?.value
            case .isValidHostLabel:
                guard let label = args[0] else { return .bool(false) }
                return .bool(Library.isValidHostLabel(try Self.string(label, function), allowSubdomains: try Self.bool(args[1], function)))
            case .substring:
                guard let input = args[0] else { return nil }
                return Library.substring(
                    try Self.string(input, function),
                    start: try Self.int(args[1], function),
                    stop: try Self.int(args[2], function),
                    reverse: try Self.bool(args[3], function)
                ).map(Value.string)
            case .uriEncode:
                guard let text = args[0] else { return nil }
                return .string(Library.uriEncode(try Self.string(text, function)))
            }
        }

        private static func bool(_ value: Value?, _ function: Function) throws(EndpointError) -> Bool {
            guard case .bool(let b)? = value else { throw argumentError(function, "a boolean", value) }
            return b
        }

        private static func string(_ value: Value?, _ function: Function) throws(EndpointError) -> String {
            guard case .string(let s)? = value else { throw argumentError(function, "a string", value) }
            return s
        }

        private static func int(_ value: Value?, _ function: Function) throws(EndpointError) -> Int {
            guard case .int(let i)? = value else { throw argumentError(function, "an integer", value) }
            return i
        }

        private static func argumentError(_ function: Function, _ expected: String, _ value: Value?) -> EndpointError {
            .ruleSet("\(function.rawValue) expects \(expected), got \(value?.typeName ?? "an unset value")")
        }

        private func describe(_ scope: [String: Value]) -> String {
            ruleSet.parameters.map { p in
                switch scope[p.name] {
                case .string(let s)?: "\(p.name)=\(s)"
                case .bool(let b)?: "\(p.name)=\(b)"
                case let other?: "\(p.name)=\(other)"
                case nil: "\(p.name) unset"
                }
            }.joined(separator: ", ")
        }
    }
}
