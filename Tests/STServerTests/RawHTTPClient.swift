import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking TCP client on a raw socket, for the clients no HTTP library imitates: one byte a second, a body that
/// stops half-way, a body far over the limit. Calls block their thread: run them on a dedicated one.
final class RawHTTPClient {
    /// How a read ended.
    enum Ending: Equatable { case closed, reset, timedOut }

    private let descriptor: Int32

    init(port: Int) throws {
        #if os(Linux)
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        #if !os(Linux)
        var on: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw POSIXError(.init(rawValue: code) ?? .EIO)
        }
    }

    deinit { close(descriptor) }

    /// Sends all of `bytes`; false once the server has closed the connection (EPIPE, ECONNRESET), never a SIGPIPE.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        #if os(Linux)
        let flags = Int32(MSG_NOSIGNAL)
        #else
        let flags: Int32 = 0
        #endif
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return -1 }
                return socketSend(descriptor, base + offset, buffer.count - offset, flags)
            }
            if sent < 0, errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// What arrives within `timeout` seconds: returns at the first bytes, at the end of the stream, or at the timeout.
    func read(timeout: Double) -> (bytes: [UInt8], ending: Ending?) {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, Int32(max(timeout, 0) * 1000))
        guard ready > 0 else { return ([], .timedOut) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count > 0 { return (Array(buffer[0..<count]), nil) }
        return ([], count == 0 ? .closed : .reset)
    }

    /// Everything until the server closes the connection, or until `timeout` seconds have passed.
    func readUntilClosed(timeout: Double) -> (bytes: [UInt8], ending: Ending) {
        let deadline = Date().addingTimeInterval(timeout)
        var bytes: [UInt8] = []
        while true {
            let (chunk, ending) = read(timeout: deadline.timeIntervalSinceNow)
            bytes += chunk
            if let ending { return (bytes, ending) }
        }
    }

    /// One request with `Connection: close`; returns the status code and body (0 and empty when none came).
    static func exchange(port: Int, method: String = "POST", path: String, contentType: String?, body: [UInt8],
                         timeout: Double = 300) throws -> (status: Int, body: [UInt8]) {
        let client = try RawHTTPClient(port: port)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        client.send(Array((head + "\r\n").utf8) + body)
        let (response, _) = client.readUntilClosed(timeout: timeout)
        return parse(response)
    }

    /// The status code and the body of a response read to its end.
    static func parse(_ response: [UInt8]) -> (status: Int, body: [UInt8]) {
        let text = String(decoding: response, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        guard let range = text.range(of: "\r\n\r\n") else { return (status, []) }
        return (status, Array(text[range.upperBound...].utf8))
    }
}

// The C library's `send`, which the method of the same name hides inside the class.
private func socketSend(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int, _ flags: Int32) -> Int {
    send(descriptor, bytes, count, flags)
}
