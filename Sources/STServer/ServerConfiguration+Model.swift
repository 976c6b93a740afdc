import SentenceTransformers

extension ServerConfiguration {
    /// Checks the settings that depend on the model before the server starts, so that a bad one stops it at once
    /// rather than failing every request: `defaultPromptName` must name one of the model's prompts or Router routes, and
    /// `pooling` must be the model's own.
    /// - Throws: ``InvalidSetting``.
    public func check(for model: SentenceTransformer) throws { try check(ServedModel(model)) }

    /// Checks the settings that depend on a sparse model (see ``check(for:)-(SentenceTransformer)``).
    /// - Throws: ``InvalidSetting``.
    public func check(for model: SparseEncoder) throws { try check(ServedModel(model)) }

    func check(_ model: ServedModel) throws {
        try validate()
        if let pooling, pooling.replacingOccurrences(of: "-", with: "_") != model.poolingName {
            throw InvalidSetting(description: "--pooling \(pooling): the model pools with `\(model.poolingName)`, and replacing a model's pooling is not supported here (TEI replaces it); leave --pooling out, or give the model's own")
        }
        guard let name = defaultPromptName, model.configuration.prompts[name] == nil, model.task(forPromptName: name) == nil else { return }
        let known = model.configuration.prompts.keys.sorted()
        throw InvalidSetting(description: "default prompt name `\(name)` is not defined by the model (its prompts: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
    }
}
