/// The last stage of a tokenizer: adds the special tokens a model expects (`[CLS] … [SEP]`) and type ids.
public protocol PostProcessor: Sendable {
    /// How many tokens ``process(_:pair:)`` adds, so truncation can leave room for them.
    func addedTokenCount(isPair: Bool) -> Int
    func process(_ first: Encoding, pair: Encoding?) -> Encoding
}
