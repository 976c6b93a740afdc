import ArgumentParser
public struct SbertCommand: AsyncParsableCommand { public init() {} }
