import Foundation

/// A body of any size that is never held whole: 64 KiB blocks of a fixed pattern, each
/// starting with its index (8 bytes, little-endian), so a skipped, repeated or restarted block
/// is caught. Bytes are made and checked with `memcmp`, fast in a debug build.
public enum PatternBody {
    public static let blockSize = 65_536
    static let base: [UInt8] = (0..<blockSize).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 9)) }

    /// The bytes at `offset..<offset + count`.
    public static func bytes(at offset: Int, count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { fill($0, at: offset) }
        return out
    }

    /// Fills `buffer` with the bytes from `offset` on.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        var done = 0
        base.withUnsafeBytes { pattern in
            while done < buffer.count {
                let position = offset + done
                let within = position % blockSize
                let n = min(buffer.count - done, blockSize - within)
                (buffer.baseAddress! + done).copyMemory(from: pattern.baseAddress! + within, byteCount: n)
                if within < 8 {
                    var index = UInt64(position / blockSize).littleEndian
                    withUnsafeBytes(of: &index) { i in
                        for k in within..<min(8, within + n) { buffer[done + k - within] = i[k] }
                    }
                }
                done += n
            }
        }
    }

    /// Checks bytes as they come, in pieces of any size.
    public struct Verifier: Sendable {
        public private(set) var offset = 0
        public private(set) var intact = true
        private var scratch = [UInt8](repeating: 0, count: 0)
        public init() {}

        public mutating func consume(_ bytes: UnsafeRawBufferPointer) {
            guard !bytes.isEmpty else { return }
            if scratch.count < bytes.count { scratch = [UInt8](repeating: 0, count: bytes.count) }
            let at = offset
            let same = scratch.withUnsafeMutableBytes { s -> Bool in
                let expected = UnsafeMutableRawBufferPointer(rebasing: s[0..<bytes.count])
                PatternBody.fill(expected, at: at)
                return memcmp(expected.baseAddress!, bytes.baseAddress!, bytes.count) == 0
            }
            if !same { intact = false }
            offset += bytes.count
        }

        public mutating func consume(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { consume($0) }
        }
    }

    /// The first `total` bytes in chunks of `chunk`, made as they are asked for; `made` counts
    /// the bytes made so far.
    public static func chunks(total: Int, chunk: Int = 65_536, made: MadeCounter? = nil) -> Chunks {
        Chunks(total: total, chunk: chunk, made: made)
    }

    /// The pattern's chunks, made lazily.
    public struct Chunks: AsyncSequence, Sendable {
        public typealias Element = [UInt8]
        let total: Int
        let chunk: Int
        let made: MadeCounter?

        public struct AsyncIterator: AsyncIteratorProtocol {
            let owner: Chunks
            var offset = 0
            public mutating func next() async -> [UInt8]? {
                guard offset < owner.total else { return nil }
                let n = Swift.min(owner.chunk, owner.total - offset)
                let piece = PatternBody.bytes(at: offset, count: n)
                offset += n
                owner.made?.add(n)
                return piece
            }
        }

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(owner: self) }
    }

    /// Writes the first `total` bytes to a new file at `path`.
    public static func writeFile(_ path: String, total: Int) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var offset = 0
        while offset < total {
            let n = min(1 << 20, total - offset)
            try handle.write(contentsOf: bytes(at: offset, count: n))
            offset += n
        }
    }

    /// A counter shared with a producer.
    public final class MadeCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var _count = 0
        public init() {}
        public var count: Int { lock.withLock { _count } }
        func add(_ n: Int) { lock.withLock { _count += n } }
    }
}
