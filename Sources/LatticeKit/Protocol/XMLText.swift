/// Just enough XML for the query protocol (STS): the text of the first element with a given
/// name, for answers and error answers.
enum XMLText {
    /// The unescaped content of the first `<name>` or `<name attr=...>` element; nil if absent.
    static func element(_ name: String, in xml: String) -> String? {
        var searchStart = xml.startIndex
        while let open = xml[searchStart...].firstRange(of: "<" + name) {
            guard open.upperBound < xml.endIndex else { return nil }
            let next = xml[open.upperBound]
            if next == ">" || next == " " || next == "\t" || next == "\n" || next == "\r" || next == "/" {
                guard let tagEnd = xml[open.upperBound...].firstIndex(of: ">") else { return nil }
                if xml[xml.index(before: tagEnd)] == "/" { return "" }
                let contentStart = xml.index(after: tagEnd)
                guard let close = xml[contentStart...].firstRange(of: "</" + name + ">") else { return nil }
                return unescape(String(xml[contentStart..<close.lowerBound])).lkTrimmed
            }
            searchStart = open.upperBound
        }
        return nil
    }

    /// Replaces the five predefined entities and numeric character references.
    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "&", let semi = text[i...].firstIndex(of: ";"), text.distance(from: i, to: semi) <= 10 {
                let entity = text[text.index(after: i)..<semi]
                var replacement: String? = nil
                switch entity {
                case "amp": replacement = "&"
                case "lt": replacement = "<"
                case "gt": replacement = ">"
                case "quot": replacement = "\""
                case "apos": replacement = "'"
                default:
                    if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                        replacement = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                    } else if entity.hasPrefix("#") {
                        replacement = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                    }
                }
                if let replacement {
                    out += replacement
                    i = text.index(after: semi)
                    continue
                }
            }
            out.append(c)
            i = text.index(after: i)
        }
        return out
    }
}
