// libFuzzer target: the lattice CLI's JSON reader (Sources/lattice/JSON.swift, compiled into
// this module with this file; see scripts/fuzz.sh). Properties, for any bytes:
// - parsing never crashes, and ends in a value or a JSONSyntaxError;
// - a value printed compact parses back to the same value (member order, number text and
//   string contents kept), and printing that again gives the same text;
// - the aws-style indented print parses too, unless a number became Infinity or NaN (as
//   Python's json prints a number too large for a double);
// - an error names a problem and a position inside the input (line and column from 1,
//   a character offset no larger than the input).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let value: JSON
    do {
        value = try JSONParser.parse(bytes)
    } catch {
        let characters = String(decoding: bytes, as: UTF8.self).unicodeScalars.count
        guard !error.problem.isEmpty, error.line >= 1, error.column >= 1, error.offset >= 0,
              error.offset <= max(characters, bytes.count), error.description.contains("line \(error.line)")
        else { fatalError("JSON reader: a malformed error for the input: \(error)") }
        return 0
    }
    let compact = value.compact
    let again: JSON
    do {
        again = try JSONParser.parse(compact)
    } catch {
        fatalError("JSON reader: its own compact print does not parse (\(error)): \(compact)")
    }
    guard again == value else { fatalError("JSON reader: compact print does not round trip: \(compact)") }
    guard again.compact == compact else { fatalError("JSON reader: printing is not stable: \(compact)") }
    let indented = value.pythonIndented
    if !indented.contains("Infinity"), !indented.contains("NaN") {
        do {
            _ = try JSONParser.parse(indented)
        } catch {
            fatalError("JSON reader: its indented print does not parse (\(error)): \(indented)")
        }
    }
    return 0
}
