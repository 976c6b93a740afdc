import Foundation
import STModels

/// The `Router` module (formerly `Asym`): a separate list of modules per route, chosen by the task the inputs are
/// encoded for: `encodeQuery` routes by `"query"`, `encodeDocument` by `"document"`, `encode` by the default route.
///
/// Loaded from `router_config.json`: `types` (module id → class), `structure` (route → module ids in order) and
/// `parameters` (`default_route`, `allow_empty_key`, `route_mappings`). Every module is in the folder named by its id;
/// an id listed in several routes is one shared instance (sentence-transformers saves a shared module once).
public struct Router: SentenceModule {
    /// Route name → its modules in order.
    public let routes: [String: [any SentenceModule]]
    /// The route names in the file's order.
    public let routeNames: [String]
    /// The route for inputs without a task.
    public let defaultRoute: String?
    /// `(task, modality)` → route; `nil` matches any.
    public let routeMappings: [RouteKey: String]
    /// Route name → the ids (folder names) of its modules, and id → module type, as `router_config.json` lists them.
    let structure: [String: [String]]
    let types: [String: String]
    let modulesByID: [String: any SentenceModule]
    let allowEmptyKey: Bool

    /// A key of `route_mappings`.
    public struct RouteKey: Hashable, Sendable {
        public var task: String?
        public var modality: String?
    }

    /// Loads `router_config.json` and every module it names from `context.directory`.
    /// - Throws: ``SentenceTransformerError`` for a missing or inconsistent config or a module that fails to load.
    public init(context: ModuleLoadContext) throws {
        let configURL = context.directory.appendingPathComponent("router_config.json")
        let path = configURL.path
        guard let data = FileManager.default.contents(atPath: path) else { throw SentenceTransformerError.missingFile(path: path) }
        let config: JSONConfig
        do {
            config = try JSONDecoder().decode(JSONConfig.self, from: data)
        } catch {
            throw SentenceTransformerError.invalidConfig(path: path, reason: "expected types, structure and parameters: \(error)")
        }
        var loaded: [String: any SentenceModule] = [:]
        var routes: [String: [any SentenceModule]] = [:]
        for (route, ids) in config.structure {
            guard !ids.isEmpty else { throw SentenceTransformerError.invalidConfig(path: path, reason: "route '\(route)' has no modules") }
            routes[route] = try ids.map { id in
                if let module = loaded[id] { return module }
                guard let type = config.types[id] else {
                    throw SentenceTransformerError.invalidConfig(path: path, reason: "module '\(id)' of route '\(route)' has no entry in types")
                }
                guard ModulePipeline.isConfined(id) else {
                    throw SentenceTransformerError.invalidConfig(path: path, reason: "module folder '\(id)' leaves the model directory")
                }
                var subContext = context
                subContext.directory = context.directory.appendingPathComponent(id)
                subContext.type = type
                let module = try ModuleRegistry.shared.load(subContext, manifest: path)
                loaded[id] = module
                return module
            }
        }
        self.routes = routes
        structure = config.structure
        types = config.types
        modulesByID = loaded
        // JSON objects are unordered for the decoder; the file's order decides `allow_empty_key`'s first route.
        let text = String(decoding: data, as: UTF8.self)
        let structureStart = text.range(of: "\"structure\"")?.upperBound ?? text.startIndex
        routeNames = routes.keys.sorted {
            (text.range(of: "\"\($0)\"", range: structureStart..<text.endIndex)?.lowerBound ?? text.endIndex)
                < (text.range(of: "\"\($1)\"", range: structureStart..<text.endIndex)?.lowerBound ?? text.endIndex)
        }
        let parameters = config.parameters ?? .init()
        var mappings: [RouteKey: String] = [:]
        for (key, route) in parameters.routeMappings ?? [:] {
            guard routes[route] != nil else {
                throw SentenceTransformerError.invalidConfig(path: path, reason: "route_mappings names route '\(route)', which is not in structure")
            }
            guard let parsed = Self.parseKey(key) else {
                throw SentenceTransformerError.invalidConfig(path: path, reason: "route_mappings key '\(key)' is not a (task, modality) pair")
            }
            mappings[parsed] = route
        }
        routeMappings = mappings
        var defaultRoute = parameters.defaultRoute
        allowEmptyKey = parameters.allowEmptyKey ?? true
        if defaultRoute == nil, allowEmptyKey { defaultRoute = routeNames.first }
        if let defaultRoute, routes[defaultRoute] == nil {
            throw SentenceTransformerError.invalidConfig(path: path, reason: "default_route '\(defaultRoute)' is not in structure")
        }
        self.defaultRoute = defaultRoute
    }

    /// The route for `task` (text inputs), as sentence-transformers resolves it: `route_mappings` first, then a route
    /// named like the task, then the default route.
    /// - Throws: ``SentenceTransformerError/invalidArgument(_:)`` when no route fits.
    public func routeName(for task: String?) throws -> String {
        let modality = "text"
        for key in [RouteKey(task: task, modality: modality), RouteKey(task: task, modality: nil),
                    RouteKey(task: nil, modality: modality), RouteKey(task: nil, modality: nil)] {
            if let route = routeMappings[key] { return route }
        }
        if let task, routes[task] != nil { return task }
        if routes[modality] != nil { return modality }
        if let task {
            throw SentenceTransformerError.invalidArgument("no route for task '\(task)'; the model's routes are \(routeNames.joined(separator: ", "))")
        }
        guard let defaultRoute else {
            throw SentenceTransformerError.invalidArgument(
                "the model routes inputs by task and has no default route: use encodeQuery / encodeDocument (routes: \(routeNames.joined(separator: ", ")))")
        }
        return defaultRoute
    }

    /// The modules of the route for `task`.
    public func modules(for task: String?) throws -> [any SentenceModule] {
        let name = try routeName(for: task)
        return routes[name] ?? []
    }

    /// The route used without a task: the default one, else the first.
    private var fallbackRoute: [any SentenceModule]? { defaultRoute.flatMap { routes[$0] } ?? routeNames.first.flatMap { routes[$0] } }

    public func outputDimension(input: Int) -> Int {
        guard let route = fallbackRoute else { return input }
        return route.reduce(input) { $1.outputDimension(input: $0) }
    }

    public var output: ModuleOutput {
        (fallbackRoute ?? []).reduce(ModuleOutput.sameAsInput) { $1.output == .sameAsInput ? $0 : $1.output }
    }

    public var parameterCount: Int {
        // A module shared by two routes counts once.
        var seen = Set<String>()
        return routeNames.flatMap { routes[$0] ?? [] }.reduce(0) { total, module in
            seen.insert(module.summary + "\(module.parameterCount)").inserted ? total + module.parameterCount : total
        }
    }

    public var summary: String {
        "Router(default_route: \(defaultRoute ?? "none"), routes: "
            + routeNames.map { "\($0): [\((routes[$0] ?? []).map(\.summary).joined(separator: ", "))]" }.joined(separator: "; ") + ")"
    }

    /// Runs the route for `features.task` (a Router after the input module; a leading Router is resolved before
    /// tokenization by ``ModulePipeline/route(for:)``).
    public func forward(_ features: inout Features) throws {
        for module in try modules(for: features.task) { try module.forward(&features) }
    }

    /// Writes `router_config.json` and every module into the folder named by its id (a shared module once).
    public func save(to folder: URL) throws {
        for (id, module) in modulesByID { try module.save(to: folder.appendingPathComponent(id)) }
        var mappings: [String: String] = [:]
        for (key, route) in routeMappings {
            func literal(_ value: String?) -> String { value.map { "'\($0)'" } ?? "None" }
            mappings["(\(literal(key.task)), \(literal(key.modality)))"] = route
        }
        struct Parameters: Encodable {
            var defaultRoute: String?
            var allowEmptyKey: Bool
            var routeMappings: [String: String]
            enum CodingKeys: String, CodingKey {
                case defaultRoute = "default_route", allowEmptyKey = "allow_empty_key", routeMappings = "route_mappings"
            }
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(defaultRoute, forKey: .defaultRoute)
                try c.encode(allowEmptyKey, forKey: .allowEmptyKey)
                try c.encode(routeMappings, forKey: .routeMappings)
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        // `structure` keeps the routes in order (the first is the fallback default), which a dictionary encoder loses.
        let routesText = try routeNames.map { "    \(try json($0)): \(try json(structure[$0] ?? []))" }.joined(separator: ",\n")
        let text = """
            {
              "types": \(try json(types.filter { modulesByID[$0.key] != nil })),
              "structure": {
            \(routesText)
              },
              "parameters": \(try json(Parameters(defaultRoute: defaultRoute, allowEmptyKey: allowEmptyKey, routeMappings: mappings)))
            }

            """
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: folder.appendingPathComponent("router_config.json"))
    }

    /// `"('query', None)"` → task `query`, any modality.
    static func parseKey(_ key: String) -> RouteKey? {
        let trimmed = key.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("("), trimmed.hasSuffix(")") else { return RouteKey(task: trimmed, modality: nil) }
        let parts = trimmed.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { return nil }
        func value(_ part: String) -> String?? {
            if part == "None" { return .some(nil) }
            guard part.count >= 2, let first = part.first, first == part.last, first == "'" || first == "\"" else { return nil }
            return .some(String(part.dropFirst().dropLast()))
        }
        guard let task = value(parts[0]), let modality = value(parts[1]) else { return nil }
        return RouteKey(task: task, modality: modality)
    }

    private struct JSONConfig: Decodable {
        var types: [String: String]
        var structure: [String: [String]]
        var parameters: Parameters?

        struct Parameters: Decodable {
            var defaultRoute: String?
            var allowEmptyKey: Bool?
            var routeMappings: [String: String]?
            enum CodingKeys: String, CodingKey {
                case defaultRoute = "default_route", allowEmptyKey = "allow_empty_key", routeMappings = "route_mappings"
            }
            init() {}
        }
    }
}
