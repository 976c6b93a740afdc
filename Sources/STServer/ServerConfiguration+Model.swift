import SentenceTransformers

extension ServerConfiguration {
    /// Checks the settings that depend on the model before the server starts, so that a bad one stops it at once
    /// rather than failing every request: `defaultPromptName` must name one of the model's prompts or Router routes.
    /// - Throws: ``InvalidSetting``.
    public func check(for model: SentenceTransformer) throws { try check(ServedModel(model)) }

    /// Checks the settings that depend on a sparse model (see ``check(for:)-(SentenceTransformer)``).
    /// - Throws: ``InvalidSetting``.
    public func check(for model: SparseEncoder) throws { try check(ServedModel(model)) }

    func check(_ model: ServedModel) throws {
        guard let name = defaultPromptName, model.configuration.prompts[name] == nil, model.task(forPromptName: name) == nil else { return }
        let known = model.configuration.prompts.keys.sorted()
        throw InvalidSetting(description: "default prompt name `\(name)` is not defined by the model (its prompts: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
    }
}
