import CSTKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The instruction-set path the kernels run on: one complete set of kernels per path (`CSTKernels/st_kernels.h`),
/// chosen once, at the first kernel call, from the CPU's features, or from the `SBERT_ISA` environment variable.
///
/// | path | CPUs | fp32 projections | int8 projections |
/// |---|---|---|---|
/// | `avx512-vnni` | Intel Ice Lake and later, AMD Zen 4 | AVX-512 packed panels | `vpdpbusd` (512-bit) |
/// | `avx512` | Intel Skylake-SP | AVX-512 packed panels | `vpmaddubsw` (sign-folded, exact) |
/// | `avx2-vnni` | Intel Alder Lake and later | AVX2 + FMA packed panels | `vpdpbusd` (256-bit, AVX-VNNI) |
/// | `avx2` | x86-64 since Haswell / Zen 1 | AVX2 + FMA packed panels | `vpmaddubsw` (sign-folded, exact) |
/// | `neon-i8mm` | ARMv8.6+ (Graviton 3, Apple M2+) | NEON FMLA panels | `usdot` |
/// | `neon-dotprod` | ARMv8.2+ with dot product | NEON FMLA panels | `sdot` (sign-shifted) |
/// | `neon` | every ARM64 CPU | NEON FMLA panels | fp32 on dequantized weights |
/// | `portable` | anything | BLAS | fp32 on dequantized weights |
///
/// Every path computes the same int8 sums exactly and the same fp32 sums to float rounding, so results agree across
/// paths within the parity tolerances.
///
/// ```swift
/// try InstructionSet.validateEnvironment()     // SBERT_ISA=avx2 on an AVX-512 machine runs the AVX2 kernels
/// print(InstructionSet.active)                  // "avx2"
/// ```
public enum InstructionSet: String, CaseIterable, Sendable, CustomStringConvertible {
    case portable
    case avx2
    case avx2VNNI = "avx2-vnni"
    case avx512
    case avx512VNNI = "avx512-vnni"
    case neon
    case neonDotprod = "neon-dotprod"
    case neonI8MM = "neon-i8mm"

    /// The environment variable that names the path to use instead of the CPU's best.
    public static let environmentVariable = "SBERT_ISA"

    var code: Int32 {
        // The C table's own names are the one list: the raw values equal them (checked by a test).
        st_isa_from_name(rawValue)
    }

    init?(code: Int32) {
        guard let name = st_isa_name(code) else { return nil }
        self.init(rawValue: String(cString: name))
    }

    public var description: String { rawValue }

    /// Whether this build has the path's kernels and this CPU runs them.
    public var isSupported: Bool { st_isa_supported(code) != 0 }

    /// The paths this CPU runs, fastest first.
    public static var supported: [InstructionSet] { allCases.reversed().filter(\.isSupported) }

    /// The fastest path this CPU runs.
    public static var best: InstructionSet { InstructionSet(code: Int32(st_isa_best().rawValue)) ?? .portable }

    /// The path the kernels run on now.
    public static var active: InstructionSet { InstructionSet(code: Int32(st_kernels().pointee.isa.rawValue)) ?? .portable }

    /// Whether the path has a fast int8 matrix multiply; where it has none, `ComputePrecision.int8` runs fp32 arithmetic on
    /// the dequantized weights instead of a scalar integer loop.
    public var hasFastInt8: Bool { st_kernels_for(code)?.pointee.gemm_u8s8 != nil }

    /// The range int8 weights are quantized to for this path: ±63 where it has the 7-bit kernel (`vpmaddubsw` without
    /// VNNI: u8 × s7 pair sums fit its 16 bits), else ±127.
    public var int8WeightLimit: Int { st_kernels_for(code)?.pointee.gemm_u8s7 != nil ? 63 : 127 }

    /// Whether the path has its own packed fp32 GEMM for projections; the portable path uses BLAS instead (and on
    /// Apple platforms BLAS is Accelerate, which beats hand-written NEON there).
    public var packsProjections: Bool {
        #if canImport(Accelerate)
        return false
        #else
        return self != .portable
        #endif
    }

    /// The path's kernel table, for tests and benchmarks that run a particular path; `nil` when unsupported.
    public var kernels: UnsafePointer<st_kernel_table>? { st_kernels_for(code) }

    /// Checks `SBERT_ISA`: unset or empty is fine (the CPU's best path); a name this CPU runs is fine.
    ///
    /// - Throws: ``InstructionSetError`` for an unknown name or a path this CPU cannot run.
    public static func validateEnvironment(_ environment: [String: String]? = nil) throws {
        let value: String?
        if let environment {
            value = environment[environmentVariable]
        } else if let pointer = getenv(environmentVariable) {
            value = String(cString: pointer)
        } else {
            value = nil
        }
        guard let value, !value.isEmpty else { return }
        _ = try named(value)
    }

    /// The path called `name`, if this CPU runs it.
    ///
    /// - Throws: ``InstructionSetError/unknown(name:)`` or ``InstructionSetError/unsupported(_:)``.
    public static func named(_ name: String) throws -> InstructionSet {
        guard let path = InstructionSet(rawValue: name) else { throw InstructionSetError.unknown(name: name) }
        guard path.isSupported else { throw InstructionSetError.unsupported(path) }
        return path
    }

    /// Makes `path` the active one for every kernel call from now on (benchmarks' `--isa`). Weights packed or
    /// quantized earlier keep their form, which every path reads.
    ///
    /// - Throws: ``InstructionSetError/unsupported(_:)`` when this CPU cannot run it.
    public static func select(_ path: InstructionSet) throws {
        guard st_isa_select(path.code) == 0 else { throw InstructionSetError.unsupported(path) }
    }
}

/// A kernel path that cannot be used here.
public enum InstructionSetError: Error, Equatable, CustomStringConvertible {
    /// No path has this name.
    case unknown(name: String)
    /// This CPU (or this build) cannot run the path.
    case unsupported(InstructionSet)

    public var description: String {
        let runs = InstructionSet.supported.map(\.rawValue).joined(separator: ", ")
        switch self {
        case .unknown(let name):
            let known = InstructionSet.allCases.map(\.rawValue).joined(separator: ", ")
            return "\(InstructionSet.environmentVariable)=\(name) names no kernel path (known: \(known); this CPU runs: \(runs))"
        case .unsupported(let path):
            return "\(InstructionSet.environmentVariable)=\(path): this CPU cannot run the \(path) kernels (it runs: \(runs))"
        }
    }
}
