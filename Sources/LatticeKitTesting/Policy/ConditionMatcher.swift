/// Evaluates one key of one condition operator against a request, as IAM documents it:
///
/// - several values for a key are ORed; several keys in an operator, and several operators,
///   are ANDed (the statement checks each ``ConditionTest`` in turn);
/// - a key the request does not have makes the test false, except for negated operators
///   (`StringNotEquals`, `NotIpAddress`, ...), which are then true; `...IfExists` makes any
///   operator true on a missing key; `Null` tests presence itself;
/// - `ForAllValues:` is true when every request value matches (and when the key is missing);
///   `ForAnyValue:` when at least one does (false when the key is missing); with a negated
///   operator, "matches" means "matches none of the policy values";
/// - without a set qualifier, a key with several values (a repeated query parameter) matches
///   a positive operator when any value matches, and a negated one when none does;
/// - a request value that is not of the operator's type (a word for NumericEquals) matches
///   nothing, negated operators included.
///
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
struct ConditionMatcher {
    let request: AuthRequest
    let lookup: VariableLookup

    /// Nil when the test holds; otherwise why not, in a sentence.
    func failure(_ test: ConditionTest) -> String? {
        let op = test.op
        let present = request.values(of: test.key).flatMap { $0.isEmpty ? nil : $0 }
        if op.base == .null {
            let wantsAbsent = test.values.contains(.bool(true))
            let wantsPresent = test.values.contains(.bool(false))
            if present == nil ? wantsAbsent : wantsPresent { return nil }
            return present.map { "the key is present (\(PolicyText.list($0))), and the policy wants it absent" }
                ?? "the request has no such key, and the policy wants it present"
        }
        guard let values = present else {
            if op.ifExists { return nil }
            switch op.qualifier {
            case .forAllValues?: return nil
            case .forAnyValue?: return "the request has no such key, so ForAnyValue has no value to match"
            case nil: return op.base.isNegated ? nil : "the request has no such key"
            }
        }
        // The policy's text values for this request, policy variables resolved: the text
        // (for the Equals operators) and the pattern (wildcards only where the policy wrote them).
        var texts: [(text: String, pattern: PolicyPattern)] = []
        for case let .template(template) in test.values {
            switch lookup.resolve(template, wildcards: true) {
            case let .resolved(pattern, text): texts.append((text, pattern))
            case let .unresolved(variable): return "the policy value \(PolicyText.quoted(template.source)) uses ${\(variable)}, which this request has no value for"
            }
        }
        var typeProblem: String?
        // Whether one request value satisfies the operator (for a negated operator: matches
        // none of the policy values).
        func satisfies(_ requestValue: String) -> Bool {
            switch anyMatch(requestValue, test.values, texts, op.base) {
            case let .some(matched): return matched != op.base.isNegated
            case .none:
                typeProblem = typeProblem ?? "the request's value \(PolicyText.quoted(requestValue)) is not \(Self.typeName(op.base))"
                return false
            }
        }
        let holds: Bool
        switch op.qualifier {
        case .forAllValues?: holds = values.allSatisfy(satisfies)
        case .forAnyValue?: holds = values.contains(where: satisfies)
        case nil: holds = op.base.isNegated ? values.allSatisfy(satisfies) : values.contains(where: satisfies)
        }
        if holds { return nil }
        if let typeProblem { return typeProblem }
        let shown = values.count == 1 ? "the request's value \(PolicyText.quoted(values[0]))" : "the request's values \(PolicyText.list(values))"
        let policy = PolicyText.list(test.written)
        switch (op.qualifier, op.base.isNegated) {
        case (.forAllValues?, false): return "not every one of \(shown) matches \(policy)"
        case (.forAllValues?, true): return "some of \(shown) match \(policy)"
        case (.forAnyValue?, false): return "none of \(shown) matches \(policy)"
        case (.forAnyValue?, true): return "every one of \(shown) matches \(policy)"
        case (nil, false): return "\(shown) does not match \(policy)"
        case (nil, true): return "\(shown) matches \(policy)"
        }
    }

    static func typeName(_ base: ConditionOperator.Base) -> String {
        switch base.family {
        case .numeric: return "a number"
        case .date: return "a date"
        case .bool: return "true or false"
        case .ip: return "an IP address"
        case .arn: return "an ARN"
        case .string, .binary, .null: return "text"
        }
    }

    /// Whether the request value matches any policy value under the positive form of the
    /// operator; nil when the request value is not of the operator's type.
    func anyMatch(
        _ requestValue: String, _ policyValues: [ConditionTest.Value], _ texts: [(text: String, pattern: PolicyPattern)],
        _ base: ConditionOperator.Base
    ) -> Bool? {
        switch base.family {
        case .string:
            switch base {
            case .stringEquals, .stringNotEquals:
                return texts.contains { $0.text == requestValue }
            case .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase:
                let lowered = requestValue.lowercased()
                return texts.contains { $0.text.lowercased() == lowered }
            default:
                return texts.contains { $0.pattern.matches(requestValue) }
            }
        case .arn:
            guard requestValue.hasPrefix("arn:") else { return nil }
            return texts.contains { $0.text == "*" || $0.pattern.matchesARN(requestValue) }
        case .numeric:
            guard let n = PolicyValues.number(requestValue) else { return nil }
            return policyValues.contains { if case let .number(p) = $0 { return Self.compare(n, p, base) } else { return false } }
        case .date:
            guard let d = PolicyValues.date(requestValue) else { return nil }
            return policyValues.contains { if case let .date(p) = $0 { return Self.compare(d, p, base) } else { return false } }
        case .bool:
            let lowered = requestValue.lowercased()
            guard lowered == "true" || lowered == "false" else { return nil }
            return policyValues.contains(.bool(lowered == "true"))
        case .ip:
            guard let address = IPRange.address(requestValue) else { return nil }
            return policyValues.contains { if case let .ip(range) = $0 { return range.contains(address) } else { return false } }
        case .binary:
            return policyValues.contains(.binary(requestValue))
        case .null:
            return nil
        }
    }

    static func compare(_ value: Double, _ policy: Double, _ base: ConditionOperator.Base) -> Bool {
        switch base {
        case .numericEquals, .numericNotEquals, .dateEquals, .dateNotEquals: return value == policy
        case .numericLessThan, .dateLessThan: return value < policy
        case .numericLessThanEquals, .dateLessThanEquals: return value <= policy
        case .numericGreaterThan, .dateGreaterThan: return value > policy
        case .numericGreaterThanEquals, .dateGreaterThanEquals: return value >= policy
        default: return false
        }
    }
}
