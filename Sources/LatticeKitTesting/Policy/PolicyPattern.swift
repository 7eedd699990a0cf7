/// A string from a policy matched the way IAM matches it: `*` any run of characters (none
/// included), `?` exactly one character, everything else itself.
///
/// Tokens, not text: a character that came from a policy variable (`${*}` is a literal `*`, a
/// user name is never a wildcard) stays literal however it reads.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
struct PolicyPattern: Hashable, Sendable {
    enum Token: Hashable, Sendable {
        case literal(Unicode.Scalar)
        case anyRun
        case anyOne
    }

    var tokens: [Token]

    init(tokens: [Token]) { self.tokens = tokens }

    /// `*` and `?` in `text` are wildcards.
    init(glob text: String) {
        tokens = text.unicodeScalars.map {
            switch $0 {
            case "*": return .anyRun
            case "?": return .anyOne
            default: return .literal($0)
            }
        }
    }

    /// Every character of `text` stands for itself.
    init(literal text: String) {
        tokens = text.unicodeScalars.map(Token.literal)
    }

    /// The same pattern with its literal characters lowercased, for case-insensitive matching
    /// against a lowercased value.
    func lowercased() -> PolicyPattern {
        var out: [Token] = []
        out.reserveCapacity(tokens.count)
        for token in tokens {
            if case let .literal(s) = token {
                out.append(contentsOf: String(s).lowercased().unicodeScalars.map(Token.literal))
            } else {
                out.append(token)
            }
        }
        return PolicyPattern(tokens: out)
    }

    /// Whether the whole of `value` matches. Iterative, with one backtrack point: each `*`
    /// resumes the search one character further, so the work is at most the product of the
    /// two lengths and never recursive.
    func matches(_ value: String) -> Bool {
        Self.matches(tokens[...], Array(value.unicodeScalars)[...])
    }

    static func matches(_ pattern: ArraySlice<Token>, _ value: ArraySlice<Unicode.Scalar>) -> Bool {
        var p = pattern.startIndex, v = value.startIndex
        var star: Int?
        var resume = v
        while v < value.endIndex {
            if p < pattern.endIndex {
                switch pattern[p] {
                case .anyRun:
                    star = p
                    resume = v
                    p += 1
                    continue
                case .anyOne:
                    p += 1
                    v += 1
                    continue
                case let .literal(s) where s == value[v]:
                    p += 1
                    v += 1
                    continue
                case .literal:
                    break
                }
            }
            guard let s = star else { return false }
            p = s + 1
            resume += 1
            v = resume
        }
        while p < pattern.endIndex, pattern[p] == .anyRun { p += 1 }
        return p == pattern.endIndex
    }

    /// ARN matching as ArnLike and the Resource element do it: the partition, service, region
    /// and account (the first five colon-separated fields) are matched field by field, so a
    /// wildcard there never reaches past a colon; the resource part (after the fifth colon) may
    /// hold `/` and `:` and its wildcards cross them. A value that is not an ARN never matches.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
    func matchesARN(_ value: String) -> Bool {
        let fields = Self.arnFields(Array(value.unicodeScalars)[...], isColon: { $0 == ":" })
        guard fields.count == 6, fields[0].elementsEqual("arn".unicodeScalars), isARNShaped else { return false }
        return zip(Self.arnFields(tokens[...], isColon: { $0 == .literal(":") }), fields).allSatisfy { Self.matches($0, $1) }
    }

    /// Whether this pattern has the six fields of an ARN (`arn:partition:service:region:account:resource`).
    var isARNShaped: Bool {
        let fields = Self.arnFields(tokens[...], isColon: { $0 == .literal(":") })
        return fields.count == 6 && fields[0].elementsEqual(PolicyPattern(literal: "arn").tokens)
    }

    /// The first five colons split; the sixth field keeps whatever colons it has.
    static func arnFields<T>(_ items: ArraySlice<T>, isColon: (T) -> Bool) -> [ArraySlice<T>] {
        var fields: [ArraySlice<T>] = []
        var start = items.startIndex
        var i = items.startIndex
        while i < items.endIndex, fields.count < 5 {
            if isColon(items[i]) {
                fields.append(items[start..<i])
                start = i + 1
            }
            i += 1
        }
        fields.append(items[start...])
        return fields
    }
}

/// A policy string that may name policy variables (`${aws:username}`, `${aws:PrincipalTag/team,
/// 'none'}`, and the fixed `${*}`, `${?}`, `${$}`), resolved against each request.
///
/// Variables exist only in policies of Version 2012-10-17; in older ones the text is literal.
/// A variable whose key the request does not have, and that gives no default, cannot be
/// resolved: IAM then treats the element as not matching.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
struct PolicyTemplate: Hashable, Sendable {
    enum Part: Hashable, Sendable {
        /// Policy text: `*` and `?` are wildcards where the operator has them.
        case text(String)
        /// A character written as `${*}`, `${?}` or `${$}`: always literal.
        case literal(String)
        case variable(key: String, defaultValue: String?)
    }

    var parts: [Part]
    /// The text as written in the policy.
    var source: String

    init(_ text: String, variables: Bool) {
        source = text
        guard variables, text.contains("${") else {
            parts = [.text(text)]
            return
        }
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "${") {
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { break }
            let inner = rest[open.upperBound..<close]
            let part: Part?
            switch inner {
            case "*", "?", "$": part = .literal(String(inner))
            default: part = Self.variable(inner)
            }
            guard let part else {
                // Not a variable: keep "${" as text and look further on.
                parts.append(.text(String(rest[..<open.upperBound])))
                rest = rest[open.upperBound...]
                continue
            }
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            parts.append(part)
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    /// `key` or `key, 'default'`, where the key looks like a condition key (`prefix:name`).
    private static func variable(_ inner: Substring) -> Part? {
        var key = inner
        var defaultValue: String?
        if let comma = inner.firstIndex(of: ",") {
            key = inner[..<comma]
            let tail = inner[inner.index(after: comma)...].drop(while: { $0 == " " })
            guard tail.count >= 2, tail.first == "'", tail.last == "'" else { return nil }
            defaultValue = String(tail.dropFirst().dropLast())
        }
        let name = key.trimmedWhitespace
        guard let colon = name.firstIndex(of: ":"), colon > name.startIndex, name.index(after: colon) < name.endIndex,
              !name.contains(where: { $0 == " " || $0 == "$" || $0 == "{" })
        else { return nil }
        return .variable(key: String(name), defaultValue: defaultValue)
    }

    var hasVariables: Bool {
        parts.contains { if case .variable = $0 { return true } else { return false } }
    }

    enum Resolution {
        case resolved(PolicyPattern, text: String)
        /// The variable has no value in this request and no default.
        case unresolved(variable: String)
    }

    /// The pattern for this request: policy text is a glob when `wildcards`, else literal;
    /// `lookup` gives a single-valued key's value (nil when the request has none).
    func resolve(wildcards: Bool, lookup: (String) -> String?) -> Resolution {
        var tokens: [PolicyPattern.Token] = []
        var text = ""
        for part in parts {
            switch part {
            case let .text(t):
                tokens += wildcards ? PolicyPattern(glob: t).tokens : PolicyPattern(literal: t).tokens
                text += t
            case let .literal(t):
                tokens += PolicyPattern(literal: t).tokens
                text += t
            case let .variable(key, defaultValue):
                guard let value = lookup(key) ?? defaultValue else { return .unresolved(variable: key) }
                tokens += PolicyPattern(literal: value).tokens
                text += value
            }
        }
        return .resolved(PolicyPattern(tokens: tokens), text: text)
    }
}
