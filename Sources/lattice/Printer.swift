import LatticeKit

struct Printer {
    let format: OutputFormat
    let operation: String
    let color: Bool

    func print(_ response: JSON) {
        switch format {
        case .json:
            if response != .object([]) { Console.out(response.pythonIndented + "\n") }
        case .text:
            Console.out(TextFormatter.format(response))
        case .table:
            var table = TableFormatter(terminalWidth: Console.terminalWidth, color: color)
            // The table escapes what the service sent; its colors are control sequences.
            let text = table.format(title: operation, response)
            if color { Console.outStyled(text) } else { Console.out(text) }
        }
    }

    /// Paged output: json and table print the merged result; text prints page by page and the
    /// resume token last, as the aws CLI's text formatter does.
    func printPages(_ result: Pager.Result, spec: PaginationSpec) {
        guard format == .text else {
            print(result.merged(resultKey: spec.resultKey))
            return
        }
        var out = ""
        for page in result.pages {
            out += TextFormatter.format(.object([.init(key: spec.resultKey, value: page[spec.resultKey] ?? .null)]))
        }
        if let token = result.resumeToken {
            out += TextFormatter.format(.object([.init(key: "NextToken", value: .object([.init(key: "NextToken", value: .string(token))]))]))
        }
        Console.out(out)
    }
}
