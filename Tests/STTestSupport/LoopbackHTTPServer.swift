import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for tests that need a real peer (the fake Hugging Face Hub): one request
/// per connection, answered by `handler`, on a random free port. Stops when released or on `stop()`.
public final class LoopbackHTTPServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]  // lowercased names
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data
        /// Send only this many body bytes, then drop the connection (an interrupted download).
        public var cutAfter: Int?

        public init(status: Int, headers: [String: String] = [:], body: Data = Data(), cutAfter: Int? = nil) {
            self.status = status
            self.headers = headers
            self.body = body
            self.cutAfter = cutAfter
        }
    }

    public let port: Int
    private let socketDescriptor: Int32
    private let handler: @Sendable (Request) -> Response
    private let lock = NSLock()
    private var running = true
    private var requestLog: [Request] = []

    public init(handler: @escaping @Sendable (Request) -> Response) throws {
        self.handler = handler
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else { close(descriptor); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        socketDescriptor = descriptor
        let thread = Thread { [weak self] in self?.acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request served so far.
    public var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return requestLog
    }

    public func stop() {
        lock.lock()
        let wasRunning = running
        running = false
        lock.unlock()
        if wasRunning {
            shutdown(socketDescriptor, Int32(SHUT_RDWR))
            close(socketDescriptor)
        }
    }

    private func acceptLoop() {
        while true {
            let client = accept(socketDescriptor, nil, nil)
            if client < 0 {
                lock.lock()
                let keepGoing = running
                lock.unlock()
                if keepGoing { continue } else { return }
            }
            DispatchQueue.global().async { [self] in serve(client) }
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !buffer.containsHeaderEnd {
            let count = recv(client, &chunk, chunk.count, 0)
            guard count > 0 else { return }
            buffer += chunk[0..<count]
            if buffer.count > 65536 { return }
        }
        let head = String(decoding: buffer, as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
        let lines = head.components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count >= 2 else { return }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let request = Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers)
        lock.lock()
        requestLog.append(request)
        lock.unlock()
        let response = handler(request)
        var text = "HTTP/1.1 \(response.status) \(response.status < 400 ? "OK" : "Error")\r\n"
        var responseHeaders = response.headers
        responseHeaders["Content-Length"] = responseHeaders["Content-Length"] ?? String(response.body.count)
        responseHeaders["Connection"] = "close"
        for (name, value) in responseHeaders { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        send(client, Array(text.utf8))
        guard request.method != "HEAD" else { return }
        let body = response.cutAfter.map { response.body.prefix($0) } ?? response.body
        send(client, Array(body))
    }

    private func send(_ client: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            offset += sent
        }
    }
}

private extension Array where Element == UInt8 {
    var containsHeaderEnd: Bool {
        guard count >= 4 else { return false }
        for index in 0...(count - 4) where self[index] == 13 && self[index + 1] == 10 && self[index + 2] == 13 && self[index + 3] == 10 {
            return true
        }
        return false
    }
}
