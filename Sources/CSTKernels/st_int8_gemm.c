#include "st_vector_math.h"

#include <math.h>
#include <stdint.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define ST_HAVE_X86 1
#endif

// int8 projections: weights quantized symmetrically per output channel (scale = max|w| / 127), activations per row
// (token) asymmetrically to u8 (scale = (max − min) / 255, zero point), products summed in int32 by AVX-512 VNNI
// (vpdpbusd: 4 u8 × s8 products per lane) and dequantized in the epilogue:
//   y[m, j] = xScale[m] · wScale[j] · (Σ_k q[m, k] w[j, k] − xZero[m] · Σ_k w[j, k]) + bias[j].
// Weights are packed in panels of 16 outputs, each k-group of 4 as one 64-byte vector [16][4].
#define ST_PANEL 16

long st_int8_padded_k(long k) { return (k + 3) / 4 * 4; }

void st_pack_weights_s8(const float *weight, long n, long k, int8_t *packed, float *scales, int32_t *sums) {
    long kPadded = st_int8_padded_k(k);
    long groups = kPadded / 4;
    long panels = (n + ST_PANEL - 1) / ST_PANEL;
    for (long j = 0; j < panels * ST_PANEL; j++) {
        float largest = 0;
        if (j < n) for (long kk = 0; kk < k; kk++) { float a = fabsf(weight[j * k + kk]); largest = a > largest ? a : largest; }
        float scale = largest > 0 ? largest / 127.0f : 1.0f;
        scales[j] = scale;
        int32_t sum = 0;
        long p = j / ST_PANEL, lane = j % ST_PANEL;
        for (long g = 0; g < groups; g++) {
            for (long e = 0; e < 4; e++) {
                long kk = g * 4 + e;
                int8_t q = 0;
                if (j < n && kk < k) {
                    long r = lrintf(weight[j * k + kk] / scale);
                    q = (int8_t)(r > 127 ? 127 : r < -127 ? -127 : r);
                }
                packed[((p * groups + g) * ST_PANEL + lane) * 4 + e] = q;
                sum += q;
            }
        }
        sums[j] = sum;
    }
}

#ifdef ST_HAVE_X86
// The same quantization 16 values at a time: min/max reductions, then round-to-nearest-even conversion and unsigned
// saturation to bytes (what lrintf and the clamps do one value at a time).
__attribute__((target("avx512f,avx512bw")))
static void st_quantize_rows_u8_avx512(const float *x, long m, long k, long ldx, uint8_t *q, float *scales, int32_t *zeros) {
    long kPadded = st_int8_padded_k(k);
    for (long row = 0; row < m; row++) {
        const float *values = x + row * ldx;
        __m512 lowest = _mm512_setzero_ps(), highest = _mm512_setzero_ps();
        long kk = 0;
        for (; kk + 16 <= k; kk += 16) {
            __m512 v = _mm512_loadu_ps(values + kk);
            lowest = _mm512_min_ps(lowest, v);
            highest = _mm512_max_ps(highest, v);
        }
        if (kk < k) {
            __mmask16 mask = (__mmask16)((1u << (k - kk)) - 1u);
            __m512 v = _mm512_maskz_loadu_ps(mask, values + kk);
            lowest = _mm512_min_ps(lowest, v);
            highest = _mm512_max_ps(highest, v);
        }
        float low = _mm512_reduce_min_ps(lowest), high = _mm512_reduce_max_ps(highest);
        float scale = high > low ? (high - low) / 255.0f : 1.0f;
        float inverse = 1.0f / scale;
        long zero = lrintf(-low * inverse);
        zero = zero < 0 ? 0 : zero > 255 ? 255 : zero;
        uint8_t *out = q + row * kPadded;
        __m512 inv = _mm512_set1_ps(inverse);
        __m512i z = _mm512_set1_epi32((int)zero);
        for (kk = 0; kk + 16 <= k; kk += 16) {
            __m512i r = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(values + kk), inv)), z);
            r = _mm512_max_epi32(r, _mm512_setzero_si512());
            _mm_storeu_si128((__m128i *)(out + kk), _mm512_cvtusepi32_epi8(r));
        }
        for (; kk < k; kk++) {
            long v = lrintf(values[kk] * inverse) + zero;
            out[kk] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
        for (kk = k; kk < kPadded; kk++) out[kk] = (uint8_t)zero;
        scales[row] = scale;
        zeros[row] = (int32_t)zero;
    }
}
#endif

void st_quantize_rows_u8(const float *x, long m, long k, long ldx, uint8_t *q, float *scales, int32_t *zeros) {
#ifdef ST_HAVE_X86
    if (__builtin_cpu_supports("avx512bw")) {
        st_quantize_rows_u8_avx512(x, m, k, ldx, q, scales, zeros);
        return;
    }
#endif
    long kPadded = st_int8_padded_k(k);
    for (long row = 0; row < m; row++) {
        const float *values = x + row * ldx;
        float low = 0, high = 0;  // the range always holds 0, so 0 is exact
        for (long kk = 0; kk < k; kk++) {
            low = values[kk] < low ? values[kk] : low;
            high = values[kk] > high ? values[kk] : high;
        }
        float scale = high > low ? (high - low) / 255.0f : 1.0f;
        float inverse = 1.0f / scale;
        long zero = lrintf(-low * inverse);
        zero = zero < 0 ? 0 : zero > 255 ? 255 : zero;
        uint8_t *out = q + row * kPadded;
        for (long kk = 0; kk < k; kk++) {
            long v = lrintf(values[kk] * inverse) + zero;
            out[kk] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
        for (long kk = k; kk < kPadded; kk++) out[kk] = (uint8_t)zero;
        scales[row] = scale;
        zeros[row] = (int32_t)zero;
    }
}

static void st_int8_gemm_scalar(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
                                long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,
                                const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate) {
    long groups = kPadded / 4;
    for (long p = panelBegin; p < panelEnd; p++) {
        const int8_t *panel = packed + p * groups * ST_PANEL * 4;
        for (long row = 0; row < m; row++) {
            int32_t acc[ST_PANEL] = {0};
            const uint8_t *xr = q + row * kPadded;
            for (long g = 0; g < groups; g++)
                for (int lane = 0; lane < ST_PANEL; lane++)
                    for (int e = 0; e < 4; e++) acc[lane] += (int32_t)xr[g * 4 + e] * panel[(g * ST_PANEL + lane) * 4 + e];
            for (int lane = 0; lane < ST_PANEL; lane++) {
                long j = p * ST_PANEL + lane;
                if (j >= n) break;
                float value = xScales[row] * wScales[j] * (float)(acc[lane] - xZeros[row] * wSums[j]) + (bias ? bias[j] : 0);
                float *out = y + row * ldy + j;
                *out = accumulate ? *out + value : value;
            }
        }
    }
}

#ifdef ST_HAVE_X86
#define ST_INT8_BLOCK(MR)                                                                                              \
    __attribute__((target("avx512f,avx512bw,avx512vnni"))) static void st_int8_block_##MR(                           \
        const uint8_t *xr, long kPadded, const int8_t *w0, const int8_t *w1, int pair, const float *wScales,          \
        const int32_t *wSums, const float *xScales, const int32_t *xZeros, const float *bias, float *y, long ldy,      \
        long column, long n, int accumulate) {                                                                         \
        __m512i a0[MR], a1[MR];                                                                                        \
        for (int r = 0; r < MR; r++) { a0[r] = _mm512_setzero_si512(); a1[r] = _mm512_setzero_si512(); }             \
        long groups = kPadded / 4;                                                                                     \
        for (long g = 0; g < groups; g++) {                                                                            \
            __m512i b0 = _mm512_loadu_si512((const void *)(w0 + g * 64));                                              \
            __m512i b1 = _mm512_loadu_si512((const void *)(w1 + g * 64));                                              \
            for (int r = 0; r < MR; r++) {                                                                             \
                __m512i v = _mm512_set1_epi32(*(const int32_t *)(xr + r * kPadded + g * 4));                           \
                a0[r] = _mm512_dpbusd_epi32(a0[r], v, b0);                                                             \
                a1[r] = _mm512_dpbusd_epi32(a1[r], v, b1);                                                             \
            }                                                                                                          \
        }                                                                                                              \
        for (int half = 0; half < 1 + pair; half++) {                                                                  \
            long start = column + half * ST_PANEL;                                                                     \
            long width = n - start < ST_PANEL ? n - start : ST_PANEL;                                                  \
            __mmask16 mask = (__mmask16)((1u << width) - 1u);                                                          \
            __m512 ws = _mm512_loadu_ps(wScales + start);                                                              \
            __m512i sums = _mm512_loadu_si512((const void *)(wSums + start));                                          \
            __m512 b = bias ? _mm512_maskz_loadu_ps(mask, bias + start) : _mm512_setzero_ps();                         \
            for (int r = 0; r < MR; r++) {                                                                             \
                __m512i corrected = _mm512_sub_epi32(half ? a1[r] : a0[r],                                             \
                                                     _mm512_mullo_epi32(_mm512_set1_epi32(xZeros[r]), sums));          \
                __m512 scale = _mm512_mul_ps(ws, _mm512_set1_ps(xScales[r]));                                          \
                __m512 result = _mm512_fmadd_ps(_mm512_cvtepi32_ps(corrected), scale, b);                              \
                float *out = y + r * ldy + start;                                                                      \
                if (accumulate) result = _mm512_add_ps(result, _mm512_maskz_loadu_ps(mask, out));                      \
                _mm512_mask_storeu_ps(out, mask, result);                                                              \
            }                                                                                                          \
        }                                                                                                              \
    }
ST_INT8_BLOCK(6)
ST_INT8_BLOCK(4)
ST_INT8_BLOCK(2)
ST_INT8_BLOCK(1)

__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void st_int8_gemm_vnni(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
                              long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,
                              const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate) {
    long panelBytes = kPadded * ST_PANEL;
    long blockRows = (512 * 1024) / kPadded;
    blockRows = blockRows < 6 ? 6 : blockRows - blockRows % 6;
    for (long blockStart = 0; blockStart < m; blockStart += blockRows) {
        long blockEnd = blockStart + blockRows < m ? blockStart + blockRows : m;
        for (long p = panelBegin; p < panelEnd; p += 2) {
            int pair = p + 1 < panelEnd;
            const int8_t *w0 = packed + p * panelBytes;
            const int8_t *w1 = pair ? w0 + panelBytes : w0;
            long column = p * ST_PANEL;
            long row = blockStart;
#define ST_CALL(MR) st_int8_block_##MR(q + row * kPadded, kPadded, w0, w1, pair, wScales, wSums, xScales + row, xZeros + row, bias, y + row * ldy, ldy, column, n, accumulate)
            for (; row + 6 <= blockEnd; row += 6) ST_CALL(6);
            if (row + 4 <= blockEnd) { ST_CALL(4); row += 4; }
            if (row + 2 <= blockEnd) { ST_CALL(2); row += 2; }
            if (row < blockEnd) ST_CALL(1);
#undef ST_CALL
        }
    }
}
#endif

int st_cpu_has_avx512vnni(void) {
#ifdef ST_HAVE_X86
    return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") ? 1 : 0;
#else
    return 0;
#endif
}

void st_packed_gemm_u8s8(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
                         long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,
                         const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate) {
#ifdef ST_HAVE_X86
    if (st_cpu_has_avx512vnni()) {
        st_int8_gemm_vnni(q, m, kPadded, packed, n, panelBegin, panelEnd, wScales, wSums, xScales, xZeros, bias, y, ldy, accumulate);
        return;
    }
#endif
    st_int8_gemm_scalar(q, m, kPadded, packed, n, panelBegin, panelEnd, wScales, wSums, xScales, xZeros, bias, y, ldy, accumulate);
}
