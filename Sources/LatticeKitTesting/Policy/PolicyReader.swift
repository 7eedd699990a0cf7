/// Reads a parsed JSON document into an ``AuthPolicy``'s statements, checking each element
/// as IAM's grammar says and naming the place of the first problem.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
struct PolicyReader {
    typealias ParseError = AuthPolicy.ParseError

    let kind: AuthPolicy.Kind

    struct Document {
        var version: String?
        var id: String?
        var statements: [AuthPolicy.Statement]
    }

    static let documentMembers = ["Version", "Id", "Statement"]
    static let statementMembers = ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"]

    func document(_ value: PolicyJSON) throws(ParseError) -> Document {
        guard case let .object(raw) = value else {
            throw ParseError(path: "", problem: "a policy is a JSON object with Version and Statement, not \(value.kindName)")
        }
        let members = try Self.members(raw, allowed: Self.documentMembers, path: "", what: "a policy")
        var version: String?
        if let v = members["Version"] {
            guard case let .string(text) = v, text == "2012-10-17" || text == "2008-10-17" else {
                throw ParseError(path: "Version", problem: "must be \"2012-10-17\" (or the older \"2008-10-17\")")
            }
            version = text
        }
        var id: String?
        if let v = members["Id"] {
            guard case let .string(text) = v else { throw ParseError(path: "Id", problem: "must be a string") }
            id = text
        }
        let rawStatements: [PolicyJSON]
        switch members["Statement"] {
        case let .array(list)?: rawStatements = list
        case let .object(one)?: rawStatements = [.object(one)]
        case let other?: throw ParseError(path: "Statement", problem: "must be an object or a list of objects, not \(other.kindName)")
        case nil: throw ParseError(path: "", problem: "the policy has no Statement: give an object or a list of objects with Effect, Principal, Action and Resource")
        }
        guard !rawStatements.isEmpty else { throw ParseError(path: "Statement", problem: "is empty: a policy needs at least one statement") }
        let variables = version == "2012-10-17"
        var statements: [AuthPolicy.Statement] = []
        for (index, raw) in rawStatements.enumerated() {
            statements.append(try statement(raw, index: index, variables: variables))
        }
        return Document(version: version, id: id, statements: statements)
    }

    /// An object's members by name, refusing names outside `allowed` (when given) and names
    /// written twice (IAM would keep only one of them, so the document would not mean what it
    /// shows).
    static func members(_ raw: [(key: String, value: PolicyJSON)], allowed: [String]?, path: String, what: String)
        throws(ParseError) -> [String: PolicyJSON]
    {
        var out: [String: PolicyJSON] = [:]
        for (key, value) in raw {
            if let allowed, !allowed.contains(key) {
                let hint = allowed.first { $0.lowercased() == key.lowercased() }.map { " (names are case-sensitive: write \($0))" } ?? ""
                throw ParseError(path: path, problem: "\(PolicyText.quoted(key)) is not an element of \(what)\(hint); it has \(allowed.joined(separator: ", "))")
            }
            guard out.updateValue(value, forKey: key) == nil else {
                throw ParseError(path: join(path, key), problem: "is written twice; merge the two into one")
            }
        }
        return out
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// A string, or a non-empty list of strings.
    static func strings(_ value: PolicyJSON, path: String) throws(ParseError) -> [String] {
        switch value {
        case let .string(s): return [s]
        case let .array(items):
            guard !items.isEmpty else { throw ParseError(path: path, problem: "is an empty list; give at least one value") }
            var out: [String] = []
            for (i, item) in items.enumerated() {
                guard case let .string(s) = item else {
                    throw ParseError(path: "\(path)[\(i)]", problem: "must be a string, not \(item.kindName)")
                }
                out.append(s)
            }
            return out
        default:
            throw ParseError(path: path, problem: "must be a string or a list of strings, not \(value.kindName)")
        }
    }

    func statement(_ value: PolicyJSON, index: Int, variables: Bool) throws(ParseError) -> AuthPolicy.Statement {
        let path = "Statement[\(index)]"
        guard case let .object(raw) = value else {
            throw ParseError(path: path, problem: "must be an object with Effect, Action and Resource, not \(value.kindName)")
        }
        let m = try Self.members(raw, allowed: Self.statementMembers, path: path, what: "a statement")
        var sid: String?
        if let v = m["Sid"] {
            guard case let .string(s) = v else { throw ParseError(path: "\(path).Sid", problem: "must be a string") }
            sid = s
        }
        guard let e = m["Effect"] else { throw ParseError(path: path, problem: "has no Effect; give \"Allow\" or \"Deny\"") }
        guard case let .string(effectText) = e, let effect = AuthPolicy.Effect(rawValue: effectText) else {
            throw ParseError(path: "\(path).Effect", problem: "must be \"Allow\" or \"Deny\"")
        }

        let principals = try principalElement(m, path: path)
        let (actionName, actionValue) = try Self.exactlyOne("Action", "NotAction", in: m, path: path)
        let actions = try Self.strings(actionValue, path: "\(path).\(actionName)")
        for (i, action) in actions.enumerated() where action != "*" {
            guard let colon = action.firstIndex(of: ":"), colon > action.startIndex, action.index(after: colon) < action.endIndex else {
                throw ParseError(path: "\(path).\(actionName)[\(i)]", problem: "\(PolicyText.quoted(action)) is not service:action; write e.g. vpc-lattice-svcs:Invoke")
            }
        }
        let (resourceName, resourceValue) = try Self.exactlyOne("Resource", "NotResource", in: m, path: path)
        let resourceTexts = try Self.strings(resourceValue, path: "\(path).\(resourceName)")
        var resources: [PolicyTemplate] = []
        for (i, text) in resourceTexts.enumerated() {
            let template = PolicyTemplate(text, variables: variables)
            if template.hasVariables, text.hasPrefix("arn:") {
                let head = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).prefix(5).joined(separator: ":")
                if head.contains("${") {
                    throw ParseError(path: "\(path).\(resourceName)[\(i)]", problem: "policy variables may stand only in the resource part of an ARN (after the fifth colon)")
                }
            }
            resources.append(template)
        }
        var conditions: [ConditionTest] = []
        if let c = m["Condition"] {
            conditions = try ConditionReader(variables: variables).conditions(c, path: "\(path).Condition")
        }
        return AuthPolicy.Statement(
            index: index, sid: sid, effect: effect, principals: principals,
            actions: actions, actionPatterns: actions.map { PolicyPattern(glob: $0).lowercased() }, isNotAction: actionName == "NotAction",
            resources: resources, isNotResource: resourceName == "NotResource", conditions: conditions
        )
    }

    static func exactlyOne(_ a: String, _ b: String, in m: [String: PolicyJSON], path: String) throws(ParseError) -> (String, PolicyJSON) {
        switch (m[a], m[b]) {
        case let (v?, nil): return (a, v)
        case let (nil, v?): return (b, v)
        case (.some, .some): throw ParseError(path: path, problem: "has both \(a) and \(b); give one")
        case (nil, nil): throw ParseError(path: path, problem: "has no \(a) (or \(b)); give one")
        }
    }

    func principalElement(_ m: [String: PolicyJSON], path: String) throws(ParseError) -> AuthPolicy.Principals? {
        switch kind {
        case .identityBased:
            if m["Principal"] != nil || m["NotPrincipal"] != nil {
                throw ParseError(path: path, problem: "an identity-based policy names no Principal: its principal is the identity it is attached to")
            }
            return nil
        case .resourceBased:
            let (name, value) = try Self.exactlyOne("Principal", "NotPrincipal", in: m, path: path)
            return try Self.principals(value, isNot: name == "NotPrincipal", path: "\(path).\(name)")
        }
    }

    static let principalTypes = ["AWS", "Service", "Federated", "CanonicalUser"]

    static func principals(_ value: PolicyJSON, isNot: Bool, path: String) throws(ParseError) -> AuthPolicy.Principals {
        if case let .string(s) = value {
            guard s == "*" else {
                throw ParseError(path: path, problem: "a string here can only be \"*\"; name principals as {\"AWS\": [\"123456789012\", \"arn:aws:iam::123456789012:role/NAME\"]}")
            }
            return AuthPolicy.Principals(isNot: isNot, entries: [.everyone], written: ["*"])
        }
        guard case let .object(raw) = value, !raw.isEmpty else {
            throw ParseError(path: path, problem: "must be \"*\" or an object such as {\"AWS\": \"123456789012\"}")
        }
        let m = try members(raw, allowed: principalTypes, path: path, what: "a principal")
        var entries: [AuthPolicy.PrincipalEntry] = []
        var written: [String] = []
        for type in principalTypes {
            guard let v = m[type] else { continue }
            for (i, text) in try strings(v, path: "\(path).\(type)").enumerated() {
                written.append("\(type): \(text)")
                guard type == "AWS" else {
                    entries.append(.other(type: type, value: text))
                    continue
                }
                entries.append(try awsPrincipal(text, path: "\(path).AWS[\(i)]"))
            }
        }
        return AuthPolicy.Principals(isNot: isNot, entries: entries, written: written)
    }

    /// An `AWS` principal: `*`, an account, or an IAM ARN; IAM refuses wildcards inside one.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    static func awsPrincipal(_ text: String, path: String) throws(ParseError) -> AuthPolicy.PrincipalEntry {
        if text == "*" { return .everyone }
        guard !text.contains("*"), !text.contains("?") else {
            throw ParseError(path: path, problem: "\(PolicyText.quoted(text)): a principal cannot hold a wildcard; use \"*\" with a Condition on aws:PrincipalArn (ArnLike) instead")
        }
        if text.count == 12, text.allSatisfy(\.isASCIIDigit) { return .account(text) }
        let fields = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        if fields.count == 6, fields[0] == "arn", fields[2] == "iam" || fields[2] == "sts",
           fields[4].count == 12, fields[4].allSatisfy(\.isASCIIDigit)
        {
            if fields[2] == "iam", fields[5] == "root" { return .account(String(fields[4])) }
            let resource = fields[5]
            let kinds = fields[2] == "iam" ? ["user/", "role/"] : ["assumed-role/", "federated-user/"]
            if kinds.contains(where: { resource.hasPrefix($0) && resource.count > $0.count }) { return .arn(text) }
        }
        if text.count >= 16, text.count <= 128, text.first == "A", text.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) {
            return .uniqueID(text)
        }
        throw ParseError(path: path, problem: "\(PolicyText.quoted(text)) is not a principal: give \"*\", a 12-digit account, or an ARN such as arn:aws:iam::123456789012:root, arn:aws:iam::123456789012:role/NAME, arn:aws:iam::123456789012:user/NAME, arn:aws:sts::123456789012:assumed-role/ROLE/SESSION")
    }
}

/// Reads a `Condition` block: operators, keys and typed values.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
struct ConditionReader {
    typealias ParseError = AuthPolicy.ParseError

    /// Whether policy variables are read (Version 2012-10-17).
    let variables: Bool

    func conditions(_ value: PolicyJSON, path: String) throws(ParseError) -> [ConditionTest] {
        guard case let .object(raw) = value else {
            throw ParseError(path: path, problem: "must be an object of operators, such as {\"StringEquals\": {\"vpc-lattice-svcs:RequestMethod\": \"GET\"}}, not \(value.kindName)")
        }
        _ = try PolicyReader.members(raw, allowed: nil, path: path, what: "a Condition")
        var tests: [ConditionTest] = []
        for (name, block) in raw {
            let opPath = PolicyReader.join(path, name)
            let op = try Self.conditionOperator(name, path: opPath)
            guard case let .object(keys) = block, !keys.isEmpty else {
                throw ParseError(path: opPath, problem: "must be an object of condition keys and values, such as {\"aws:PrincipalOrgID\": \"o-123456example\"}")
            }
            _ = try PolicyReader.members(keys, allowed: nil, path: opPath, what: name)
            for (key, rawValues) in keys {
                let keyPath = PolicyReader.join(opPath, key)
                guard let colon = key.firstIndex(of: ":"), colon > key.startIndex, key.index(after: colon) < key.endIndex,
                      key.count <= 256, !key.contains(where: { $0 == " " || $0.isNewline })
                else {
                    throw ParseError(path: keyPath, problem: "\(PolicyText.quoted(key)) is not a condition key; keys are written prefix:name, e.g. vpc-lattice-svcs:RequestMethod or aws:PrincipalOrgID")
                }
                let written = try Self.scalars(rawValues, path: keyPath)
                var values: [ConditionTest.Value] = []
                for (i, text) in written.enumerated() {
                    values.append(try typedValue(text, op: op, path: written.count == 1 ? keyPath : "\(keyPath)[\(i)]"))
                }
                tests.append(ConditionTest(op: op, key: key, values: values, written: written))
            }
        }
        return tests
    }

    /// Condition values: strings, numbers and booleans (as their text), or a non-empty list of them.
    static func scalars(_ value: PolicyJSON, path: String) throws(ParseError) -> [String] {
        func scalar(_ v: PolicyJSON, _ path: String) throws(ParseError) -> String {
            switch v {
            case let .string(s): return s
            case let .number(n): return n
            case let .bool(b): return b ? "true" : "false"
            default: throw ParseError(path: path, problem: "a condition value must be a string, number or boolean, not \(v.kindName)")
            }
        }
        guard case let .array(items) = value else { return [try scalar(value, path)] }
        guard !items.isEmpty else { throw ParseError(path: path, problem: "is an empty list; give at least one value") }
        var out: [String] = []
        for (i, item) in items.enumerated() { out.append(try scalar(item, "\(path)[\(i)]")) }
        return out
    }

    static func conditionOperator(_ name: String, path: String) throws(ParseError) -> ConditionOperator {
        var rest = Substring(name)
        var qualifier: ConditionOperator.Qualifier?
        for q in [ConditionOperator.Qualifier.forAllValues, .forAnyValue] where rest.hasPrefix(q.rawValue + ":") {
            qualifier = q
            rest = rest.dropFirst(q.rawValue.count + 1)
        }
        var ifExists = false
        if rest.hasSuffix("IfExists") {
            ifExists = true
            rest = rest.dropLast("IfExists".count)
        }
        guard let base = ConditionOperator.Base(rawValue: String(rest)) else {
            let hint = ConditionOperator.Base.allCases.first { $0.rawValue.lowercased() == rest.lowercased() }
                .map { " (operator names are case-sensitive: write \($0.rawValue))" } ?? ""
            throw ParseError(path: path, problem: "\(PolicyText.quoted(name)) is not a condition operator\(hint); see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html")
        }
        if base == .null, ifExists || qualifier != nil {
            throw ParseError(path: path, problem: "Null takes neither IfExists nor ForAllValues/ForAnyValue: it already tests whether the key exists")
        }
        return ConditionOperator(base: base, qualifier: qualifier, ifExists: ifExists, name: name)
    }

    func typedValue(_ text: String, op: ConditionOperator, path: String) throws(ParseError) -> ConditionTest.Value {
        switch op.base.family {
        case .string:
            return .template(PolicyTemplate(text, variables: variables))
        case .arn:
            let template = PolicyTemplate(text, variables: variables)
            guard text == "*" || template.hasVariables || PolicyPattern(glob: text).isARNShaped else {
                throw ParseError(path: path, problem: "\(PolicyText.quoted(text)) is not an ARN (arn:partition:service:region:account:resource), so \(op.name) would never match it; use a String operator for other text")
            }
            return .template(template)
        case .numeric:
            guard let n = PolicyValues.number(text) else {
                throw ParseError(path: path, problem: "\(PolicyText.quoted(text)) is not a number; \(op.name) compares integers or decimals such as \"443\"")
            }
            return .number(n)
        case .date:
            guard let d = PolicyValues.date(text) else {
                throw ParseError(path: path, problem: "\(PolicyText.quoted(text)) is not a date; \(op.name) takes ISO 8601 (2024-01-31T12:00:00Z) or epoch seconds")
            }
            return .date(d)
        case .bool, .null:
            switch text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw ParseError(path: path, problem: "\(PolicyText.quoted(text)) is neither true nor false, as \(op.base.rawValue) needs")
            }
        case .ip:
            guard let range = IPRange(cidr: text) else {
                throw ParseError(path: path, problem: "\(PolicyText.quoted(text)) is not an IP address or CIDR range such as 203.0.113.0/24 or 2001:db8::/32")
            }
            return .ip(range)
        case .binary:
            guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/" || $0 == "=") }) else {
                throw ParseError(path: path, problem: "\(PolicyText.quoted(text)) is not base64, as BinaryEquals needs")
            }
            return .binary(text)
        }
    }
}
