// The AVX-512 paths: the packed-panel fp32 GEMM (two 16-float panels against up to 8 rows), the u8 activation
// quantization, the VNNI int8 GEMM (vpdpbusd, 4 u8 × s8 products per int32 lane), and the element-wise kernels
// compiled for 16-lane registers. Without VNNI, the int8 GEMM for 7-bit weights (gemm_u8s7) is vpmaddubsw on 512-bit
// registers, and the one for ±127 weights the AVX2 path's sign-folded kernel.

#include "st_kernels_internal.h"

#ifdef ST_HAVE_X86

#include <immintrin.h>
#include <math.h>

#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma"))), apply_to = function)

#define ST_NAME(function) st_##function##_avx512
#define ST_VECTOR_BYTES 64
#define ST_FMA_CHAINS 12
#include "st_vector_math_body.inc"

// One block of MR ≤ 8 rows against two panels (32 outputs), stored with bias and accumulation: 2·MR accumulators, 2
// weight loads and MR broadcasts per k. MR is a constant in each instance, so the accumulators stay in registers.
#define ST_BLOCK(MR)                                                                                                   \
    static void st_block_##MR(                                                     \
        const float *xr, long k, long ldx, const float *w0, const float *w1, int pair, const float *bias, float *y,   \
        long ldy, long column, long n, int accumulate) {                                                               \
        __m512 a0[MR], a1[MR];                                                                                         \
        for (int r = 0; r < MR; r++) { a0[r] = _mm512_setzero_ps(); a1[r] = _mm512_setzero_ps(); }                   \
        for (long kk = 0; kk < k; kk++) {                                                                              \
            /* The weights come from L3 or memory when a whole model passes over few rows: ask for them early. */     \
            _mm_prefetch((const char *)(w0 + (kk + 24) * ST_PANEL), _MM_HINT_T0);                                      \
            _mm_prefetch((const char *)(w1 + (kk + 24) * ST_PANEL), _MM_HINT_T0);                                      \
            __m512 b0 = _mm512_loadu_ps(w0 + kk * ST_PANEL);                                                           \
            __m512 b1 = _mm512_loadu_ps(w1 + kk * ST_PANEL);                                                           \
            for (int r = 0; r < MR; r++) {                                                                             \
                __m512 v = _mm512_set1_ps(xr[r * ldx + kk]);                                                           \
                a0[r] = _mm512_fmadd_ps(v, b0, a0[r]);                                                                 \
                a1[r] = _mm512_fmadd_ps(v, b1, a1[r]);                                                                 \
            }                                                                                                          \
        }                                                                                                              \
        for (int half = 0; half < 1 + pair; half++) {                                                                  \
            long start = column + half * ST_PANEL;                                                                     \
            long width = n - start < ST_PANEL ? n - start : ST_PANEL;                                                  \
            __mmask16 mask = (__mmask16)((1u << width) - 1u);                                                          \
            __m512 b = bias ? _mm512_maskz_loadu_ps(mask, bias + start) : _mm512_setzero_ps();                         \
            for (int r = 0; r < MR; r++) {                                                                             \
                float *out = y + r * ldy + start;                                                                      \
                __m512 result = _mm512_add_ps(half ? a1[r] : a0[r], b);                                                \
                if (accumulate) result = _mm512_add_ps(result, _mm512_maskz_loadu_ps(mask, out));                      \
                _mm512_mask_storeu_ps(out, mask, result);                                                              \
            }                                                                                                          \
        }                                                                                                              \
    }
ST_BLOCK(8)
ST_BLOCK(7)
ST_BLOCK(6)
ST_BLOCK(5)
ST_BLOCK(4)
ST_BLOCK(3)
ST_BLOCK(2)
ST_BLOCK(1)

typedef void (*st_block_function)(const float *, long, long, const float *, const float *, int, const float *, float *,
                                  long, long, long, int);
static const st_block_function st_blocks[9] = {0, st_block_1, st_block_2, st_block_3, st_block_4,
                                               st_block_5, st_block_6, st_block_7, st_block_8};

static void st_packed_gemm_f32_avx512(const float *x, long m, long k, long ldx, const float *packed, long n,
                                  long panelBegin, long panelEnd, const float *bias, float *y, long ldy, int accumulate) {
    // Rows in blocks that stay in L2 (about 512 KiB of x) while every panel pair passes over them: the weights are then
    // read once per block instead of x once per panel pair.
    long blockRows = (512 * 1024) / ((ldx > 0 ? ldx : 1) * (long)sizeof(float));
    blockRows = blockRows < 8 ? 8 : blockRows - blockRows % 8;
    for (long blockStart = 0; blockStart < m; blockStart += blockRows) {
        long blockEnd = blockStart + blockRows < m ? blockStart + blockRows : m;
        for (long p = panelBegin; p < panelEnd; p += 2) {
            int pair = p + 1 < panelEnd;
            const float *w0 = packed + p * k * ST_PANEL;
            const float *w1 = pair ? w0 + k * ST_PANEL : w0;
            long column = p * ST_PANEL;
            // ceil(rows / 8) passes over the panels with the rows shared out evenly (13 rows: 7 + 6, not 8 + 4 + 1):
            // each pass reads the panel pair once, so fewer, fuller passes read the weights fewer times.
            long rows = blockEnd - blockStart;
            long passes = (rows + 7) / 8;
            long row = blockStart;
            for (long pass = 0; pass < passes; pass++) {
                long size = rows / passes + (pass < rows % passes ? 1 : 0);
                st_blocks[size](x + row * ldx, k, ldx, w0, w1, pair, bias, y + row * ldy, ldy, column, n, accumulate);
                row += size;
            }
        }
    }
}
// The same quantization 16 values at a time: min/max reductions, then round-to-nearest-even conversion and unsigned
// saturation to bytes (what lrintf and the clamps do one value at a time).
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
        float scale, inverse;
        long zero;
        st_row_quantization(low, high, &scale, &inverse, &zero);
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
#pragma clang attribute pop

// The int8 kernels, outside the region above with the whole feature list in each function's own attribute (VNNI is
// not in the region's). One block: MR rows against two panels (32 outputs), two accumulators per row; STEP(r) adds
// row r's products of k-group g to a0[r] and a1[r].
#define ST_VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma")))
#define ST_AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")))
#define ST_INT8_BLOCK(TARGET, KIND, MR, STEP)                                                                          \
    TARGET static void st_int8_##KIND##_block_##MR(                                                                    \
        const uint8_t *xr, long kPadded, const int8_t *w0, const int8_t *w1, int pair, const float *wScales,          \
        const int32_t *wSums, const float *xScales, const int32_t *xZeros, const float *bias, float *y, long ldy,      \
        long column, long n, int accumulate) {                                                                         \
        const __m512i ones = _mm512_set1_epi16(1);                                                                     \
        (void)ones;                                                                                                    \
        __m512i a0[MR], a1[MR];                                                                                        \
        for (int r = 0; r < MR; r++) { a0[r] = _mm512_setzero_si512(); a1[r] = _mm512_setzero_si512(); }             \
        long groups = kPadded / 4;                                                                                     \
        for (long g = 0; g < groups; g++) {                                                                            \
            __m512i b0 = _mm512_loadu_si512((const void *)(w0 + g * 64));                                              \
            __m512i b1 = _mm512_loadu_si512((const void *)(w1 + g * 64));                                              \
            for (int r = 0; r < MR; r++) {                                                                             \
                __m512i v = _mm512_set1_epi32(*(const int32_t *)(xr + r * kPadded + g * 4));                           \
                STEP(r)                                                                                                \
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

// VNNI: vpdpbusd adds 4 u8 × s8 products into each int32 lane.
#define ST_INT8_VNNI_STEP(r)                                                                                           \
    a0[r] = _mm512_dpbusd_epi32(a0[r], v, b0);                                                                         \
    a1[r] = _mm512_dpbusd_epi32(a1[r], v, b1);

// Without VNNI, weights within ±63 (gemm_u8s7; see st_x86_avx2.c): vpmaddubsw's u8 × s7 pairs fit 16 bits exactly,
// vpmaddwd with ones sums them to int32.
#define ST_INT8_S7_STEP(r)                                                                                             \
    a0[r] = _mm512_add_epi32(a0[r], _mm512_madd_epi16(_mm512_maddubs_epi16(v, b0), ones));                             \
    a1[r] = _mm512_add_epi32(a1[r], _mm512_madd_epi16(_mm512_maddubs_epi16(v, b1), ones));

// Rows in L2-sized blocks, panels in pairs, rows in blocks of 6 (then 4, 2, 1) per pair.
#define ST_INT8_GEMM(TARGET, NAME, KIND)                                                                               \
    TARGET static void NAME(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,     \
                            long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,           \
                            const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate) {            \
        long panelBytes = kPadded * ST_PANEL;                                                                          \
        long blockRows = (512 * 1024) / (kPadded > 0 ? kPadded : 4);                                                   \
        blockRows = blockRows < 6 ? 6 : blockRows - blockRows % 6;                                                     \
        for (long blockStart = 0; blockStart < m; blockStart += blockRows) {                                           \
            long blockEnd = blockStart + blockRows < m ? blockStart + blockRows : m;                                   \
            for (long p = panelBegin; p < panelEnd; p += 2) {                                                          \
                int pair = p + 1 < panelEnd;                                                                           \
                const int8_t *w0 = packed + p * panelBytes;                                                            \
                const int8_t *w1 = pair ? w0 + panelBytes : w0;                                                        \
                long column = p * ST_PANEL;                                                                            \
                long row = blockStart;                                                                                 \
                for (; row + 6 <= blockEnd; row += 6) ST_INT8_CALL(KIND, 6);                                           \
                if (row + 4 <= blockEnd) { ST_INT8_CALL(KIND, 4); row += 4; }                                          \
                if (row + 2 <= blockEnd) { ST_INT8_CALL(KIND, 2); row += 2; }                                          \
                if (row < blockEnd) ST_INT8_CALL(KIND, 1);                                                             \
            }                                                                                                          \
        }                                                                                                              \
    }
#define ST_INT8_CALL(KIND, MR)                                                                                         \
    st_int8_##KIND##_block_##MR(q + row * kPadded, kPadded, w0, w1, pair, wScales, wSums, xScales + row, xZeros + row, \
                                bias, y + row * ldy, ldy, column, n, accumulate)

ST_INT8_BLOCK(ST_VNNI_TARGET, vnni, 6, ST_INT8_VNNI_STEP)
ST_INT8_BLOCK(ST_VNNI_TARGET, vnni, 4, ST_INT8_VNNI_STEP)
ST_INT8_BLOCK(ST_VNNI_TARGET, vnni, 2, ST_INT8_VNNI_STEP)
ST_INT8_BLOCK(ST_VNNI_TARGET, vnni, 1, ST_INT8_VNNI_STEP)
ST_INT8_GEMM(ST_VNNI_TARGET, st_gemm_u8s8_avx512_vnni, vnni)

ST_INT8_BLOCK(ST_AVX512_TARGET, s7, 6, ST_INT8_S7_STEP)
ST_INT8_BLOCK(ST_AVX512_TARGET, s7, 4, ST_INT8_S7_STEP)
ST_INT8_BLOCK(ST_AVX512_TARGET, s7, 2, ST_INT8_S7_STEP)
ST_INT8_BLOCK(ST_AVX512_TARGET, s7, 1, ST_INT8_S7_STEP)
ST_INT8_GEMM(ST_AVX512_TARGET, st_gemm_u8s7_avx512, s7)

const st_kernel_table st_table_avx512 =
    ST_KERNEL_TABLE(ST_ISA_AVX512, "avx512", avx512,
                    st_packed_gemm_f32_avx512, st_quantize_rows_u8_avx512, st_gemm_u8s8_avx2, st_gemm_u8s7_avx512);

const st_kernel_table st_table_avx512_vnni =
    ST_KERNEL_TABLE(ST_ISA_AVX512_VNNI, "avx512-vnni", avx512,
                    st_packed_gemm_f32_avx512, st_quantize_rows_u8_avx512, st_gemm_u8s8_avx512_vnni, 0);

#endif
