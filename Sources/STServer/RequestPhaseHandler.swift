import NIOCore
import NIOHTTPTypes

/// Tells ``ConnectionDeadlineHandler`` where requests and responses begin and end: it sits behind the HTTP decoder,
/// where they are visible, and sends each boundary toward the front of the pipeline as an outbound user event.
final class RequestPhaseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Requests whose head arrived and whose response has not ended.
    private var openRequests = 0
    /// A head arrived and its request's end has not.
    private var readingBody = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            openRequests += 1
            readingBody = true
            context.triggerUserOutboundEvent(ConnectionDeadlineHandler.Event.requestHead, promise: nil)
        case .end:
            readingBody = false
            context.triggerUserOutboundEvent(ConnectionDeadlineHandler.Event.requestEnd, promise: nil)
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case var .head(response) where readingBody && openRequests == 1:
            // An answer before the body is read (413, 415, 429): the deadline handler closes the connection after it,
            // and the client should know.
            response.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(response)), promise: promise)
            return
        case .head, .body:
            context.write(data, promise: promise)
            return
        case .end:
            openRequests -= 1
        }
        // Flushed before the event: the deadline handler may shut the output down on it, and unflushed writes would
        // be lost.
        context.writeAndFlush(data, promise: promise)
        context.triggerUserOutboundEvent(ConnectionDeadlineHandler.Event.responseEnd, promise: nil)
    }
}
