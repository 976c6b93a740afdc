// The ARM64 paths (Advanced SIMD is part of the base architecture, so no attribute is needed for it): the
// packed-panel fp32 GEMM (one 16-float panel, as four 4-float quarters, against up to 6 rows: 24 accumulators), the
// u8 activation quantization, and two int8 GEMMs on the shared [16][4] weight layout, whose 16-byte vectors are
// 4 outputs × 4 k, the lane layout of the 4-way dot-product instructions:
//   - dotprod: SDOT multiplies s8 by s8. The activation bytes are taken as s8 xs = q − 128 (a sign-bit flip);
//     Σ xs·w = Σ q·w − 128 Σ w, so the epilogue's zero-point correction uses zero − 128. Products and sums are
//     exact in int32.
//   - i8mm: SUDOT (by element) multiplies the s8 weights by the u8 activations directly. (USDOT's indexed operand
//     is the signed one; SUDOT's is the unsigned one, which is what a broadcast activation group needs.)
// Baseline NEON has no fast int8 instruction, so its table leaves gemm_u8s8 NULL (fp32 on dequantized weights).
// The element-wise kernels are compiled here for 4-lane registers.

#include "st_kernels_internal.h"

#ifdef ST_HAVE_ARM64

#include <arm_neon.h>
#include <math.h>
#include <string.h>

// Per-function targets for the optional extensions, in the one spelling both clang and GCC 12 accept. Clang also
// takes "+dotprod" or "dotprod"; GCC 12 rejects the bare name and cannot inline its SDOT/SUDOT intrinsics (declared
// for armv8.2-a+dotprod and armv8.2-a+i8mm) into a "+dotprod" function on the armv8-a baseline. "arch=" only adds
// features in clang; GCC replaces the baseline, which still compiles under a newer -march (checked: armv9-a).
#define ST_DOTPROD_TARGET __attribute__((target("arch=armv8.2-a+dotprod")))
#define ST_I8MM_TARGET __attribute__((target("arch=armv8.2-a+i8mm")))

// The row and quarter loops over register arrays must be unrolled for the arrays to live in registers: clang does
// so at -O2 by itself, GCC only when asked.
#define ST_UNROLL _Pragma("GCC unroll 8")

#define ST_NAME(function) st_##function##_neon
#define ST_VECTOR_BYTES 16
#define ST_FMA_CHAINS 8
#include "st_vector_math_body.inc"

// One row of a panel's 16 results (before bias) stored with bias and accumulation; partial panels (the last one)
// go through a buffer so that nothing past column n is read or written. `bias` is already offset to the panel.
static inline void st_store_panel_row(float32x4_t r0, float32x4_t r1, float32x4_t r2, float32x4_t r3,
                                      const float *bias, float *out, long width, int accumulate) {
    float32x4_t v[4] = {r0, r1, r2, r3};
    if (width >= ST_PANEL) {
        ST_UNROLL for (int i = 0; i < 4; i++) {
            if (bias) v[i] = vaddq_f32(v[i], vld1q_f32(bias + 4 * i));
            if (accumulate) v[i] = vaddq_f32(v[i], vld1q_f32(out + 4 * i));
            vst1q_f32(out + 4 * i, v[i]);
        }
        return;
    }
    float buffer[ST_PANEL];
    ST_UNROLL for (int i = 0; i < 4; i++) vst1q_f32(buffer + 4 * i, v[i]);
    for (long j = 0; j < width; j++) {
        float result = buffer[j] + (bias ? bias[j] : 0.0f);
        out[j] = accumulate ? out[j] + result : result;
    }
}

// --- fp32 ------------------------------------------------------------------------------------------------------------

// MR ≤ 6 rows against one panel: 4·MR accumulators. Four k at a time, each row's 4 activations are one load and
// FMLA (by element) takes them lane by lane, so a group of 4 k costs 16 weight loads and MR activation loads for
// 16·MR multiply-adds. Weight quarters are loaded one at a time just before use: 24 accumulators + 6 activation
// vectors + 1 weight vector fit the 32 registers. Each accumulator still takes its k in increasing order. (No
// software prefetch: the panel is one sequential stream, which the hardware prefetchers follow.)
#define ST_F32_STEP(MR, e)                                                                                             \
    ST_UNROLL for (int i = 0; i < 4; i++) {                                                                            \
        float32x4_t b = vld1q_f32(w + (kk + e) * ST_PANEL + 4 * i);                                                    \
        ST_UNROLL for (int r = 0; r < MR; r++) acc[r][i] = vfmaq_laneq_f32(acc[r][i], b, xv[r], e);                    \
    }
#define ST_F32_BLOCK(MR)                                                                                               \
    static void st_f32_block_##MR(const float *xr, long k, long ldx, const float *w, const float *bias, float *y,      \
                                  long ldy, long column, long n, int accumulate) {                                     \
        float32x4_t acc[MR][4];                                                                                        \
        ST_UNROLL for (int r = 0; r < MR; r++)                                                                         \
            ST_UNROLL for (int i = 0; i < 4; i++) acc[r][i] = vdupq_n_f32(0.0f);                                       \
        long kk = 0;                                                                                                   \
        for (; kk + 4 <= k; kk += 4) {                                                                                 \
            float32x4_t xv[MR];                                                                                        \
            ST_UNROLL for (int r = 0; r < MR; r++) xv[r] = vld1q_f32(xr + r * ldx + kk);                               \
            ST_F32_STEP(MR, 0) ST_F32_STEP(MR, 1) ST_F32_STEP(MR, 2) ST_F32_STEP(MR, 3)                                \
        }                                                                                                              \
        for (; kk < k; kk++) {                                                                                         \
            ST_UNROLL for (int i = 0; i < 4; i++) {                                                                    \
                float32x4_t b = vld1q_f32(w + kk * ST_PANEL + 4 * i);                                                  \
                ST_UNROLL for (int r = 0; r < MR; r++) acc[r][i] = vfmaq_n_f32(acc[r][i], b, xr[r * ldx + kk]);        \
            }                                                                                                          \
        }                                                                                                              \
        long width = n - column < ST_PANEL ? n - column : ST_PANEL;                                                    \
        ST_UNROLL for (int r = 0; r < MR; r++)                                                                         \
            st_store_panel_row(acc[r][0], acc[r][1], acc[r][2], acc[r][3], bias ? bias + column : 0,                   \
                               y + r * ldy + column, width, accumulate);                                               \
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

static void st_packed_gemm_f32_neon(const float *x, long m, long k, long ldx, const float *packed, long n,
                                    long panelBegin, long panelEnd, const float *bias, float *y, long ldy,
                                    int accumulate) {
    // Rows in blocks of about 256 KiB of x that stay in L2 while the panels pass over them, and within a block
    // ceil(rows / 6) passes with the rows shared out evenly: each pass reads the panel once.
    long blockRows = ldx > 0 ? (256 * 1024) / (ldx * (long)sizeof(float)) : m;
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

// FCVTNS rounds to nearest even (what lrintf does in the default rounding mode), and the saturating narrows clamp
// to [0, 255] as the portable clamps do, so the bytes are the portable path's. (vminq treats −0 as below +0 where
// the portable compare keeps +0; st_row_quantization gives the same scale and zero point either way.)
static void st_quantize_rows_u8_neon(const float *x, long m, long k, long ldx, uint8_t *q, float *scales,
                                     int32_t *zeros) {
    long kPadded = st_int8_padded_k(k);
    for (long row = 0; row < m; row++) {
        const float *values = x + row * ldx;
        float32x4_t lowest = vdupq_n_f32(0.0f), highest = vdupq_n_f32(0.0f);
        long kk = 0;
        for (; kk + 4 <= k; kk += 4) {
            float32x4_t v = vld1q_f32(values + kk);
            lowest = vminq_f32(lowest, v);
            highest = vmaxq_f32(highest, v);
        }
        float low = vminvq_f32(lowest), high = vmaxvq_f32(highest);
        for (; kk < k; kk++) {
            low = values[kk] < low ? values[kk] : low;
            high = values[kk] > high ? values[kk] : high;
        }
        float scale, inverse;
        long zero;
        st_row_quantization(low, high, &scale, &inverse, &zero);
        uint8_t *out = q + row * kPadded;
        float32x4_t inv = vdupq_n_f32(inverse);
        int32x4_t z = vdupq_n_s32((int32_t)zero);
        for (kk = 0; kk + 8 <= k; kk += 8) {
            int32x4_t r0 = vaddq_s32(vcvtnq_s32_f32(vmulq_f32(vld1q_f32(values + kk), inv)), z);
            int32x4_t r1 = vaddq_s32(vcvtnq_s32_f32(vmulq_f32(vld1q_f32(values + kk + 4), inv)), z);
            vst1_u8(out + kk, vqmovn_u16(vcombine_u16(vqmovun_s32(r0), vqmovun_s32(r1))));
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

// The epilogue of one row: y = xScale · wScale · (acc − zero · wSum) + bias, with wScales, wSums and bias offset to
// the panel (wScales and wSums hold whole panels; bias only n entries, which st_store_panel_row respects).
static inline void st_int8_store_row(int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3, int32_t zero,
                                     float xScale, const float *wScales, const int32_t *wSums, const float *bias,
                                     float *out, long width, int accumulate) {
    int32x4_t a[4] = {a0, a1, a2, a3};
    float32x4_t v[4];
    ST_UNROLL for (int i = 0; i < 4; i++) {
        int32x4_t corrected = vmlsq_n_s32(a[i], vld1q_s32(wSums + 4 * i), zero);
        v[i] = vmulq_f32(vcvtq_f32_s32(corrected), vmulq_n_f32(vld1q_f32(wScales + 4 * i), xScale));
    }
    st_store_panel_row(v[0], v[1], v[2], v[3], bias, out, width, accumulate);
}

// MR ≤ 6 rows against one panel, 4·MR int32 accumulators. Sixteen k (4 groups) at a time, each row's 16 activation
// bytes are one load (prepared by LOAD: sign-flipped for SDOT) and the dot product takes them group by group (the
// lane), against the group's 4 weight vectors loaded one at a time. Leftover groups broadcast their 4 bytes.
#define ST_INT8_STEP(MR, DOT, group, lane)                                                                             \
    ST_UNROLL for (int i = 0; i < 4; i++) {                                                                            \
        int8x16_t b = vld1q_s8(w + (group) * 64 + 16 * i);                                                             \
        ST_UNROLL for (int r = 0; r < MR; r++) acc[r][i] = DOT(acc[r][i], b, xv[r], lane);                             \
    }
#define ST_INT8_BLOCK(NAME, TARGET, MR, XTYPE, LOAD, DOT, ZERO_SHIFT)                                                  \
    TARGET static void st_int8_##NAME##_block_##MR(                                                                    \
        const uint8_t *xr, long kPadded, const int8_t *w, const float *wScales, const int32_t *wSums,                  \
        const float *xScales, const int32_t *xZeros, const float *bias, float *y, long ldy, long column, long n,       \
        int accumulate) {                                                                                              \
        int32x4_t acc[MR][4];                                                                                          \
        ST_UNROLL for (int r = 0; r < MR; r++)                                                                         \
            ST_UNROLL for (int i = 0; i < 4; i++) acc[r][i] = vdupq_n_s32(0);                                          \
        long groups = kPadded / 4, gg = 0;                                                                             \
        for (; gg + 4 <= groups; gg += 4) {                                                                            \
            XTYPE xv[MR];                                                                                              \
            ST_UNROLL for (int r = 0; r < MR; r++) xv[r] = LOAD(vld1q_u8(xr + r * kPadded + gg * 4));                  \
            ST_INT8_STEP(MR, DOT, gg, 0) ST_INT8_STEP(MR, DOT, gg + 1, 1)                                              \
            ST_INT8_STEP(MR, DOT, gg + 2, 2) ST_INT8_STEP(MR, DOT, gg + 3, 3)                                          \
        }                                                                                                              \
        for (; gg < groups; gg++) {                                                                                    \
            XTYPE xv[MR];                                                                                              \
            ST_UNROLL for (int r = 0; r < MR; r++) {                                                                   \
                uint32_t bytes;                                                                                        \
                memcpy(&bytes, xr + r * kPadded + gg * 4, 4);                                                          \
                xv[r] = LOAD(vreinterpretq_u8_u32(vdupq_n_u32(bytes)));                                                \
            }                                                                                                          \
            ST_INT8_STEP(MR, DOT, gg, 0)                                                                               \
        }                                                                                                              \
        long width = n - column < ST_PANEL ? n - column : ST_PANEL;                                                    \
        ST_UNROLL for (int r = 0; r < MR; r++)                                                                         \
            st_int8_store_row(acc[r][0], acc[r][1], acc[r][2], acc[r][3], xZeros[r] - ZERO_SHIFT, xScales[r],          \
                              wScales + column, wSums + column, bias ? bias + column : 0, y + r * ldy + column,        \
                              width, accumulate);                                                                      \
    }

typedef void (*st_int8_block_function)(const uint8_t *, long, const int8_t *, const float *, const int32_t *,
                                       const float *, const int32_t *, const float *, float *, long, long, long, int);

// Rows in L2-sized blocks; within a block ceil(rows / 6) passes with the rows shared out evenly over each panel.
static void st_int8_gemm_rows(const st_int8_block_function *blocks, const uint8_t *q, long m, long kPadded,
                              const int8_t *packed, long n, long panelBegin, long panelEnd, const float *wScales,
                              const int32_t *wSums, const float *xScales, const int32_t *xZeros, const float *bias,
                              float *y, long ldy, int accumulate) {
    long panelBytes = kPadded * ST_PANEL;
    long blockRows = kPadded > 0 ? (256 * 1024) / kPadded : m;
    blockRows = blockRows < 6 ? 6 : blockRows - blockRows % 6;
    for (long blockStart = 0; blockStart < m; blockStart += blockRows) {
        long blockEnd = blockStart + blockRows < m ? blockStart + blockRows : m;
        long rows = blockEnd - blockStart;
        long passes = (rows + 5) / 6;
        for (long p = panelBegin; p < panelEnd; p++) {
            long row = blockStart;
            for (long pass = 0; pass < passes; pass++) {
                long size = rows / passes + (pass < rows % passes ? 1 : 0);
                blocks[size](q + row * kPadded, kPadded, packed + p * panelBytes, wScales, wSums, xScales + row,
                             xZeros + row, bias, y + row * ldy, ldy, p * ST_PANEL, n, accumulate);
                row += size;
            }
        }
    }
}

// SDOT: activations flipped to s8 (q ^ 0x80 = q − 128), zero point shifted by 128 to match.
#define ST_FLIP(v) vreinterpretq_s8_u8(veorq_u8((v), vdupq_n_u8(0x80)))
#define ST_SDOT(acc, b, x, lane) vdotq_laneq_s32((acc), (b), (x), (lane))
#define ST_DOTPROD_BLOCK(MR) ST_INT8_BLOCK(dotprod, ST_DOTPROD_TARGET, MR, int8x16_t, ST_FLIP, ST_SDOT, 128)
ST_DOTPROD_BLOCK(6)
ST_DOTPROD_BLOCK(5)
ST_DOTPROD_BLOCK(4)
ST_DOTPROD_BLOCK(3)
ST_DOTPROD_BLOCK(2)
ST_DOTPROD_BLOCK(1)

// SUDOT: s8 weights × u8 activations as they are, no correction.
#define ST_AS_IS(v) (v)
#define ST_SUDOT(acc, b, x, lane) vsudotq_laneq_s32((acc), (b), (x), (lane))
#define ST_I8MM_BLOCK(MR) ST_INT8_BLOCK(i8mm, ST_I8MM_TARGET, MR, uint8x16_t, ST_AS_IS, ST_SUDOT, 0)
ST_I8MM_BLOCK(6)
ST_I8MM_BLOCK(5)
ST_I8MM_BLOCK(4)
ST_I8MM_BLOCK(3)
ST_I8MM_BLOCK(2)
ST_I8MM_BLOCK(1)

static const st_int8_block_function st_int8_dotprod_blocks[7] = {
    0, st_int8_dotprod_block_1, st_int8_dotprod_block_2, st_int8_dotprod_block_3,
    st_int8_dotprod_block_4, st_int8_dotprod_block_5, st_int8_dotprod_block_6};
static const st_int8_block_function st_int8_i8mm_blocks[7] = {
    0, st_int8_i8mm_block_1, st_int8_i8mm_block_2, st_int8_i8mm_block_3,
    st_int8_i8mm_block_4, st_int8_i8mm_block_5, st_int8_i8mm_block_6};

static void st_gemm_u8s8_neon_dotprod(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n,
                                      long panelBegin, long panelEnd, const float *wScales, const int32_t *wSums,
                                      const float *xScales, const int32_t *xZeros, const float *bias, float *y,
                                      long ldy, int accumulate) {
    st_int8_gemm_rows(st_int8_dotprod_blocks, q, m, kPadded, packed, n, panelBegin, panelEnd, wScales, wSums, xScales,
                      xZeros, bias, y, ldy, accumulate);
}

static void st_gemm_u8s8_neon_i8mm(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n,
                                   long panelBegin, long panelEnd, const float *wScales, const int32_t *wSums,
                                   const float *xScales, const int32_t *xZeros, const float *bias, float *y, long ldy,
                                   int accumulate) {
    st_int8_gemm_rows(st_int8_i8mm_blocks, q, m, kPadded, packed, n, panelBegin, panelEnd, wScales, wSums, xScales,
                      xZeros, bias, y, ldy, accumulate);
}

const st_kernel_table st_table_neon =
    ST_KERNEL_TABLE(ST_ISA_NEON, "neon", neon, st_packed_gemm_f32_neon, st_quantize_rows_u8_neon, 0, 0);

const st_kernel_table st_table_neon_dotprod =
    ST_KERNEL_TABLE(ST_ISA_NEON_DOTPROD, "neon-dotprod", neon,
                    st_packed_gemm_f32_neon, st_quantize_rows_u8_neon, st_gemm_u8s8_neon_dotprod, 0);

const st_kernel_table st_table_neon_i8mm =
    ST_KERNEL_TABLE(ST_ISA_NEON_I8MM, "neon-i8mm", neon,
                    st_packed_gemm_f32_neon, st_quantize_rows_u8_neon, st_gemm_u8s8_neon_i8mm, 0);

#endif
