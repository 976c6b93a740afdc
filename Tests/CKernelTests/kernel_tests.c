// Every kernel of every instruction-set path this CPU runs (or qemu emulates), against naive twins at awkward sizes:
// fp32 GEMM and element-wise kernels against Double arithmetic, the int8 GEMM against exact int32 sums, activation
// quantization byte for byte against the portable path. Built and run by scripts/test-kernels-c.sh, natively and for
// aarch64 under qemu. Prints one line per failure and a closing "N passed, N failed" line; exits non-zero on failure.

#include "st_kernels.h"
#include "st_vector_math.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

static void check(int ok, const char *isa, const char *what, const char *detail) {
    if (ok) { passed++; return; }
    failed++;
    printf("FAIL [%s] %s: %s\n", isa, what, detail);
}

static uint64_t state = 0x9E3779B97F4A7C15ull;
static float uniform(void) {  // SplitMix64, in [-1, 1)
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (float)((double)(z >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static void fill(float *x, long count, float scale) { for (long i = 0; i < count; i++) x[i] = uniform() * scale; }

// --- fp32 GEMM -------------------------------------------------------------------------------------------------------

static void test_f32_gemm(const st_kernel_table *t, long m, long k, long n, int withBias, int accumulate, int subRange) {
    long panels = (n + 15) / 16;
    long ldx = k + 3, ldy = n + 5;
    float *x = malloc(sizeof(float) * (m * ldx + 1)), *w = malloc(sizeof(float) * (n * k + 1));
    float *packed = malloc(sizeof(float) * (panels * 16 * k + 1)), *bias = malloc(sizeof(float) * (n + 1));
    float *y = malloc(sizeof(float) * (m * ldy + 1)), *expected = malloc(sizeof(float) * (m * ldy + 1));
    fill(x, m * ldx, 1); fill(w, n * k, 0.5f); fill(bias, n, 1);
    fill(y, m * ldy, 1); memcpy(expected, y, sizeof(float) * m * ldy);
    st_pack_weights_f32(w, n, k, k, packed);
    long begin = subRange && panels > 1 ? 1 : 0, end = subRange && panels > 2 ? panels - 1 : panels;
    t->packed_gemm_f32(x, m, k, ldx, packed, n, begin, end, withBias ? bias : 0, y, ldy, accumulate);
    double worst = 0;
    for (long r = 0; r < m; r++)
        for (long j = 0; j < n; j++) {
            int inside = j >= begin * 16 && j < end * 16;
            double want = expected[r * ldy + j];
            double tolerance = 1e-6;
            if (inside) {
                double sum = withBias ? bias[j] : 0, magnitude = fabs(sum);
                for (long kk = 0; kk < k; kk++) {
                    sum += (double)x[r * ldx + kk] * w[j * k + kk];
                    magnitude += fabs((double)x[r * ldx + kk] * w[j * k + kk]);
                }
                want = accumulate ? want + sum : sum;
                // Float accumulation over k terms: at most k ulps of the sum of magnitudes.
                tolerance = 1.2e-7 * (k + 2) * (magnitude + fabs(expected[r * ldy + j])) + 1e-30;
            } else {
                tolerance = 0;  // outside the panel range nothing may change
            }
            double error = fabs(y[r * ldy + j] - want);
            if (error > tolerance) worst = worst > error ? worst : error;
        }
    char detail[160];
    snprintf(detail, sizeof detail, "m %ld k %ld n %ld bias %d accumulate %d subrange %d: worst excess error %g", m, k, n,
             withBias, accumulate, subRange, worst);
    check(worst == 0, t->name, "packed_gemm_f32", detail);
    free(x); free(w); free(packed); free(bias); free(y); free(expected);
}

// --- int8 ------------------------------------------------------------------------------------------------------------

static void test_quantize(const st_kernel_table *t, long m, long k) {
    long kp = st_int8_padded_k(k), ldx = k + 1;
    float *x = malloc(sizeof(float) * (m * ldx + 1));
    fill(x, m * ldx, 3);
    if (m > 1) for (long kk = 0; kk < k; kk++) x[ldx + kk] = fabsf(x[ldx + kk]);  // a row with no negative value
    if (m > 2) for (long kk = 0; kk < k; kk++) x[2 * ldx + kk] = 0;               // an all-zero row
    uint8_t *q = malloc(m * kp + 1), *q0 = malloc(m * kp + 1);
    float *s = malloc(sizeof(float) * m), *s0 = malloc(sizeof(float) * m);
    int32_t *z = malloc(sizeof(int32_t) * m), *z0 = malloc(sizeof(int32_t) * m);
    t->quantize_rows_u8(x, m, k, ldx, q, s, z);
    st_kernels_for(ST_ISA_PORTABLE)->quantize_rows_u8(x, m, k, ldx, q0, s0, z0);
    int same = memcmp(q, q0, m * kp) == 0 && memcmp(s, s0, sizeof(float) * m) == 0 && memcmp(z, z0, sizeof(int32_t) * m) == 0;
    char detail[96];
    snprintf(detail, sizeof detail, "m %ld k %ld: bytes, scales or zero points differ from portable", m, k);
    check(same, t->name, "quantize_rows_u8", detail);
    free(x); free(q); free(q0); free(s); free(s0); free(z); free(z0);
}

// extreme: activations at 0 and 255 against weights at ±127, where a 16-bit pairwise sum of u8 × s8 products would
// saturate (255 · 127 · 2 = 64,770).
static void test_int8_gemm(const st_kernel_table *t, long m, long k, long n, int withBias, int accumulate, int extreme) {
    long kp = st_int8_padded_k(k), panels = (n + 15) / 16, ldy = n + 3;
    float *w = malloc(sizeof(float) * n * k), *x = malloc(sizeof(float) * m * k), *bias = malloc(sizeof(float) * n);
    fill(w, n * k, 0.3f); fill(x, m * k, 2); fill(bias, n, 1);
    if (extreme) {
        for (long i = 0; i < n * k; i++) w[i] = (i / 3) % 2 ? 0.3f : -0.3f;
        for (long r = 0; r < m; r++)
            for (long kk = 0; kk < k; kk++) x[r * k + kk] = ((kk / 2 + r) % 2) ? 2.0f : -2.0f;
    }
    int8_t *packed = malloc(panels * 16 * kp + 1);
    float *ws = malloc(sizeof(float) * panels * 16);
    int32_t *wsum = malloc(sizeof(int32_t) * panels * 16);
    st_pack_weights_s8(w, n, k, packed, ws, wsum);
    uint8_t *q = malloc(m * kp + 1);
    float *xs = malloc(sizeof(float) * m);
    int32_t *xz = malloc(sizeof(int32_t) * m);
    t->quantize_rows_u8(x, m, k, k, q, xs, xz);
    float *y = malloc(sizeof(float) * m * ldy), *start = malloc(sizeof(float) * m * ldy);
    fill(y, m * ldy, 1); memcpy(start, y, sizeof(float) * m * ldy);
    t->gemm_u8s8(q, m, kp, packed, n, 0, panels, ws, wsum, xs, xz, withBias ? bias : 0, y, ldy, accumulate);
    long groups = kp / 4;
    double worst = 0;
    for (long r = 0; r < m; r++)
        for (long j = 0; j < n; j++) {
            int64_t sum = 0;  // exact: Σ (q − zero) · w over the packed bytes
            for (long kk = 0; kk < kp; kk++) {
                int8_t wv = packed[((j / 16 * groups + kk / 4) * 16 + j % 16) * 4 + kk % 4];
                sum += ((int64_t)q[r * kp + kk] - xz[r]) * wv;
            }
            double want = (double)xs[r] * ws[j] * (double)sum + (withBias ? bias[j] : 0);
            if (accumulate) want += start[r * ldy + j];
            double magnitude = fabs((double)xs[r] * ws[j] * (double)sum) + fabs(bias[j]) + fabs(start[r * ldy + j]);
            double error = fabs(y[r * ldy + j] - want);
            if (error > 4e-7 * magnitude + 1e-30) worst = worst > error ? worst : error;
        }
    char detail[160];
    snprintf(detail, sizeof detail, "m %ld k %ld n %ld bias %d accumulate %d extreme %d: worst excess error %g", m, k, n,
             withBias, accumulate, extreme, worst);
    check(worst == 0, t->name, "gemm_u8s8", detail);
    free(w); free(x); free(bias); free(packed); free(ws); free(wsum); free(q); free(xs); free(xz); free(y); free(start);
}

// --- Element-wise ----------------------------------------------------------------------------------------------------

static double phi(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

static void test_elementwise(const st_kernel_table *t, long count) {
    float *x = malloc(sizeof(float) * (count + 1)), *y = malloc(sizeof(float) * (count + 1));
    float *dy = malloc(sizeof(float) * (count + 1)), *dx = malloc(sizeof(float) * (count + 1));
    char detail[96];
    snprintf(detail, sizeof detail, "count %ld", count);
    fill(x, count, 8);
    memcpy(y, x, sizeof(float) * count);
    double best = -INFINITY;
    for (long i = 0; i < count; i++) best = x[i] > best ? x[i] : best;
    check(t->max(x, count) == (float)best, t->name, "max", detail);
    float shift = count ? (float)best : 0;
    double total = 0;
    // The kernel's argument is the float difference x − shift; exp of it within 2 ulp.
    for (long i = 0; i < count; i++) total += exp((double)(x[i] - shift));
    float sum = t->exp_shifted_sum(y, count, shift);
    int ok = fabs(sum - total) <= 1e-6 * (total + 1);
    for (long i = 0; i < count; i++) ok &= fabs(y[i] - exp((double)(x[i] - shift))) <= 3e-7 * exp((double)(x[i] - shift)) + 1e-38;
    check(ok, t->name, "exp_shifted_sum", detail);
    memcpy(y, x, sizeof(float) * count);
    t->scale(y, count, 0.37f);
    ok = 1;
    for (long i = 0; i < count; i++) ok &= y[i] == x[i] * 0.37f;
    check(ok, t->name, "scale", detail);
    memcpy(y, x, sizeof(float) * count);
    t->gelu(y, count);
    ok = 1;
    for (long i = 0; i < count; i++) ok &= fabs(y[i] - x[i] * phi(x[i])) <= 1e-6 * fabs(x[i]) + 1e-30;
    check(ok, t->name, "gelu", detail);
    fill(dy, count, 1);
    for (long i = 0; i < count; i++) dx[i] = 0.5f;
    t->gelu_backward(dx, dy, x, count);
    ok = 1;
    for (long i = 0; i < count; i++) {
        double v = x[i], derivative = phi(v) + v * exp(-0.5 * v * v) / sqrt(2 * M_PI);
        ok &= fabs(dx[i] - (0.5 + dy[i] * derivative)) <= 2e-6 * (1 + fabs(dy[i] * derivative));
    }
    check(ok, t->name, "gelu_backward", detail);
    free(x); free(y); free(dy); free(dx);
}

int main(void) {
    static const long f32Sizes[][3] = {{1, 1, 1}, {1, 7, 16}, {2, 5, 17}, {3, 33, 31}, {5, 64, 48}, {6, 17, 33},
                                       {7, 129, 47}, {8, 16, 64}, {9, 31, 80}, {13, 384, 100}, {1, 384, 1152},
                                       {31, 100, 65}, {70, 64, 20}};
    static const long int8Sizes[][3] = {{1, 1, 1}, {1, 4, 16}, {2, 5, 17}, {3, 33, 31}, {4, 64, 48}, {5, 7, 33},
                                        {6, 129, 47}, {7, 16, 64}, {13, 384, 100}, {1, 384, 1152}, {29, 130, 35},
                                        {40, 260, 20}};
    int ran = 0;
    for (int isa = 0; isa < ST_ISA_COUNT; isa++) {
        const st_kernel_table *t = st_kernels_for(isa);
        if (!t) continue;
        ran++;
        printf("path %s%s\n", t->name, t->gemm_u8s8 ? "" : " (no fast int8)");
        for (unsigned s = 0; s < sizeof f32Sizes / sizeof f32Sizes[0]; s++)
            for (int variant = 0; variant < 4; variant++)
                test_f32_gemm(t, f32Sizes[s][0], f32Sizes[s][1], f32Sizes[s][2], variant & 1, variant >> 1, s % 2);
        for (long m = 1; m <= 9; m += 4)
            for (long k = 1; k <= 70; k += 23) test_quantize(t, m, k);
        if (t->gemm_u8s8)
            for (unsigned s = 0; s < sizeof int8Sizes / sizeof int8Sizes[0]; s++)
                for (int variant = 0; variant < 8; variant++)
                    test_int8_gemm(t, int8Sizes[s][0], int8Sizes[s][1], int8Sizes[s][2], variant & 1, (variant >> 1) & 1,
                                   variant >> 2);
        for (long count = 0; count <= 70; count += 7) test_elementwise(t, count);
        test_elementwise(t, 1000);
    }
    // The exact integer reference itself, through the public entry point on a path without fast int8.
    check(ran > 0, "all", "paths", "no path ran");
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
