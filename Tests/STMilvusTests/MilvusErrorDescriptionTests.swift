import Foundation
import STMilvus
import Testing

/// `MilvusError` reads the same through `localizedDescription` as through its own message (see the training target's
/// `ErrorDescriptionTests` for the library's other error types).
@Suite struct MilvusErrorDescriptionTests {
    @Test func localizedDescriptionIsTheMessage() {
        let error = MilvusError.transport(operation: "Search", status: "unavailable", message: "connection refused")
        #expect((error as Error).localizedDescription == error.description)
    }
}
