import Foundation
import Logging
import NIOCore

/// Cuts clients that are too slow, and closes a connection that is answered before its request body was read.
///
/// - A request head not complete `header` after its first byte: 408, then the connection is closed. Counted from the
///   first byte, not between bytes, so a client sending one byte a second is cut as surely as a silent one.
/// - A request body not complete `body` after its head: the connection is closed (the route is waiting for the body,
///   no answer can be sent).
/// - No new request `idle` after the last answer (or the connection's start): the connection is closed.
/// - An answer written while its request's body is still arriving (an early 413 or 415): the output is closed after
///   the answer, what the client still sends is dropped unread for at most `linger`, then the connection is closed.
///   Closing at once would reset the connection while the client is sending, and a reset can destroy the answer
///   before the client reads it; reading on (what the server did before) lets a client hold the connection forever.
///
/// It sits first in the pipeline, on raw bytes, because only there can it tell a client that has begun a request
/// (bytes, no head yet) from an idle one (no bytes): the HTTP decoder passes nothing on until a head is complete. It
/// learns where requests and responses begin and end from ``RequestPhaseHandler`` behind the decoder, whose ``Event``s
/// travel toward the front of the pipeline as outbound user events.
final class ConnectionDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// A request or response boundary, as ``RequestPhaseHandler`` sees it.
    enum Event: Sendable {
        case requestHead, requestEnd, responseEnd
    }

    struct Timeouts: Sendable {
        var header: TimeAmount
        var body: TimeAmount
        var idle: TimeAmount
        /// Long enough for a client to read an early answer, short enough that a client cannot keep sending forever.
        var linger: TimeAmount = .seconds(2)
    }

    private enum Phase { case idle, header, body, linger }

    private let timeouts: Timeouts
    private let logger: Logger
    /// Requests whose head arrived and whose response has not ended (more than one when a client pipelines).
    private var openRequests = 0
    /// A head arrived and its request's end has not.
    private var readingBody = false
    /// Bytes of a next request arrived and its head has not.
    private var readingHead = false
    /// The output is closed after an early answer; input is dropped.
    private var lingering = false
    private var deadline: Scheduled<Void>?

    init(timeouts: Timeouts, logger: Logger) {
        self.timeouts = timeouts
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(.idle, context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelActive(context: ChannelHandlerContext) {
        arm(.idle, context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if lingering { return }
        // Bytes while the server is answering are a pipelined request: its head deadline starts when the answers are
        // done (idle, then header at its next byte), so it gets at least its due.
        if openRequests == 0, !readingHead {
            readingHead = true
            arm(.header, context)
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let event = event as? Event else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        promise?.succeed(())
        switch event {
        case .requestHead:
            openRequests += 1
            readingHead = false
            readingBody = true
            arm(.body, context)
        case .requestEnd:
            readingBody = false
            // The server is working on it; how long it may take is not the client's doing (the shutdown deadline
            // bounds it when the server stops).
            disarm()
        case .responseEnd:
            openRequests -= 1
            if readingBody, openRequests == 0 {
                linger(context)
            } else if openRequests == 0 {
                arm(.idle, context)
            }
        }
    }

    private func linger(_ context: ChannelHandlerContext) {
        lingering = true
        arm(.linger, context)
        // NIO sends what was written before shutting the output down.
        context.close(mode: .output, promise: nil)
    }

    private func arm(_ phase: Phase, _ context: ChannelHandlerContext) {
        deadline?.cancel()
        let amount = switch phase {
        case .idle: timeouts.idle
        case .header: timeouts.header
        case .body: timeouts.body
        case .linger: timeouts.linger
        }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: amount) { [self] in expire(phase, context) }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }

    private func expire(_ phase: Phase, _ context: ChannelHandlerContext) {
        deadline = nil
        switch phase {
        case .header:
            logger.debug("request head not received in time: closing the connection")
            // No response is under way (no head was decoded), so the raw bytes cannot interleave with one.
            context.writeAndFlush(wrapOutboundOut(Self.requestTimeout(after: timeouts.header, context.channel.allocator)), promise: nil)
            linger(context)
        case .body:
            logger.debug("request body not received in time: closing the connection")
            context.close(promise: nil)
        case .idle, .linger:
            context.close(promise: nil)
        }
    }

    /// 408 with the server's JSON error body.
    private static func requestTimeout(after amount: TimeAmount, _ allocator: ByteBufferAllocator) -> ByteBuffer {
        let seconds = Double(amount.nanoseconds) / 1e9
        let error = APIError(status: .requestTimeout, message: "request head not received within \(seconds) s", type: "Timeout")
        var buffer = allocator.buffer(capacity: 160 + error.body.count)
        buffer.writeString("HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: \(error.body.count)\r\nconnection: close\r\n\r\n")
        buffer.writeBytes(error.body)
        return buffer
    }
}
