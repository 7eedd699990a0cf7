/// Decodes a chunked request body (RFC 9112 section 7.1) as its bytes arrive, looking at each
/// byte once: chunk sizes in hexadecimal (extensions skipped), the data, its CRLF, then the
/// last chunk and the trailer fields (read and dropped). The body is capped, and so are the
/// bytes spent on framing.
struct ChunkedDecoder {
    let maxBodyBytes: Int
    /// A chunk-size line or a trailer field line.
    let maxLineBytes: Int
    /// Bytes of framing in all: size lines, extensions, CRLFs, trailers.
    let maxFramingBytes: Int
    private(set) var body: [UInt8] = []
    /// The next byte of the buffer to look at.
    private var position: Int
    private var lineStart: Int
    private var framingBytes = 0
    private var state = State.size

    private enum State: Equatable {
        case size
        case data(left: Int)
        case dataEnd
        case trailer
    }

    enum Outcome: Equatable {
        case incomplete
        /// The body is complete; the next request starts at `end`.
        case complete(end: Int)
        case refused(Refusal)
    }

    /// A decoder for the body that starts at `start` in the connection's buffer.
    init(start: Int, maxBodyBytes: Int, maxLineBytes: Int, maxFramingBytes: Int) {
        position = start
        lineStart = start
        self.maxBodyBytes = maxBodyBytes
        self.maxLineBytes = maxLineBytes
        self.maxFramingBytes = maxFramingBytes
    }

    /// Looks at the bytes added to `buffer` since the last call.
    mutating func decode(_ buffer: [UInt8]) -> Outcome {
        while position < buffer.count {
            switch state {
            case let .data(left):
                let n = min(left, buffer.count - position)
                body.append(contentsOf: buffer[position..<(position + n)])
                position += n
                state = left == n ? .dataEnd : .data(left: left - n)
            case .dataEnd:
                guard buffer.count - position >= 2 else { return .incomplete }
                guard buffer[position] == 0x0D, buffer[position + 1] == 0x0A else {
                    return .refused(Refusal(400, "A chunk's data is not followed by CRLF: send exactly as many bytes as its size says."))
                }
                position += 2
                framingBytes += 2
                lineStart = position
                state = .size
            case .size, .trailer:
                let byte = buffer[position]
                position += 1
                framingBytes += 1
                if framingBytes > maxFramingBytes {
                    return .refused(Refusal(413, "The chunked body spends more than \(maxFramingBytes) bytes on chunk sizes and trailers: send larger chunks, or Content-Length."))
                }
                if position - lineStart > maxLineBytes {
                    return .refused(state == .size
                        ? Refusal(400, "A chunk-size line is longer than \(maxLineBytes) bytes: send the size without long extensions.")
                        : Refusal(431, "A trailer field is longer than \(maxLineBytes) bytes: send shorter trailers."))
                }
                guard byte == 0x0A else {
                    if byte < 0x20 && byte != 0x09 && byte != 0x0D || byte == 0x7F {
                        return .refused(Refusal(400, "A chunk-size or trailer line has a control character: send none."))
                    }
                    continue
                }
                let end = position - 1
                guard end > lineStart, buffer[end - 1] == 0x0D else {
                    return .refused(Refusal(400, "A chunk-size or trailer line ends with a bare LF: end it with CRLF."))
                }
                let line = buffer[lineStart..<(end - 1)]
                lineStart = position
                if state == .trailer {
                    if line.isEmpty { return .complete(end: position) }
                    continue  // a trailer field: dropped
                }
                switch chunkSize(line) {
                case .failure(let refusal):
                    return .refused(refusal)
                case .success(0):
                    state = .trailer
                case .success(let size):
                    guard size <= maxBodyBytes - body.count else {
                        return .refused(Refusal(413, "The chunked body is larger than the \(maxBodyBytes) bytes this server takes: send a smaller request."))
                    }
                    state = .data(left: size)
                }
            }
        }
        return .incomplete
    }

    /// The size of a chunk-size line: hexadecimal digits, then nothing, or whitespace or `;`
    /// before extensions.
    private func chunkSize(_ line: ArraySlice<UInt8>) -> Result<Int, Refusal> {
        let digits = line.prefix { (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }
        guard !digits.isEmpty else {
            return .failure(Refusal(400, "A chunk-size line does not start with the chunk's size in hexadecimal: send SIZE CRLF DATA CRLF."))
        }
        guard digits.count <= 15, let size = Int(String(decoding: digits, as: UTF8.self), radix: 16) else {
            return .failure(Refusal(413, "A chunk size has more than 15 hexadecimal digits: send smaller chunks."))
        }
        if let next = line.dropFirst(digits.count).first, next != 0x3B, next != 0x20, next != 0x09 {
            return .failure(Refusal(400, "A chunk-size line has something other than extensions after the size: send SIZE[;extension] CRLF."))
        }
        return .success(size)
    }
}
