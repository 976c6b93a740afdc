import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One blocking HTTP exchange over URLSession: the body kept in memory or streamed to a file, redirects followed or
/// not (the Hub's metadata headers are on the redirect itself).
final class HTTPTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct Result {
        var response: HTTPURLResponse
        var body: Data
    }

    private let followRedirects: Bool
    private let output: FileHandle?
    private let progress: ((Int64) -> Void)?
    private let lock = NSLock()
    private let finished = DispatchSemaphore(value: 0)
    private var response: HTTPURLResponse?
    private var body = Data()
    private var failure: Error?
    private var received: Int64 = 0

    private init(followRedirects: Bool, output: FileHandle?, progress: ((Int64) -> Void)?) {
        self.followRedirects = followRedirects
        self.output = output
        self.progress = progress
    }

    /// Sends `request` and waits for the whole answer. With `output`, the body goes to that file as it arrives.
    static func perform(_ request: URLRequest, followRedirects: Bool = true, output: FileHandle? = nil,
                        progress: ((Int64) -> Void)? = nil) throws -> Result {
        let transfer = HTTPTransfer(followRedirects: followRedirects, output: output, progress: progress)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        let session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: nil)
        session.dataTask(with: request).resume()
        transfer.finished.wait()
        session.finishTasksAndInvalidate()
        let url = request.url?.absoluteString ?? "?"
        transfer.lock.lock()
        defer { transfer.lock.unlock() }
        if let failure = transfer.failure { throw HubError.network(url: url, reason: failure.localizedDescription) }
        guard let response = transfer.response else { throw HubError.invalidResponse(url: url, reason: "no HTTP response") }
        return Result(response: response, body: transfer.body)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        if !followRedirects {
            lock.lock()
            self.response = response
            lock.unlock()
        }
        completionHandler(followRedirects ? request : nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        lock.lock()
        self.response = response as? HTTPURLResponse
        lock.unlock()
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        let status = response?.statusCode ?? 0
        if let output, (200..<300).contains(status) {
            output.write(data)
        } else {
            body.append(data)
        }
        received += Int64(data.count)
        let total = received
        lock.unlock()
        progress?(total)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock()
        if let error, !(followRedirects == false && response != nil && (error as NSError).code == NSURLErrorCancelled) {
            failure = error
        }
        lock.unlock()
        finished.signal()
    }
}
