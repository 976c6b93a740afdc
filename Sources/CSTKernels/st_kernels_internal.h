#ifndef ST_KERNELS_INTERNAL_H
#define ST_KERNELS_INTERNAL_H

// Shared by the per-instruction-set kernel files; not part of the module's public headers.

#include "st_kernels.h"
#include "st_vector_math.h"

/// Output columns per packed panel, for every path: weights are packed once in one layout whatever the CPU.
#define ST_PANEL 16

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define ST_HAVE_X86 1
#endif
#if defined(__aarch64__) && (defined(__clang__) || defined(__GNUC__))
#define ST_HAVE_ARM64 1
#endif

extern const st_kernel_table st_table_portable;
#ifdef ST_HAVE_X86
extern const st_kernel_table st_table_avx2;
extern const st_kernel_table st_table_avx2_vnni;
extern const st_kernel_table st_table_avx512;
extern const st_kernel_table st_table_avx512_vnni;
#endif
#ifdef ST_HAVE_ARM64
extern const st_kernel_table st_table_neon;
extern const st_kernel_table st_table_neon_dotprod;
extern const st_kernel_table st_table_neon_i8mm;
#endif

/// The portable kernels, which other paths reuse where they have nothing better.
void st_packed_gemm_f32_portable(const float *x, long m, long k, long ldx, const float *packed, long n,
                                 long panelBegin, long panelEnd, const float *bias, float *y, long ldy, int accumulate);
void st_quantize_rows_u8_portable(const float *x, long m, long k, long ldx, uint8_t *q, float *scales, int32_t *zeros);
void st_gemm_u8s8_portable(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
                           long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,
                           const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate);

#ifdef ST_HAVE_X86
/// AVX2 kernels the AVX-512 path reuses (int8 without VNNI).
void st_gemm_u8s8_avx2(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
                       long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,
                       const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate);
void st_gemm_u8s7_avx2(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
                       long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,
                       const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate);
void st_quantize_rows_u8_avx2(const float *x, long m, long k, long ldx, uint8_t *q, float *scales, int32_t *zeros);
#endif

/// A path's table: its GEMMs and quantization, and the element-wise kernels that st_vector_math_body.inc compiled in
/// its file under the name suffix SUFFIX.
#define ST_KERNEL_TABLE(ISA, NAME, SUFFIX, GEMM_F32, QUANTIZE, GEMM_U8S8, GEMM_U8S7)                                   \
    {                                                                                                                  \
        .isa = ISA, .name = NAME, .packed_gemm_f32 = GEMM_F32, .quantize_rows_u8 = QUANTIZE, .gemm_u8s8 = GEMM_U8S8,   \
        .gemm_u8s7 = GEMM_U8S7,                                                                                        \
        .exp_shifted_sum = st_exp_shifted_sum_##SUFFIX, .max = st_max_##SUFFIX, .scale = st_scale_##SUFFIX,            \
        .gelu = st_gelu_##SUFFIX, .gelu_backward = st_gelu_backward_##SUFFIX, .activate = st_activate_##SUFFIX,         \
        .activate_backward = st_activate_backward_##SUFFIX, .gated = st_gated_##SUFFIX,                                \
        .gated_backward = st_gated_backward_##SUFFIX, .rms_norm_row = st_rms_norm_row_##SUFFIX,                        \
        .rms_norm_backward_row = st_rms_norm_backward_row_##SUFFIX, .rope = st_rope_##SUFFIX,                          \
        .fma_peak_probe = st_fma_peak_probe_##SUFFIX,                                                                  \
    }

/// The quantization parameters of one activation row: scale = (max − min) / 255 over a range widened to hold 0,
/// zero point = round(−min / scale) clamped to [0, 255]. Every path computes them with this function, so that the
/// quantized bytes, and with them the int32 sums, are the same on every CPU.
static inline void st_row_quantization(float low, float high, float *scale, float *inverse, long *zero) {
    *scale = high > low ? (high - low) / 255.0f : 1.0f;
    *inverse = 1.0f / *scale;
    long z = __builtin_lrintf(-low * *inverse);
    *zero = z < 0 ? 0 : z > 255 ? 255 : z;
}

#endif
