// The AVX2 + FMA paths (every x86-64 CPU since Haswell / Zen): the packed-panel fp32 GEMM (one 16-float panel, as
// two 8-float halves, against up to 6 rows: 12 accumulators), the u8 activation quantization, and two int8 GEMMs
// on the shared [16][4] weight layout:
//   - AVX2: vpmaddubsw multiplies u8 by s8 and adds adjacent pairs with 16-bit saturation, which 255 × 127 · 2
//     overflows. The activation bytes are taken as s8 xs = q − 128 (a sign-bit flip), and the kernel multiplies
//     |xs| (≤ 128, unsigned) by sign(w, xs) (|w| ≤ 127): each product is at most 16,256 in magnitude, a pair at most
//     32,512 < 32,767, so no sum ever saturates and the int32 totals are exact. Σ xs·w = Σ q·w − 128 Σ w, so the
//     epilogue's zero-point correction uses zero − 128.
//   - AVX2 with weights within ±63 (gemm_u8s7, the path's choice for int8 models): u8 × s7 pairs cannot saturate, so
//     the activations go in as they are, as ONNX Runtime's `reduce_range` quantization does for this instruction.
//   - AVX-VNNI: vpdpbusd on 256-bit vectors (u8 × s8, 4 products per int32 lane, no intermediate saturation).
// The element-wise kernels are compiled here for 8-lane registers.

#include "st_kernels_internal.h"

#ifdef ST_HAVE_X86

#include <immintrin.h>
#include <math.h>
#include <stdlib.h>

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

#define ST_NAME(function) st_##function##_avx2
#define ST_VECTOR_BYTES 32
#define ST_FMA_CHAINS 10
#include "st_vector_math_body.inc"

// The lanes of an 8-float half of a panel that hold outputs: `width` lanes (≤ 8, may be ≤ 0) as a store mask.
static inline __m256i st_half_mask(long width) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(width < 0 ? 0 : width > 8 ? 8 : width)), lanes);
}

// --- fp32 ------------------------------------------------------------------------------------------------------------

// MR ≤ 6 rows against one panel (16 outputs in two halves): 2·MR accumulators, 2 weight loads and MR broadcasts per
// k. MR is a constant in each instance, so the accumulators stay in registers.
#define ST_F32_BLOCK(MR)                                                                                               \
    static void st_f32_block_##MR(const float *xr, long k, long ldx, const float *w, const float *bias, float *y,     \
                                  long ldy, long column, long n, int accumulate) {                                     \
        __m256 a0[MR], a1[MR];                                                                                         \
        for (int r = 0; r < MR; r++) { a0[r] = _mm256_setzero_ps(); a1[r] = _mm256_setzero_ps(); }                   \
        for (long kk = 0; kk < k; kk++) {                                                                              \
            _mm_prefetch((const char *)(w + (kk + 16) * ST_PANEL), _MM_HINT_T0);                                       \
            __m256 b0 = _mm256_loadu_ps(w + kk * ST_PANEL);                                                            \
            __m256 b1 = _mm256_loadu_ps(w + kk * ST_PANEL + 8);                                                        \
            for (int r = 0; r < MR; r++) {                                                                             \
                __m256 v = _mm256_broadcast_ss(xr + r * ldx + kk);                                                     \
                a0[r] = _mm256_fmadd_ps(v, b0, a0[r]);                                                                 \
                a1[r] = _mm256_fmadd_ps(v, b1, a1[r]);                                                                 \
            }                                                                                                          \
        }                                                                                                              \
        long width = n - column < ST_PANEL ? n - column : ST_PANEL;                                                    \
        for (int half = 0; half < 2; half++) {                                                                         \
            long start = column + 8 * half;                                                                            \
            __m256i mask = st_half_mask(width - 8 * half);                                                             \
            if (width - 8 * half <= 0) break;                                                                          \
            __m256 b = bias ? _mm256_maskload_ps(bias + start, mask) : _mm256_setzero_ps();                            \
            for (int r = 0; r < MR; r++) {                                                                             \
                float *out = y + r * ldy + start;                                                                      \
                __m256 result = _mm256_add_ps(half ? a1[r] : a0[r], b);                                                \
                if (accumulate) result = _mm256_add_ps(result, _mm256_maskload_ps(out, mask));                         \
                _mm256_maskstore_ps(out, mask, result);                                                                \
            }                                                                                                          \
        }                                                                                                              \
    }
ST_F32_BLOCK(6)
ST_F32_BLOCK(5)
ST_F32_BLOCK(4)
ST_F32_BLOCK(3)
ST_F32_BLOCK(2)
ST_F32_BLOCK(1)

typedef void (*st_f32_block_function)(const float *, long, long, const float *, const float *, float *, long, long,
                                      long, int);
static const st_f32_block_function st_f32_blocks[7] = {0, st_f32_block_1, st_f32_block_2, st_f32_block_3,
                                                       st_f32_block_4, st_f32_block_5, st_f32_block_6};

static void st_packed_gemm_f32_avx2(const float *x, long m, long k, long ldx, const float *packed, long n,
                                    long panelBegin, long panelEnd, const float *bias, float *y, long ldy,
                                    int accumulate) {
    // Rows in blocks of about 256 KiB of x that stay in L2 while the panels pass over them, and within a block
    // ceil(rows / 6) passes with the rows shared out evenly: each pass reads the panel once.
    long blockRows = (256 * 1024) / ((ldx > 0 ? ldx : 1) * (long)sizeof(float));
    blockRows = blockRows < 6 ? 6 : blockRows - blockRows % 6;
    for (long blockStart = 0; blockStart < m; blockStart += blockRows) {
        long blockEnd = blockStart + blockRows < m ? blockStart + blockRows : m;
        long rows = blockEnd - blockStart;
        long passes = (rows + 5) / 6;
        for (long p = panelBegin; p < panelEnd; p++) {
            const float *w = packed + p * k * ST_PANEL;
            long row = blockStart;
            for (long pass = 0; pass < passes; pass++) {
                long size = rows / passes + (pass < rows % passes ? 1 : 0);
                st_f32_blocks[size](x + row * ldx, k, ldx, w, bias, y + row * ldy, ldy, p * ST_PANEL, n, accumulate);
                row += size;
            }
        }
    }
}

// --- Activation quantization -------------------------------------------------------------------------------------

void st_quantize_rows_u8_avx2(const float *x, long m, long k, long ldx, uint8_t *q, float *scales, int32_t *zeros) {
    long kPadded = st_int8_padded_k(k);
    for (long row = 0; row < m; row++) {
        const float *values = x + row * ldx;
        __m256 lowest = _mm256_setzero_ps(), highest = _mm256_setzero_ps();
        long kk = 0;
        for (; kk + 8 <= k; kk += 8) {
            __m256 v = _mm256_loadu_ps(values + kk);
            lowest = _mm256_min_ps(lowest, v);
            highest = _mm256_max_ps(highest, v);
        }
        float lows[8], highs[8];
        _mm256_storeu_ps(lows, lowest);
        _mm256_storeu_ps(highs, highest);
        float low = 0, high = 0;
        for (int lane = 0; lane < 8; lane++) {
            low = lows[lane] < low ? lows[lane] : low;
            high = highs[lane] > high ? highs[lane] : high;
        }
        for (; kk < k; kk++) {
            low = values[kk] < low ? values[kk] : low;
            high = values[kk] > high ? values[kk] : high;
        }
        float scale, inverse;
        long zero;
        st_row_quantization(low, high, &scale, &inverse, &zero);
        uint8_t *out = q + row * kPadded;
        __m256 inv = _mm256_set1_ps(inverse);
        __m256i z = _mm256_set1_epi32((int)zero);
        for (kk = 0; kk + 8 <= k; kk += 8) {
            // Round to nearest even (the default rounding, as lrintf), add the zero point, saturate to [0, 255].
            __m256i r = _mm256_add_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(values + kk), inv)), z);
            __m128i words = _mm_packus_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
            _mm_storel_epi64((__m128i *)(out + kk), _mm_packus_epi16(words, words));
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

// --- int8 --------------------------------------------------------------------------------------------------------

// The shared epilogue of both int8 kernels: y = xScale · wScale · (acc − zero · wSum) + bias, masked to the panel's
// outputs, for one row's two halves.
static inline void st_int8_store_row(__m256i acc0, __m256i acc1, long zero, float xScale, const float *wScales,
                                     const int32_t *wSums, const float *bias, float *out, long start, long width,
                                     int accumulate) {
    for (int half = 0; half < 2; half++) {
        long offset = 8 * half;
        if (width - offset <= 0) break;
        __m256i mask = st_half_mask(width - offset);
        __m256i sums = _mm256_loadu_si256((const __m256i *)(wSums + start + offset));
        __m256i corrected = _mm256_sub_epi32(half ? acc1 : acc0, _mm256_mullo_epi32(_mm256_set1_epi32((int)zero), sums));
        __m256 scale = _mm256_mul_ps(_mm256_loadu_ps(wScales + start + offset), _mm256_set1_ps(xScale));
        __m256 b = bias ? _mm256_maskload_ps(bias + start + offset, mask) : _mm256_setzero_ps();
        __m256 result = _mm256_fmadd_ps(_mm256_cvtepi32_ps(corrected), scale, b);
        if (accumulate) result = _mm256_add_ps(result, _mm256_maskload_ps(out + offset, mask));
        _mm256_maskstore_ps(out + offset, mask, result);
    }
}

// One block of an int8 kernel: MR rows against one panel, two accumulators (the panel's 8-output halves) per row, the
// halves' weights loaded once per k-group for all rows. STEP(r) adds row r's products of k-group g to a0[r] and a1[r];
// the epilogue takes each row's zero point less ZERO_SHIFT. ATTRIBUTES: a target attribute for kernels outside the
// AVX2 region below (AVX-VNNI).
#define ST_INT8_BLOCK(ATTRIBUTES, KIND, MR, STEP, ZERO_SHIFT)                                                          \
    ATTRIBUTES static void st_int8_##KIND##_block_##MR(const uint8_t *xr, long kPadded, const int8_t *w,               \
                                                       const float *wScales, const int32_t *wSums,                     \
                                                       const float *xScales, const int32_t *xZeros, const float *bias, \
                                                       float *y, long ldy, long column, long n, int accumulate) {      \
        const __m256i ones = _mm256_set1_epi16(1);                                                                     \
        (void)ones;                                                                                                    \
        __m256i a0[MR], a1[MR];                                                                                        \
        for (int r = 0; r < MR; r++) { a0[r] = _mm256_setzero_si256(); a1[r] = _mm256_setzero_si256(); }             \
        long groups = kPadded / 4;                                                                                     \
        for (long g = 0; g < groups; g++) {                                                                            \
            __m256i b0 = _mm256_loadu_si256((const __m256i *)(w + g * 64));                                            \
            __m256i b1 = _mm256_loadu_si256((const __m256i *)(w + g * 64 + 32));                                       \
            for (int r = 0; r < MR; r++) STEP(r)                                                                       \
        }                                                                                                              \
        long width = n - column < ST_PANEL ? n - column : ST_PANEL;                                                    \
        for (int r = 0; r < MR; r++)                                                                                   \
            st_int8_store_row(a0[r], a1[r], (long)xZeros[r] - (ZERO_SHIFT), xScales[r], wScales, wSums, bias,          \
                              y + r * ldy + column, column, width, accumulate);                                        \
    }

// Sign-folded activations (st_fold_rows): per k-group 8 bytes, |xs| then xs, each broadcast with one load; per half
// then sign, vpmaddubsw (exact, see above), vpmaddwd with ones (pairs to int32) and an add: 8 vector operations per
// 64 multiply-adds, 6 of them on the ports that multiply.
#define ST_INT8_FOLDED_STEP(r)                                                                                         \
    {                                                                                                                  \
        int32_t bytes[2];                                                                                              \
        __builtin_memcpy(bytes, xr + (r) * 2 * kPadded + g * 8, 8);                                                    \
        __m256i magnitude = _mm256_set1_epi32(bytes[0]);                                                               \
        __m256i xs = _mm256_set1_epi32(bytes[1]);                                                                      \
        __m256i low = _mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(b0, xs));                                       \
        __m256i high = _mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(b1, xs));                                      \
        a0[r] = _mm256_add_epi32(a0[r], _mm256_madd_epi16(low, ones));                                                 \
        a1[r] = _mm256_add_epi32(a1[r], _mm256_madd_epi16(high, ones));                                                \
    }

// Weights within ±63: per k-group one broadcast of the row's 4 activation bytes, then per half vpmaddubsw (u8 × s7:
// pairs within 16 bits, exact), vpmaddwd with ones and an add: 6 vector operations per 64 multiply-adds, 4 of them on
// the ports that multiply.
#define ST_INT8_S7_STEP(r)                                                                                             \
    {                                                                                                                  \
        int32_t bytes;                                                                                                 \
        __builtin_memcpy(&bytes, xr + (r) * kPadded + g * 4, 4);                                                       \
        __m256i x = _mm256_set1_epi32(bytes);                                                                          \
        a0[r] = _mm256_add_epi32(a0[r], _mm256_madd_epi16(_mm256_maddubs_epi16(x, b0), ones));                         \
        a1[r] = _mm256_add_epi32(a1[r], _mm256_madd_epi16(_mm256_maddubs_epi16(x, b1), ones));                         \
    }

ST_INT8_BLOCK(, avx2, 4, ST_INT8_FOLDED_STEP, 128)
ST_INT8_BLOCK(, avx2, 3, ST_INT8_FOLDED_STEP, 128)
ST_INT8_BLOCK(, avx2, 2, ST_INT8_FOLDED_STEP, 128)
ST_INT8_BLOCK(, avx2, 1, ST_INT8_FOLDED_STEP, 128)
ST_INT8_BLOCK(, s7_avx2, 4, ST_INT8_S7_STEP, 0)
ST_INT8_BLOCK(, s7_avx2, 3, ST_INT8_S7_STEP, 0)
ST_INT8_BLOCK(, s7_avx2, 2, ST_INT8_S7_STEP, 0)
ST_INT8_BLOCK(, s7_avx2, 1, ST_INT8_S7_STEP, 0)

typedef void (*st_int8_block_function)(const uint8_t *, long, const int8_t *, const float *, const int32_t *,
                                       const float *, const int32_t *, const float *, float *, long, long, long, int);

// Rows (rowStride bytes apart) in L2-sized blocks; within a block ceil(rows / MR) passes with the rows shared out evenly over each panel.
static void st_int8_gemm_rows(const st_int8_block_function *blocks, long mr, const uint8_t *q, long rowStride, long m, long kPadded,
                              const int8_t *packed, long n, long panelBegin, long panelEnd, const float *wScales,
                              const int32_t *wSums, const float *xScales, const int32_t *xZeros, const float *bias,
                              float *y, long ldy, int accumulate) {
    long panelBytes = kPadded * ST_PANEL;
    long blockRows = (256 * 1024) / (rowStride > 0 ? rowStride : 4);
    blockRows = blockRows < mr ? mr : blockRows - blockRows % mr;
    for (long blockStart = 0; blockStart < m; blockStart += blockRows) {
        long blockEnd = blockStart + blockRows < m ? blockStart + blockRows : m;
        long rows = blockEnd - blockStart;
        long passes = (rows + mr - 1) / mr;
        for (long p = panelBegin; p < panelEnd; p++) {
            long row = blockStart;
            for (long pass = 0; pass < passes; pass++) {
                long size = rows / passes + (pass < rows % passes ? 1 : 0);
                blocks[size](q + row * rowStride, kPadded, packed + p * panelBytes, wScales, wSums, xScales + row,
                             xZeros + row, bias, y + row * ldy, ldy, p * ST_PANEL, n, accumulate);
                row += size;
            }
        }
    }
}

static const st_int8_block_function st_int8_avx2_blocks[5] = {0, st_int8_avx2_block_1, st_int8_avx2_block_2,
                                                               st_int8_avx2_block_3, st_int8_avx2_block_4};

static const st_int8_block_function st_int8_s7_avx2_blocks[5] = {0, st_int8_s7_avx2_block_1, st_int8_s7_avx2_block_2,
                                                                  st_int8_s7_avx2_block_3, st_int8_s7_avx2_block_4};

void st_gemm_u8s7_avx2(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
                       long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,
                       const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate) {
    if (m <= 0 || panelBegin >= panelEnd) return;
    st_int8_gemm_rows(st_int8_s7_avx2_blocks, 4, q, kPadded, m, kPadded, packed, n, panelBegin, panelEnd, wScales, wSums,
                      xScales, xZeros, bias, y, ldy, accumulate);
}

// q [m, kPadded] → folded [m, 2·kPadded]: per k-group of 4 bytes, |q − 128| then q − 128 (as s8). Once per call,
// m·k work against the GEMM's m·k·n, so that the inner loop spends no operation on it.
static void st_fold_rows(const uint8_t *q, long m, long kPadded, uint8_t *folded) {
    const __m128i flip = _mm_set1_epi8((char)0x80);
    long groups = kPadded / 4;
    for (long row = 0; row < m; row++) {
        const uint8_t *in = q + row * kPadded;
        uint8_t *out = folded + row * 2 * kPadded;
        long g = 0;
        for (; g + 4 <= groups; g += 4) {
            __m128i xs = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(in + g * 4)), flip);
            __m128i magnitude = _mm_abs_epi8(xs);
            _mm_storeu_si128((__m128i *)(out + g * 8), _mm_unpacklo_epi32(magnitude, xs));
            _mm_storeu_si128((__m128i *)(out + g * 8 + 16), _mm_unpackhi_epi32(magnitude, xs));
        }
        for (; g < groups; g++)
            for (int e = 0; e < 4; e++) {
                int8_t xs = (int8_t)(in[g * 4 + e] ^ 0x80);
                out[g * 8 + e] = (uint8_t)(xs < 0 ? -xs : xs);
                out[g * 8 + 4 + e] = (uint8_t)xs;
            }
    }
}

void st_gemm_u8s8_avx2(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
                       long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,
                       const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate) {
    if (m <= 0 || panelBegin >= panelEnd) return;
    uint8_t stack[16384];
    size_t bytes = (size_t)m * 2 * (size_t)kPadded;
    uint8_t *folded = bytes <= sizeof stack ? stack : malloc(bytes);
    if (!folded) {  // out of memory: the exact integer loop needs no scratch
        st_gemm_u8s8_portable(q, m, kPadded, packed, n, panelBegin, panelEnd, wScales, wSums, xScales, xZeros, bias, y,
                              ldy, accumulate);
        return;
    }
    st_fold_rows(q, m, kPadded, folded);
    st_int8_gemm_rows(st_int8_avx2_blocks, 4, folded, 2 * kPadded, m, kPadded, packed, n, panelBegin, panelEnd, wScales, wSums,
                      xScales, xZeros, bias, y, ldy, accumulate);
    if (folded != stack) free(folded);
}

#pragma clang attribute pop

// AVX-VNNI: outside the region above, with the whole feature list in each function's own attribute.
#define ST_AVXVNNI_TARGET __attribute__((target("avx2,fma,avxvnni")))

// MR ≤ 6 rows against one panel: vpdpbusd adds 4 u8 × s8 products into each int32 lane, 12 accumulators.
#define ST_INT8_VNNI_STEP(r)                                                                                           \
    {                                                                                                                  \
        int32_t bytes;                                                                                                 \
        __builtin_memcpy(&bytes, xr + (r) * kPadded + g * 4, 4);                                                       \
        __m256i v = _mm256_set1_epi32(bytes);                                                                          \
        a0[r] = _mm256_dpbusd_avx_epi32(a0[r], v, b0);                                                                 \
        a1[r] = _mm256_dpbusd_avx_epi32(a1[r], v, b1);                                                                 \
    }
ST_INT8_BLOCK(ST_AVXVNNI_TARGET, avxvnni, 6, ST_INT8_VNNI_STEP, 0)
ST_INT8_BLOCK(ST_AVXVNNI_TARGET, avxvnni, 5, ST_INT8_VNNI_STEP, 0)
ST_INT8_BLOCK(ST_AVXVNNI_TARGET, avxvnni, 4, ST_INT8_VNNI_STEP, 0)
ST_INT8_BLOCK(ST_AVXVNNI_TARGET, avxvnni, 3, ST_INT8_VNNI_STEP, 0)
ST_INT8_BLOCK(ST_AVXVNNI_TARGET, avxvnni, 2, ST_INT8_VNNI_STEP, 0)
ST_INT8_BLOCK(ST_AVXVNNI_TARGET, avxvnni, 1, ST_INT8_VNNI_STEP, 0)

static const st_int8_block_function st_int8_avxvnni_blocks[7] = {
    0, st_int8_avxvnni_block_1, st_int8_avxvnni_block_2, st_int8_avxvnni_block_3,
    st_int8_avxvnni_block_4, st_int8_avxvnni_block_5, st_int8_avxvnni_block_6};

static void st_gemm_u8s8_avx2_vnni(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n,
                                   long panelBegin, long panelEnd, const float *wScales, const int32_t *wSums,
                                   const float *xScales, const int32_t *xZeros, const float *bias, float *y, long ldy,
                                   int accumulate) {
    st_int8_gemm_rows(st_int8_avxvnni_blocks, 6, q, kPadded, m, kPadded, packed, n, panelBegin, panelEnd, wScales, wSums,
                      xScales, xZeros, bias, y, ldy, accumulate);
}

const st_kernel_table st_table_avx2 =
    ST_KERNEL_TABLE(ST_ISA_AVX2, "avx2", avx2,
                    st_packed_gemm_f32_avx2, st_quantize_rows_u8_avx2, st_gemm_u8s8_avx2, st_gemm_u8s7_avx2);

const st_kernel_table st_table_avx2_vnni =
    ST_KERNEL_TABLE(ST_ISA_AVX2_VNNI, "avx2-vnni", avx2,
                    st_packed_gemm_f32_avx2, st_quantize_rows_u8_avx2, st_gemm_u8s8_avx2_vnni, 0);

#endif
