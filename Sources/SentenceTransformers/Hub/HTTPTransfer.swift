import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange over URLSession, awaited without holding a thread: the body kept in memory or streamed to a
/// file, redirects followed or not (the Hub's metadata headers are on the redirect itself).
final class HTTPTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct Result {
        var response: HTTPURLResponse
        var body: Data
    }

    private let followRedirects: Bool
    private let output: FileHandle?
    private let progress: (@Sendable (Int64) -> Void)?
    private let lock = NSLock()
    /// Resumes the waiting task; set before the exchange starts.
    private var finished: (@Sendable () -> Void)?
    private var response: HTTPURLResponse?
    private var body = Data()
    private var failure: Error?
    private var received: Int64 = 0

    private init(followRedirects: Bool, output: FileHandle?, progress: (@Sendable (Int64) -> Void)?) {
        self.followRedirects = followRedirects
        self.output = output
        self.progress = progress
    }

    /// Sends `request` and awaits the whole answer. With `output`, the body goes to that file as it arrives.
    /// - Throws: `CancellationError` when the task is cancelled (the exchange is cancelled with it); ``HubError``.
    static func perform(_ request: URLRequest, followRedirects: Bool = true, output: FileHandle? = nil,
                        progress: (@Sendable (Int64) -> Void)? = nil) async throws -> Result {
        let transfer = HTTPTransfer(followRedirects: followRedirects, output: output, progress: progress)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        let session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: nil)
        let task = session.dataTask(with: request)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                transfer.lock.withLock { transfer.finished = { continuation.resume() } }
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
        session.finishTasksAndInvalidate()
        try Task.checkCancellation()
        let url = request.url?.absoluteString ?? "?"
        let (failure, response, body) = transfer.lock.withLock { (transfer.failure, transfer.response, transfer.body) }
        if let failure { throw HubError.network(url: url, reason: failure.localizedDescription) }
        guard let response else { throw HubError.invalidResponse(url: url, reason: "no HTTP response") }
        return Result(response: response, body: body)
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
        let finished = self.finished
        self.finished = nil
        lock.unlock()
        finished?()
    }
}
