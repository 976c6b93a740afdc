import Foundation

/// A Milvus store named by a URL: `milvus://[USER:PASSWORD@]HOST[:PORT]/COLLECTION[?token=T&tls=1&db=NAME&timeout=S]`.
///
/// The port defaults to 19530. Credentials may come from the URL (user and password, or `token`) or from the
/// environment (`MILVUS_TOKEN`, used when the URL names none), so that a token need not appear in a command line.
public struct MilvusStoreLocation: Sendable, Equatable {
    public var configuration: MilvusConfiguration
    /// The collection's name.
    public var collection: String

    /// Parses a `milvus://` URL.
    /// - Parameters:
    ///   - string: The URL.
    ///   - environment: Where `MILVUS_TOKEN` is looked up.
    /// - Throws: ``MilvusError/invalidArgument(_:)`` naming what is wrong: another scheme, no host, a bad port or
    ///   timeout, a collection name that is not letters, digits and `_`.
    public init(_ string: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let components = URLComponents(string: string), components.scheme?.lowercased() == "milvus" else {
            throw MilvusError.invalidArgument("\(string) is not a milvus://HOST:PORT/COLLECTION URL")
        }
        guard let host = components.host, !host.isEmpty else { throw MilvusError.invalidArgument("\(string) names no host") }
        var configuration = MilvusConfiguration(host: host, port: components.port ?? 19530)
        guard (1...65535).contains(configuration.port) else { throw MilvusError.invalidArgument("\(string): port \(configuration.port) is outside 1…65535") }
        let path = components.path.split(separator: "/").map(String.init)
        guard path.count == 1 else { throw MilvusError.invalidArgument("\(string) must name one collection: milvus://HOST:PORT/COLLECTION") }
        let collection = path[0]
        guard (try? MilvusExpression.identifier(collection)) != nil else {
            throw MilvusError.invalidArgument("\(string): collection name \(String(reflecting: collection)) must be letters, digits and _, not starting with a digit")
        }
        if let user = components.user {
            configuration.credentials = .user(user.removingPercentEncoding ?? user, password: (components.password ?? "").removingPercentEncoding ?? "")
        }
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "token": configuration.credentials = .token(value)
            case "tls": configuration.useTLS = ["1", "true", "yes"].contains(value.lowercased())
            case "db": configuration.database = value
            case "timeout":
                guard let seconds = Double(value), seconds > 0, seconds.isFinite else {
                    throw MilvusError.invalidArgument("\(string): timeout must be a positive number of seconds")
                }
                configuration.timeout = .milliseconds(Int64(seconds * 1000))
            default:
                throw MilvusError.invalidArgument("\(string): unknown parameter \(item.name) (token, tls, db, timeout)")
            }
        }
        if configuration.credentials == nil, let token = environment["MILVUS_TOKEN"], !token.isEmpty {
            configuration.credentials = .token(token)
        }
        self.configuration = configuration
        self.collection = collection
    }
}
