#ifndef ST_KERNELS_H
#define ST_KERNELS_H

#include <stdint.h>

// The one kernel dispatch: a table of kernels per instruction set, chosen once, at the first kernel call, from the
// CPU's features (the best path it runs) or from the environment variable SBERT_ISA (a name below). Every public
// entry point in st_vector_math.h calls through the active table; tests and benchmarks reach any table the CPU runs
// with st_kernels_for.

#ifdef __cplusplus
extern "C" {
#endif

/// The instruction-set paths, each a complete set of kernels. Names (for SBERT_ISA) in st_isa_name.
typedef enum {
    ST_ISA_PORTABLE = 0,     ///< "portable": plain C the compiler vectorizes for the build's baseline
    ST_ISA_AVX2 = 1,         ///< "avx2": AVX2 + FMA; int8 by vpmaddubsw on sign-folded operands (exact)
    ST_ISA_AVX2_VNNI = 2,    ///< "avx2-vnni": AVX2 + FMA + AVX-VNNI (vpdpbusd on 256-bit vectors)
    ST_ISA_AVX512 = 3,       ///< "avx512": AVX-512 F/BW/VL fp32; int8 by the AVX2 kernel
    ST_ISA_AVX512_VNNI = 4,  ///< "avx512-vnni": AVX-512 with VNNI (vpdpbusd on 512-bit vectors)
    ST_ISA_NEON = 5,         ///< "neon": ARM64 Advanced SIMD (FMLA); int8 as fp32 on dequantized weights
    ST_ISA_NEON_DOTPROD = 6, ///< "neon-dotprod": + SDOT (int8 on sign-shifted activations)
    ST_ISA_NEON_I8MM = 7,    ///< "neon-i8mm": + USDOT (u8 × s8 directly)
    ST_ISA_COUNT = 8
} st_isa;

/// The kernels of one instruction set. Shapes and semantics are those of the st_vector_math.h entry points of the
/// same names. `gemm_u8s8` is NULL where the path has no fast int8 instruction: int8 models then run fp32
/// arithmetic on dequantized weights rather than a scalar integer loop.
typedef struct {
    st_isa isa;
    const char *name;
    void (*packed_gemm_f32)(const float *x, long m, long k, long ldx, const float *packed, long n, long panelBegin,
                            long panelEnd, const float *bias, float *y, long ldy, int accumulate);
    void (*quantize_rows_u8)(const float *x, long m, long k, long ldx, uint8_t *q, float *scales, int32_t *zeros);
    void (*gemm_u8s8)(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
                      long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,
                      const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate);
    /// Faster than gemm_u8s8 where vpmaddubsw must stand in for VNNI, and exact only for weights packed within ±63
    /// (st_pack_weights_s8 with limit 63): u8 × s7 pairs stay within 16 bits (2 · 255 · 63 = 32,130), so the
    /// activations need no sign folding. NULL on paths whose gemm_u8s8 is as fast; QuantizedMatrix packs ±63 weights
    /// only where this is set.
    void (*gemm_u8s7)(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
                      long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,
                      const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate);
    float (*exp_shifted_sum)(float *x, long count, float shift);
    float (*max)(const float *x, long count);
    void (*scale)(float *x, long count, float factor);
    void (*gelu)(float *x, long count);
    void (*gelu_backward)(float *dx, const float *dy, const float *x, long count);
    void (*activate)(float *x, long count, int kind);
    void (*activate_backward)(float *dx, const float *dy, const float *x, long count, int kind);
    void (*gated)(float *y, const float *a, const float *g, long count, int kind);
    void (*gated_backward)(float *da, float *dg, const float *dy, const float *a, const float *g, long count, int kind);
    float (*rms_norm_row)(float *y, const float *x, const float *w, float offset, long channels, float epsilon);
    void (*rms_norm_backward_row)(float *dx, float *dw, const float *dy, const float *x, const float *w, float offset,
                                  float r, long channels);
    void (*rope)(float *x, long heads, long headDim, const float *cosines, const float *sines, float sign);
    /// Runs `iterations` rounds of independent fused multiply-adds on registers and returns the floating-point
    /// operations done (2 per multiply-add lane): a core's peak, for benchmarks.
    double (*fma_peak_probe)(long iterations);
} st_kernel_table;

/// The name of a path ("portable", "avx2", "avx2-vnni", "avx512", "avx512-vnni", "neon", "neon-dotprod",
/// "neon-i8mm"), or NULL outside the enum.
const char *st_isa_name(int isa);

/// The path named `name`, or -1 when no path has that name.
int st_isa_from_name(const char *name);

/// 1 when this build has the path's kernels and this CPU (and OS) runs them.
int st_isa_supported(int isa);

/// The fastest path this CPU runs.
st_isa st_isa_best(void);

/// The table of a path, or NULL when st_isa_supported is 0.
const st_kernel_table *st_kernels_for(int isa);

/// The active table: on first use, the path SBERT_ISA names when this CPU runs it, else st_isa_best(). (An unknown
/// or unsupported SBERT_ISA is reported as an error by the Swift layer before any model loads.)
const st_kernel_table *st_kernels(void);

/// Makes `isa` the active path; returns 0, or -1 (nothing changed) when the CPU cannot run it.
int st_isa_select(int isa);

#ifdef __cplusplus
}
#endif

#endif
