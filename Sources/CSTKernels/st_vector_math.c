#include "st_vector_math.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__) && defined(__clang__)
#define ST_MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define ST_MULTIVERSION
#endif

#define ST_LANES 16

static inline float st_bits_to_float(uint32_t bits) {
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

static inline uint32_t st_float_to_bits(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

// Cody-Waite reduction x = n ln2 + r with |r| <= ln2/2, degree-6 polynomial for e^r (Cephes expf), 2^n built in
// the exponent bits. Adding 1.5 * 2^23 rounds n to the nearest integer and leaves it in the low mantissa bits.
static inline float st_exp_lane(float x) {
    const float shifter = 12582912.0f;
    x = x < -87.33654f ? -87.33654f : x;
    x = x > 88.3762626647949f ? 88.3762626647949f : x;
    float shifted = x * 1.44269504088896341f + shifter;
    float n = shifted - shifter;
    float r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    uint32_t exponent = (st_float_to_bits(shifted) - st_float_to_bits(shifter) + 127u) << 23;
    return p * st_bits_to_float(exponent);
}

ST_MULTIVERSION
float st_exp_shifted_sum(float *x, long count, float shift) {
    float partial[ST_LANES] = {0};
    long i = 0;
    for (; i + ST_LANES <= count; i += ST_LANES) {
        for (int lane = 0; lane < ST_LANES; lane++) {
            float value = st_exp_lane(x[i + lane] - shift);
            x[i + lane] = value;
            partial[lane] += value;
        }
    }
    float total = 0;
    for (int lane = 0; lane < ST_LANES; lane++) total += partial[lane];
    for (; i < count; i++) {
        x[i] = st_exp_lane(x[i] - shift);
        total += x[i];
    }
    return total;
}

ST_MULTIVERSION
float st_max(const float *x, long count) {
    float best[ST_LANES];
    for (int lane = 0; lane < ST_LANES; lane++) best[lane] = -__builtin_inff();
    long i = 0;
    for (; i + ST_LANES <= count; i += ST_LANES) {
        for (int lane = 0; lane < ST_LANES; lane++) best[lane] = x[i + lane] > best[lane] ? x[i + lane] : best[lane];
    }
    float result = -__builtin_inff();
    for (int lane = 0; lane < ST_LANES; lane++) result = best[lane] > result ? best[lane] : result;
    for (; i < count; i++) result = x[i] > result ? x[i] : result;
    return result;
}

ST_MULTIVERSION
void st_scale(float *x, long count, float factor) {
    for (long i = 0; i < count; i++) x[i] *= factor;
}

// GELU(x) = 0.5 x erfc(-x/sqrt(2)) keeps its relative accuracy for negative x, where 1 + erf(x/sqrt(2)) cancels.
// erfc(z) = t exp(-z^2 + P(t)) with t = 1/(1 + |z|/2) (Numerical Recipes' erfcc), and erfc(z) = 2 - erfc(-z).
// Returns Phi(x) = 0.5 erfc(-x/sqrt(2)), the standard normal CDF, so that GELU(x) = x Phi(x).
static inline float st_normal_cdf_lane(float x) {
    float z = x * -0.70710678118654752440f;
    float a = z < 0 ? -z : z;
    float t = 1.0f / (1.0f + 0.5f * a);
    float p = 0.17087277f;
    p = p * t - 0.82215223f;
    p = p * t + 1.48851587f;
    p = p * t - 1.13520398f;
    p = p * t + 0.27886807f;
    p = p * t - 0.18628806f;
    p = p * t + 0.09678418f;
    p = p * t + 0.37409196f;
    p = p * t + 1.00002368f;
    p = p * t - 1.26551223f;
    float tail = t * st_exp_lane(p - a * a);
    return 0.5f * (z < 0 ? 2.0f - tail : tail);
}

static inline float st_gelu_lane(float x) { return x * st_normal_cdf_lane(x); }

ST_MULTIVERSION
void st_gelu(float *x, long count) {
    for (long i = 0; i < count; i++) x[i] = st_gelu_lane(x[i]);
}

// d/dx GELU(x) = Phi(x) + x phi(x): the same CDF as the forward, and phi(x) = exp(-x^2/2) / sqrt(2 pi).
ST_MULTIVERSION
void st_gelu_backward(float *dx, const float *dy, const float *x, long count) {
    for (long i = 0; i < count; i++) {
        float v = x[i];
        float pdf = 0.39894228040143267794f * st_exp_lane(-0.5f * v * v);
        dx[i] += dy[i] * (st_normal_cdf_lane(v) + v * pdf);
    }
}
