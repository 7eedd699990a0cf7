import Foundation
import Testing
@testable import LatticeKit

/// The one bounded file reader: regular files up to the cap; FIFOs, devices, sockets and
/// directories refused without a read (so without blocking), `/dev/null` read as empty.
@Suite struct FileAccessTests {
    /// Runs `body` on a thread of its own and waits at most `seconds`: a read that blocks
    /// fails the test instead of hanging it. `unblock` is called on timeout to let the
    /// thread finish.
    static func bounded<T: Sendable>(_ seconds: Double = 10, unblock: @escaping @Sendable () -> Void = {}, _ body: @escaping @Sendable () -> T) -> T? {
        let box = Recorder<T>()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            box.append(body())
            done.signal()
        }
        if done.wait(timeout: .now() + seconds) == .timedOut {
            unblock()
            _ = done.wait(timeout: .now() + seconds)
            return nil
        }
        return box.all.first
    }

    /// A FIFO in a fresh directory, and how to release a reader blocked on it.
    static func fifo(_ dir: TempDirectory) throws -> (path: String, unblock: @Sendable () -> Void) {
        let path = dir.path + "/pipe"
        try #require(mkfifo(path, 0o600) == 0)
        return (path, {
            let fd = open(path, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
        })
    }

    static func failure(_ result: FileAccess.ReadResult?) -> String? {
        if case let .failed(reason) = result { return reason }
        return nil
    }

    @Test func aFIFOIsRefusedAtOnceInsteadOfWaitingForAWriter() throws {
        let dir = try TempDirectory()
        let (path, unblock) = try Self.fifo(dir)
        let result = Self.bounded(unblock: unblock) { FileAccess.readFile(path) }
        #expect(Self.failure(result) == "it is a FIFO (named pipe), not a regular file")
    }

    @Test(arguments: [("/dev/zero", "a character device"), ("/dev/urandom", "a character device"), ("/", "a directory")])
    func devicesAndDirectoriesAreRefused(path: String, kind: String) {
        let result = Self.bounded { FileAccess.readFile(path) }
        #expect(Self.failure(result) == "it is \(kind), not a regular file")
    }

    @Test func aUnixSocketIsRefused() throws {
        let dir = try TempDirectory()
        let path = dir.path + "/sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        try #require(bound == 0)
        // open(2) of a socket fails (ENXIO) rather than opening it: no read, and a clear reason.
        let result = Self.bounded { FileAccess.readFile(path) }
        #expect(Self.failure(result) == "it is a socket, not a regular file")
    }

    @Test func devNullReadsAsEmpty() {
        #expect(FileAccess.readFile("/dev/null") == .contents([]))
    }

    @Test func aFileOverTheCapIsRefusedAndOneAtTheCapIsRead() throws {
        let dir = try TempDirectory()
        let big = try dir.write("big", "")
        try #require(truncate(big, off_t(FileAccess.maximumSize + 1)) == 0)  // sparse: costs no disk
        #expect(Self.failure(FileAccess.readFile(big)) == "the file is larger than the limit of 16 MiB")
        let small = try dir.write("small", "0123456789")
        #expect(Self.failure(FileAccess.readFile(small, limit: 9)) == "the file is larger than the limit of 9 bytes")
        #expect(FileAccess.readFile(small, limit: 10) == .contents(Array("0123456789".utf8)))
    }

    @Test func missingFilesAreMissing() {
        #expect(FileAccess.readFile("/nonexistent-dir/file") == .missing)
        #expect(FileAccess.readFile("/etc/hostname/below-a-file") == .missing)
    }

    /// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE naming a FIFO or a device: a clear
    /// configuration error naming the variable, at once.
    @Test func sharedConfigFilesThatAreNotRegularFilesAreClearErrors() throws {
        let dir = try TempDirectory()
        let (fifo, unblock) = try Self.fifo(dir)
        for (variable, path, kind) in [("AWS_CONFIG_FILE", fifo, "a FIFO (named pipe)"), ("AWS_SHARED_CREDENTIALS_FILE", fifo, "a FIFO (named pipe)"),
                                       ("AWS_CONFIG_FILE", "/dev/zero", "a character device"), ("AWS_CONFIG_FILE", dir.path, "a directory")] {
            var variables = ["HOME": dir.path, "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"]
            variables[variable] = path
            let result = Self.bounded(unblock: unblock) { [variables] () -> String? in
                do {
                    _ = try SharedConfig.load(environment: testEnvironment(variables))
                    return nil
                } catch {
                    return (error as? ConfigurationError)?.message ?? "\(error)"
                }
            }
            let message = try #require(result ?? nil, "reading \(variable)=\(path) blocked or succeeded")
            #expect(message == "Cannot read \(path): it is \(kind), not a regular file. Fix the file (a readable regular file of at most 16 MiB), or point \(variable) at another file.")
        }
        // /dev/null is the usual "no file".
        let empty = try SharedConfig.load(environment: testEnvironment(["AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"]))
        #expect(empty.profiles.isEmpty)
    }
}
