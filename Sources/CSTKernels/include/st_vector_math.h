#ifndef ST_VECTOR_MATH_H
#define ST_VECTOR_MATH_H

// Kernels in C: element-wise transcendental functions, which the compiler vectorizes and, on x86-64 Linux, builds once
// per instruction set (AVX-512, AVX2, baseline) chosen at load time; and the packed-weight matrix multiply, with an
// AVX-512 path chosen at run time and a portable one. Swift's generic SIMD types do not
// vectorize rounding, min/max or conversions, and Swift has no per-function target attributes.

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

/// A spin-wait hint to the CPU (PAUSE on x86).
void st_cpu_relax(void);

/// 1 when the CPU runs the AVX-512 kernels (st_packed_gemm_f32's fast path), else 0.
int st_cpu_has_avx512f(void);

/// The panel width of packed weights (output columns per panel).
#define ST_PACKED_PANEL 16

/// Packs weight [n, k] (row-major, as torch.nn.Linear stores it) into ceil(n/16) panels of [k, 16] floats, the last
/// panel padded with zeros: packed must hold ceil(n/16) * 16 * k floats.
void st_pack_weights_f32(const float *weight, long n, long k, float *packed);

/// y[m, j] = sum_k x[m, k] * weight[j, k] + bias[j] (+ y[m, j] when accumulate) for the output columns of panels
/// panelBegin..<panelEnd; x is [m, k] row-major, y has row stride ldy, bias may be NULL. AVX-512 when the CPU has it,
/// else portable C.
void st_packed_gemm_f32(const float *x, long m, long k, const float *packed, long n, long panelBegin, long panelEnd,
                        const float *bias, float *y, long ldy, int accumulate);

#ifdef __cplusplus
}
#endif

#endif
