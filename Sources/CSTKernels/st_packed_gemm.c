#include "st_vector_math.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define ST_HAVE_X86 1
#endif

// Weights packed in panels of ST_PANEL output columns, k-major inside a panel: the inner loop streams each weight
// exactly once, as one 16-float vector per k, and broadcasts x[m, k]. Short inputs (a few tokens) are bound by reading
// the weights, which this layout reads at memory speed with no per-call packing.
#define ST_PANEL 16

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

static void st_packed_gemm_scalar(const float *x, long m, long k, long ldx, const float *packed, long n, long panelBegin,
                                  long panelEnd, const float *bias, float *y, long ldy, int accumulate) {
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

#ifdef ST_HAVE_X86
// One block of MR ≤ 8 rows against two panels (32 outputs), stored with bias and accumulation: 2·MR accumulators, 2
// weight loads and MR broadcasts per k. MR is a constant in each instance, so the accumulators stay in registers.
#define ST_BLOCK(MR)                                                                                                   \
    __attribute__((target("avx512f"))) static void st_block_##MR(                                                     \
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

__attribute__((target("avx512f")))
static void st_packed_gemm_avx512(const float *x, long m, long k, long ldx, const float *packed, long n,
                                  long panelBegin, long panelEnd, const float *bias, float *y, long ldy, int accumulate) {
    // Rows in blocks that stay in L2 (about 512 KiB of x) while every panel pair passes over them: the weights are then
    // read once per block instead of x once per panel pair.
    long blockRows = (512 * 1024) / (ldx * (long)sizeof(float));
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
#endif

void st_packed_gemm_f32(const float *x, long m, long k, long ldx, const float *packed, long n, long panelBegin,
                        long panelEnd, const float *bias, float *y, long ldy, int accumulate) {
#ifdef ST_HAVE_X86
    if (__builtin_cpu_supports("avx512f")) {
        st_packed_gemm_avx512(x, m, k, ldx, packed, n, panelBegin, panelEnd, bias, y, ldy, accumulate);
        return;
    }
#endif
    st_packed_gemm_scalar(x, m, k, ldx, packed, n, panelBegin, panelEnd, bias, y, ldy, accumulate);
}

int st_cpu_has_avx512f(void) {
#ifdef ST_HAVE_X86
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
#else
    return 0;
#endif
}

void st_cpu_relax(void) {
#ifdef ST_HAVE_X86
    __builtin_ia32_pause();
#endif
}
