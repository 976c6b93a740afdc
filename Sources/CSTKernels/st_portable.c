// The portable path: plain C for the build's baseline (SSE2 on x86-64, NEON on ARM64), which the compiler
// vectorizes; and the weight packing every path shares. Also the reference semantics the other paths reproduce.

#include "st_kernels_internal.h"

#include <math.h>

#define ST_NAME(function) st_##function##_portable
#define ST_VECTOR_BYTES 16
#define ST_FMA_CHAINS 8
#include "st_vector_math_body.inc"

// --- Packing (shared by every path) ---------------------------------------------------------------------------------

// Weights packed in panels of ST_PANEL output columns, k-major inside a panel: the inner loop streams each weight
// exactly once, as one 16-float vector per k, and broadcasts x[m, k]. Short inputs (a few tokens) are bound by reading
// the weights, which this layout reads at memory speed with no per-call packing.
void st_pack_weights_f32(const float *weight, long n, long k, long ldw, float *packed) {
    long panels = (n + ST_PANEL - 1) / ST_PANEL;
    for (long p = 0; p < panels; p++) {
        float *panel = packed + p * k * ST_PANEL;
        for (long kk = 0; kk < k; kk++) {
            for (long j = 0; j < ST_PANEL; j++) {
                long column = p * ST_PANEL + j;
                panel[kk * ST_PANEL + j] = column < n ? weight[column * ldw + kk] : 0.0f;
            }
        }
    }
}

void st_pack_columns_f32(const float *source, long k, long n, long lds, float *packed) {
    long panels = (n + ST_PANEL - 1) / ST_PANEL;
    for (long p = 0; p < panels; p++) {
        float *panel = packed + p * k * ST_PANEL;
        long width = n - p * ST_PANEL < ST_PANEL ? n - p * ST_PANEL : ST_PANEL;
        for (long kk = 0; kk < k; kk++) {
            const float *row = source + kk * lds + p * ST_PANEL;
            long j = 0;
            for (; j < width; j++) panel[kk * ST_PANEL + j] = row[j];
            for (; j < ST_PANEL; j++) panel[kk * ST_PANEL + j] = 0.0f;
        }
    }
}

long st_int8_padded_k(long k) { return (k + 3) / 4 * 4; }

// int8 projections: weights quantized symmetrically per output channel (scale = max|w| / 127, or / 63 for a
// gemm_u8s7), activations per row (token) asymmetrically to u8 (scale = (max − min) / 255, zero point), products
// summed exactly in int32 and dequantized in the epilogue:
//   y[m, j] = xScale[m] · wScale[j] · (Σ_k q[m, k] w[j, k] − xZero[m] · Σ_k w[j, k]) + bias[j].
// Weights are packed in panels of 16 outputs, each k-group of 4 as one 64-byte block [16][4].
void st_pack_weights_s8(const float *weight, long n, long k, long limit, int8_t *packed, float *scales, int32_t *sums) {
    limit = limit < 1 ? 1 : limit > 127 ? 127 : limit;
    long kPadded = st_int8_padded_k(k);
    long groups = kPadded / 4;
    long panels = (n + ST_PANEL - 1) / ST_PANEL;
    for (long j = 0; j < panels * ST_PANEL; j++) {
        float largest = 0;
        if (j < n) for (long kk = 0; kk < k; kk++) { float a = fabsf(weight[j * k + kk]); largest = a > largest ? a : largest; }
        float scale = largest > 0 ? largest / (float)limit : 1.0f;
        scales[j] = scale;
        int32_t sum = 0;
        long p = j / ST_PANEL, lane = j % ST_PANEL;
        for (long g = 0; g < groups; g++) {
            for (long e = 0; e < 4; e++) {
                long kk = g * 4 + e;
                int8_t q = 0;
                if (j < n && kk < k) {
                    long r = lrintf(weight[j * k + kk] / scale);
                    q = (int8_t)(r > limit ? limit : r < -limit ? -limit : r);
                }
                packed[((p * groups + g) * ST_PANEL + lane) * 4 + e] = q;
                sum += q;
            }
        }
        sums[j] = sum;
    }
}

void st_unpack_weights_s8(const int8_t *packed, const float *scales, long n, long k, float *weight) {
    long groups = st_int8_padded_k(k) / 4;
    for (long j = 0; j < n; j++) {
        long p = j / ST_PANEL, lane = j % ST_PANEL;
        for (long kk = 0; kk < k; kk++) {
            long g = kk / 4, e = kk % 4;
            weight[j * k + kk] = scales[j] * (float)packed[((p * groups + g) * ST_PANEL + lane) * 4 + e];
        }
    }
}

// --- Kernels ----------------------------------------------------------------------------------------------------------

void st_packed_gemm_f32_portable(const float *x, long m, long k, long ldx, const float *packed, long n,
                                 long panelBegin, long panelEnd, const float *bias, float *y, long ldy, int accumulate) {
    for (long p = panelBegin; p < panelEnd; p++) {
        const float *panel = packed + p * k * ST_PANEL;
        long width = n - p * ST_PANEL < ST_PANEL ? n - p * ST_PANEL : ST_PANEL;
        for (long row = 0; row < m; row++) {
            float sum[ST_PANEL] = {0};
            for (long kk = 0; kk < k; kk++) {
                float value = x[row * ldx + kk];
                for (int j = 0; j < ST_PANEL; j++) sum[j] += value * panel[kk * ST_PANEL + j];
            }
            float *out = y + row * ldy + p * ST_PANEL;
            for (long j = 0; j < width; j++) {
                float result = sum[j] + (bias ? bias[p * ST_PANEL + j] : 0.0f);
                out[j] = accumulate ? out[j] + result : result;
            }
        }
    }
}

void st_quantize_rows_u8_portable(const float *x, long m, long k, long ldx, uint8_t *q, float *scales, int32_t *zeros) {
    long kPadded = st_int8_padded_k(k);
    for (long row = 0; row < m; row++) {
        const float *values = x + row * ldx;
        float low = 0, high = 0;  // the range always holds 0, so 0 is exact
        for (long kk = 0; kk < k; kk++) {
            low = values[kk] < low ? values[kk] : low;
            high = values[kk] > high ? values[kk] : high;
        }
        float scale, inverse;
        long zero;
        st_row_quantization(low, high, &scale, &inverse, &zero);
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

// The integer reference: exact int32 sums, one output at a time. Not in the portable table (no fast int8 instruction
// there); the tests compare every fast path with it.
void st_gemm_u8s8_portable(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
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

void st_gemm_u8s8_reference(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
                            long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,
                            const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate) {
    st_gemm_u8s8_portable(q, m, kPadded, packed, n, panelBegin, panelEnd, wScales, wSums, xScales, xZeros, bias, y, ldy,
                          accumulate);
}

const st_kernel_table st_table_portable =
    ST_KERNEL_TABLE(ST_ISA_PORTABLE, "portable", portable,
                    st_packed_gemm_f32_portable, st_quantize_rows_u8_portable, 0, 0);
