#ifndef ST_VECTOR_MATH_H
#define ST_VECTOR_MATH_H

// Element-wise transcendental kernels in C, so that the compiler vectorizes them and, on x86-64 Linux, builds one
// clone per instruction set (AVX-512, AVX2, baseline) chosen at load time. Swift's generic SIMD types do not
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

#ifdef __cplusplus
}
#endif

#endif
