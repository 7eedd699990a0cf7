// The request head of HTTP/1.1 (RFC 9112), read as a hostile client might send it: every byte
// is looked at once, every size is capped, and anything the server cannot frame for certain is
// refused with the status HTTP names for it, never guessed at.

import SigV4

/// A request the server refuses before it reaches the local Lattice: the status, and a message
/// that says what was wrong and what to send instead. The connection is closed after it.
struct Refusal: Error, Sendable, Equatable {
    var status: Int
    var message: String

    init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
}

/// How the body of a request is delimited.
enum BodyFraming: Sendable, Equatable {
    case none
    case length(Int)
    case chunked
}

/// A parsed request head.
struct RequestHead: Sendable {
    var method: String
    /// The origin-form target: the path and query, as sent (percent-encoded).
    var target: String
    /// The authority: the Host field, or the authority of an absolute-form target.
    var host: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    var minorVersion: Int
    var fields: [(name: String, value: String)]
    var framing: BodyFraming
    /// Whether the connection stays open after the answer (HTTP/1.1 unless `Connection: close`;
    /// HTTP/1.0 only with `Connection: keep-alive`).
    var keepAlive: Bool
    /// `Expect: 100-continue`: the client waits for an interim answer before sending the body.
    var expectsContinue: Bool
}

/// Finds the end of a request head in a growing buffer, looking at each byte once however the
/// bytes arrive (a rescan from the start on every read made an unterminated header quadratic).
/// Refuses, as soon as it sees them, bare CR or LF, control characters, too many fields and a
/// head larger than the cap.
struct HeadScanner {
    let maxBytes: Int
    let maxFields: Int
    /// Bytes of the buffer already looked at.
    private var scanned = 0
    /// Where the current line starts.
    private var lineStart = 0
    /// Where the head starts (after the empty lines a client may send between requests).
    private var headStart = 0
    private var lines = 0
    /// The last byte looked at was a CR, so this one must be LF.
    private var afterCR = false

    init(maxBytes: Int, maxFields: Int) {
        self.maxBytes = maxBytes
        self.maxFields = maxFields
    }

    enum Outcome: Equatable {
        /// More bytes are needed.
        case incomplete
        /// The head is `buffer[start..<end - 2]` (its last line's CRLF included); the body
        /// starts at `end`.
        case complete(start: Int, end: Int)
        case refused(Refusal)
    }

    /// Looks at the bytes added to `buffer` since the last call. The buffer starts with the
    /// request; the cap counts from there, empty lines before the request line included.
    mutating func scan(_ buffer: [UInt8]) -> Outcome {
        while scanned < buffer.count {
            let i = scanned
            let byte = buffer[i]
            scanned += 1
            if i >= maxBytes {
                return .refused(lines == 0
                    ? Refusal(414, "The request line is longer than \(maxBytes) bytes: send a shorter URL.")
                    : Refusal(431, "The request head (request line and header fields) is larger than \(maxBytes) bytes: send fewer or shorter header fields."))
            }
            if afterCR {
                afterCR = false
                guard byte == 0x0A else {
                    return .refused(Refusal(400, "The request head has a CR not followed by LF: end every line with CRLF and send no other CR."))
                }
                if i - 1 == lineStart {
                    guard lines > 0 else {
                        // An empty line before the request line: RFC 9112 section 2.2 lets a server ignore it.
                        lineStart = i + 1
                        headStart = i + 1
                        continue
                    }
                    return .complete(start: headStart, end: i + 1)
                }
                lines += 1
                if lines > maxFields + 1 {
                    return .refused(Refusal(431, "The request has more than \(maxFields) header fields: send fewer."))
                }
                lineStart = i + 1
                continue
            }
            switch byte {
            case 0x0D:
                afterCR = true
            case 0x0A:
                return .refused(Refusal(400, "A line of the request head ends with a bare LF: end every line with CRLF."))
            case 0x09:
                break
            case ..<0x20, 0x7F:
                return .refused(Refusal(400, "The request head has the control character 0x\(hex(byte)): send none (percent-encode it in the URL)."))
            default:
                break
            }
        }
        return .incomplete
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}

extension RequestHead {
    /// Parses a complete head (what `HeadScanner` found: no bare CR or LF, no control
    /// characters but HTAB) and decides how the body is framed.
    static func parse(_ head: ArraySlice<UInt8>, maxBodyBytes: Int) -> Result<RequestHead, Refusal> {
        Result { () throws(Refusal) -> RequestHead in try parseHead(head, maxBodyBytes: maxBodyBytes) }
    }

    private static func parseHead(_ head: ArraySlice<UInt8>, maxBodyBytes: Int) throws(Refusal) -> RequestHead {
        let lines = splitLines(head)
        guard let requestLine = lines.first else { throw Refusal(400, "The request has no request line.") }
        let words = requestLine.split(separator: 0x20, omittingEmptySubsequences: false)
        guard words.count == 3, let methodBytes = words.first, let targetBytes = words.dropFirst().first, let versionBytes = words.last,
              !methodBytes.isEmpty, !targetBytes.isEmpty else {
            throw Refusal(400, "The request line is not 'METHOD TARGET HTTP/1.1' (one space between each).")
        }
        guard methodBytes.allSatisfy(isTokenByte) else {
            throw Refusal(400, "The request method has characters a method cannot have: send GET, POST, PUT, PATCH or DELETE.")
        }
        let minor = try version(versionBytes)
        guard targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw Refusal(400, "The request target has a character outside visible ASCII: percent-encode it.")
        }
        var target = String(decoding: targetBytes, as: UTF8.self)
        var authority: String?
        if !target.hasPrefix("/") {
            // The absolute form (RFC 9112 section 3.2.2): its authority replaces Host.
            guard let url = ParsedURL(target), ["http", "https"].contains(url.scheme.lowercased()) else {
                throw Refusal(400, "The request target '\(target.prefix(100))' is neither a path starting with / nor an http:// URL.")
            }
            authority = String(url.authority)
            target = (url.path.isEmpty ? "/" : String(url.path)) + (url.query.map { "?" + $0 } ?? "")
        }

        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(lines.count - 1)
        for line in lines.dropFirst() {
            guard let first = line.first, first != 0x20, first != 0x09 else {
                throw Refusal(400, "A header field line starts with whitespace (obsolete line folding): send each field on one line.")
            }
            guard let colon = line.firstIndex(of: 0x3A) else {
                throw Refusal(400, "A header field line has no colon: send 'Name: value'.")
            }
            let nameBytes = line[line.startIndex..<colon]
            guard !nameBytes.isEmpty, nameBytes.allSatisfy(isTokenByte) else {
                throw Refusal(400, "A header field name is empty or has characters a name cannot have (whitespace before the colon?).")
            }
            let name = String(decoding: nameBytes, as: UTF8.self)
            let valueBytes = ASCII.trimmed(line[(colon + 1)...])
            guard let value = String(validating: valueBytes, as: UTF8.self) else {
                throw Refusal(400, "The value of the header field \(name) is not UTF-8: send it as UTF-8.")
            }
            fields.append((name, value))
        }

        func all(_ name: String) -> [String] {
            fields.filter { $0.name.lowercased() == name }.map(\.value)
        }
        func tokens(_ name: String) -> [String] {
            all(name).flatMap { $0.split(separator: ",") }.map { String($0.trimmedWhitespace).lowercased() }.filter { !$0.isEmpty }
        }

        let host: String
        if let authority {
            host = authority
        } else {
            let hosts = all("host")
            if hosts.count > 1 { throw Refusal(400, "The request has \(hosts.count) Host fields: send one.") }
            if let one = hosts.first {
                host = one
            } else if minor == 0 {
                host = "127.0.0.1"
            } else {
                throw Refusal(400, "An HTTP/1.1 request needs a Host field: send 'Host: 127.0.0.1:PORT'.")
            }
        }
        guard !host.isEmpty, host.utf8.allSatisfy(isHostByte) else {
            throw Refusal(400, "The Host '\(host.prefix(100))' is not a host name or address with an optional port.")
        }

        let framing = try framing(transferCodings: all("transfer-encoding").isEmpty ? nil : tokens("transfer-encoding"),
                                  lengths: all("content-length"), minor: minor, maxBodyBytes: maxBodyBytes)
        let connection = tokens("connection")
        let keepAlive = minor == 1 ? !connection.contains("close") : connection.contains("keep-alive")
        let expectations = tokens("expect")
        if let other = expectations.first(where: { $0 != "100-continue" }) {
            throw Refusal(417, "The expectation '\(other.prefix(100))' is not supported: send no Expect field, or Expect: 100-continue.")
        }
        return RequestHead(method: String(decoding: methodBytes, as: UTF8.self), target: target, host: host, minorVersion: minor,
                           fields: fields, framing: framing, keepAlive: keepAlive, expectsContinue: !expectations.isEmpty)
    }

    /// The body's framing from Transfer-Encoding (its codings, lowercased; nil when absent) and
    /// Content-Length (every field value), as RFC 9112 section 6 has a server decide it.
    static func framing(transferCodings: [String]?, lengths: [String], minor: Int, maxBodyBytes: Int) throws(Refusal) -> BodyFraming {
        if let codings = transferCodings {
            if minor == 0 {
                throw Refusal(400, "An HTTP/1.0 request cannot use Transfer-Encoding: send Content-Length.")
            }
            if !lengths.isEmpty {
                throw Refusal(400, "The request has both Transfer-Encoding and Content-Length: send one of them.")
            }
            guard codings.last == "chunked" else {
                throw Refusal(400, "Transfer-Encoding must end with chunked in a request (it is '\(codings.joined(separator: ", ").prefix(100))'): send Content-Length, or chunked.")
            }
            if let other = codings.dropLast().first(where: { $0 != "chunked" }) {
                throw Refusal(501, "The transfer coding '\(other.prefix(100))' is not supported: send the body with Content-Length, or chunked alone.")
            }
            guard codings.count == 1 else {
                throw Refusal(400, "Transfer-Encoding names chunked more than once: send it once.")
            }
            return .chunked
        }
        var length: Int?
        for element in lengths.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let text = element.trimmedWhitespace
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw Refusal(400, "Content-Length '\(text.prefix(40))' is not a number of bytes (decimal digits only): send the body's length.")
            }
            guard text.utf8.count <= 18, let value = Int(text) else {
                throw Refusal(400, "Content-Length '\(text.prefix(40))...' has more digits than any body this server takes: send the body's length.")
            }
            if let length, length != value {
                throw Refusal(400, "The request gives two different Content-Lengths (\(length) and \(value)): send one.")
            }
            length = value
        }
        guard let length else { return .none }
        if length > maxBodyBytes {
            throw Refusal(413, "The body of \(length) bytes is larger than the \(maxBodyBytes) bytes this server takes: send a smaller request.")
        }
        return length == 0 ? .none : .length(length)
    }

    /// The minor version of `HTTP/1.x`: 505 for another major version, 400 for anything else.
    private static func version(_ bytes: ArraySlice<UInt8>) throws(Refusal) -> Int {
        let b = Array(bytes)
        guard b.count == 8, b[0..<5].elementsEqual("HTTP/".utf8), b[6] == 0x2E,
              (0x30...0x39).contains(b[5]), (0x30...0x39).contains(b[7]) else {
            throw Refusal(400, "The request line does not end with an HTTP version such as HTTP/1.1.")
        }
        guard b[5] == 0x31 else {
            throw Refusal(505, "HTTP/\(Character(Unicode.Scalar(b[5]))).\(Character(Unicode.Scalar(b[7]))) is not supported: send HTTP/1.1.")
        }
        // A later 1.x is answered as 1.1 (RFC 9110 section 6.2).
        return b[7] == 0x30 ? 0 : 1
    }

    private static func splitLines(_ head: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = head.startIndex
        var i = head.startIndex
        while i < head.endIndex {
            if head[i] == 0x0D, i + 1 < head.endIndex, head[i + 1] == 0x0A {
                lines.append(head[start..<i])
                i += 2
                start = i
            } else {
                i += 1
            }
        }
        if start < head.endIndex { lines.append(head[start..<head.endIndex]) }
        return lines
    }

    /// tchar of RFC 9110 section 5.6.2.
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(b)
        }
    }

    /// What a host name, an IPv4 address, a bracketed IPv6 address and a port are made of.
    static func isHostByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: Array(".-_~:[]".utf8).contains(b)
        }
    }
}
