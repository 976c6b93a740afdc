import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 channel with ``ConnectionDeadlineHandler`` in front of the HTTP decoder and
/// ``RequestPhaseHandler`` behind it. Hummingbird's `additionalChannelHandlers` only go behind the decoder, where a
/// client that has sent half a head cannot be told from an idle one, hence this wrapper.
struct TimedHTTP1Channel: ServerChildChannel {
    let base: HTTP1Channel
    let timeouts: ConnectionDeadlineHandler.Timeouts

    init(responder: @escaping HTTPChannelHandler.Responder, timeouts: ConnectionDeadlineHandler.Timeouts) {
        base = HTTP1Channel(responder: responder, configuration: .init(additionalChannelHandlers: [RequestPhaseHandler()]))
        self.timeouts = timeouts
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        let timeouts = timeouts
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionDeadlineHandler(timeouts: timeouts, logger: logger), position: .first)
        }.flatMap { base.setup(channel: channel, logger: logger) }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
