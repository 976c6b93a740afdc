#ifndef ST_VECTOR_MATH_H
#define ST_VECTOR_MATH_H

#include <stdint.h>

// Kernels in C: element-wise transcendental functions and the packed-weight matrix multiplies (fp32 and int8). Each
// entry point calls the kernel of the active instruction-set path (st_kernels.h: one table per path, chosen once
// from the CPU or SBERT_ISA). Swift's generic SIMD types do not vectorize rounding, min/max or conversions, and
// Swift has no per-function target attributes.

#include "st_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/// x[i] <- exp(x[i] - shift) for i < count; returns the sum of the new values. Within 2 ulp of expf for
/// arguments in [-87.3, 88.37]; smaller arguments give about 1e-38, larger ones about 2.7e38 (no infinity).
float st_exp_shifted_sum(float *x, long count, float shift);

/// The largest of x[0..<count] (-infinity when count is 0).
float st_max(const float *x, long count);

/// x[i] *= factor.
void st_scale(float *x, long count, float factor);

/// Exact GELU, x[i] <- 0.5 x[i] erfc(-x[i]/sqrt(2)), with erfc to 1.2e-7 relative error.
void st_gelu(float *x, long count);

/// dx[i] += dy[i] * GELU'(x[i]), the derivative of exact GELU at the pre-activation x[i].
void st_gelu_backward(float *dx, const float *dy, const float *x, long count);

/// The activations of st_activate and the gated kernels (the gated feed-forward layers of ModernBERT, Gemma 3, Qwen3).
enum {
    ST_ACTIVATION_GELU = 0,      ///< exact GELU, x Φ(x) (as st_gelu)
    ST_ACTIVATION_GELU_TANH = 1, ///< 0.5 x (1 + tanh(√(2/π)(x + 0.044715 x³))) (HF "gelu_pytorch_tanh")
    ST_ACTIVATION_SILU = 2,      ///< x σ(x) (HF "silu")
};

/// x[i] <- act(x[i]) for an ST_ACTIVATION_* kind (any other kind is SiLU). tanh and exp within a few ulp.
void st_activate(float *x, long count, int kind);

/// dx[i] += dy[i] * act'(x[i]) at the pre-activation x[i].
void st_activate_backward(float *dx, const float *dy, const float *x, long count, int kind);

/// The gated linear unit: y[i] = act(a[i]) * g[i] (GeGLU, SwiGLU); y may alias neither a nor g.
void st_gated(float *y, const float *a, const float *g, long count, int kind);

/// da[i] += dy[i] g[i] act'(a[i]); dg[i] += dy[i] act(a[i]).
void st_gated_backward(float *da, float *dg, const float *dy, const float *a, const float *g, long count, int kind);

/// One row of RMSNorm: r = 1 / sqrt(mean(x²) + epsilon), y[c] = x[c] r (offset + w[c]) for c < channels; returns r.
/// y may alias x.
float st_rms_norm_row(float *y, const float *x, const float *w, float offset, long channels, float epsilon);

/// The gradient of one RMSNorm row, given its r: with g = dy (offset + w), dx += r g − x r³ mean(g x) and
/// dw += dy x r.
void st_rms_norm_backward_row(float *dx, float *dw, const float *dy, const float *x, const float *w, float offset,
                              float r, long channels);

/// Rotary positions (rotate-half form) of `heads` consecutive heads of `headDim` floats at x, one token:
/// (x[d], x[d + headDim/2]) <- (x[d] c[d] − sign x[d + h] s[d], x[d + h] c[d] + sign x[d] s[d]) for d < headDim / 2;
/// sign −1 rotates back (the backward pass).
void st_rope(float *x, long heads, long headDim, const float *cosines, const float *sines, float sign);

/// A spin-wait hint to the CPU (PAUSE on x86, YIELD on ARM64).
void st_cpu_relax(void);

/// The panel width of packed weights (output columns per panel).
#define ST_PACKED_PANEL 16

/// Packs weight [n, k] (rows of stride ldw, as torch.nn.Linear stores it) into ceil(n/16) panels of [k, 16] floats,
/// the last panel padded with zeros: packed must hold ceil(n/16) * 16 * k floats.
void st_pack_weights_f32(const float *weight, long n, long k, long ldw, float *packed);

/// Packs a [k, n] matrix (rows of stride lds) the same way, as the weights of y = x · source: panel p holds columns
/// 16p..<16p+16 of every row.
void st_pack_columns_f32(const float *source, long k, long n, long lds, float *packed);

/// y[m, j] = sum_k x[m, k] * weight[j, k] + bias[j] (+ y[m, j] when accumulate) for the output columns of panels
/// panelBegin..<panelEnd; x is [m, k] with row stride ldx, y has row stride ldy, bias may be NULL. Every output is
/// summed over k in order, whatever the row blocking, so a row's result does not depend on the other rows.
void st_packed_gemm_f32(const float *x, long m, long k, long ldx, const float *packed, long n, long panelBegin,
                        long panelEnd, const float *bias, float *y, long ldy, int accumulate);

/// k rounded up to a multiple of 4 (the int8 kernels' k-groups).
long st_int8_padded_k(long k);

/// Quantizes weight [n, k] per output row (symmetric, scale = max|w| / limit, values in ±limit; limit 127, or 63
/// for a path's gemm_u8s7) into ceil(n/16) panels of [ceil(k/4)][16][4] int8 (packed: ceil(n/16) * 16 *
/// st_int8_padded_k(k) bytes); writes each row's scale and the sum of its int8 values (scales, sums: ceil(n/16) * 16
/// entries).
void st_pack_weights_s8(const float *weight, long n, long k, long limit, int8_t *packed, float *scales, int32_t *sums);

/// Quantizes rows of x [m, k] (row stride ldx) to u8 with a per-row scale and zero point (the row's range, widened to
/// hold 0); q is [m, st_int8_padded_k(k)]. Every path writes the same bytes.
void st_quantize_rows_u8(const float *x, long m, long k, long ldx, uint8_t *q, float *scales, int32_t *zeros);

/// y[m, j] = xScales[m] * wScales[j] * (sum_k q[m, k] w[j, k] - xZeros[m] * wSums[j]) + bias[j] (+ y when accumulate)
/// for the outputs of panels panelBegin..<panelEnd, with exact int32 sums (so every path gives the same sums).
void st_packed_gemm_u8s8(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
                         long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,
                         const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate);

/// st_packed_gemm_u8s8 for weights packed within ±63: the active path's gemm_u8s7 where it has one, else its
/// gemm_u8s8 (exact for them too).
void st_packed_gemm_u8s7(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
                         long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,
                         const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate);

/// The exact integer twin of st_packed_gemm_u8s8 (one output at a time, no instruction-set code), for tests.
void st_gemm_u8s8_reference(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
                            long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,
                            const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate);

/// Writes the dequantized weights [n, k] (scale · int8) of a st_pack_weights_s8 packing.
void st_unpack_weights_s8(const int8_t *packed, const float *scales, long n, long k, float *weight);

#ifdef __cplusplus
}
#endif

#endif
