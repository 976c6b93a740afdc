/// A condition on documents, built from typed values (never from expression text), for ``VectorStore`` searches.
/// A store translates it to its own form; values stay values whatever characters they hold.
public indirect enum StoreFilter: Sendable, Equatable {
    /// The document's id is one of these.
    case ids([String])
    /// The metadata value under `key` equals `value`.
    case metadata(String, equals: String)
    /// The metadata value under `key` is one of `values`.
    case metadataIn(String, values: [String])
    /// Every condition holds.
    case all([StoreFilter])
    /// At least one condition holds.
    case any([StoreFilter])
    /// The condition does not hold.
    case not(StoreFilter)

    /// Whether `document` satisfies the condition.
    public func matches(_ document: IndexDocument) -> Bool {
        switch self {
        case let .ids(ids): return ids.contains(document.id)
        case let .metadata(key, value): return document.metadata[key] == value
        case let .metadataIn(key, values): return document.metadata[key].map(values.contains) ?? false
        case let .all(filters): return filters.allSatisfy { $0.matches(document) }
        case let .any(filters): return filters.contains { $0.matches(document) }
        case let .not(filter): return !filter.matches(document)
        }
    }
}
