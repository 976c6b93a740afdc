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

// extreme: activations at 0 and 255 against weights at ±limit, where a 16-bit pairwise sum of u8 × s8 products would
// saturate for limit 127 (255 · 127 · 2 = 64,770) and just does not for gemm_u8s7's 63 (32,130).
static void test_int8_gemm(const st_kernel_table *t, long limit, long m, long k, long n, int withBias, int accumulate,
                           int extreme) {
    __typeof__(t->gemm_u8s8) gemm = limit == 127 ? t->gemm_u8s8 : t->gemm_u8s7;
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
    st_pack_weights_s8(w, n, k, limit, packed, ws, wsum);
    uint8_t *q = malloc(m * kp + 1);
    float *xs = malloc(sizeof(float) * m);
    int32_t *xz = malloc(sizeof(int32_t) * m);
    t->quantize_rows_u8(x, m, k, k, q, xs, xz);
    float *y = malloc(sizeof(float) * m * ldy), *start = malloc(sizeof(float) * m * ldy);
    fill(y, m * ldy, 1); memcpy(start, y, sizeof(float) * m * ldy);
    gemm(q, m, kp, packed, n, 0, panels, ws, wsum, xs, xz, withBias ? bias : 0, y, ldy, accumulate);
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
    check(worst == 0, t->name, limit == 127 ? "gemm_u8s8" : "gemm_u8s7", detail);
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

// --- The modern layers' element-wise kernels (RoPE, RMSNorm, GELU-tanh, SiLU, gated units) ----------------------------

static double activation_ref(double x, int kind) {
    if (kind == ST_ACTIVATION_GELU) return x * phi(x);
    if (kind == ST_ACTIVATION_GELU_TANH) return 0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
    return x / (1 + exp(-x));
}

static double activation_derivative_ref(double x, int kind) {
    if (kind == ST_ACTIVATION_GELU) return phi(x) + x * exp(-0.5 * x * x) / sqrt(2 * M_PI);
    if (kind == ST_ACTIVATION_GELU_TANH) {
        double t = tanh(0.7978845608028654 * (x + 0.044715 * x * x * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * 0.7978845608028654 * (1 + 3 * 0.044715 * x * x);
    }
    double s = 1 / (1 + exp(-x));
    return s * (1 + x * (1 - s));
}

static void test_activations(const st_kernel_table *t, long count) {
    static const char *names[] = {"gelu", "gelu_tanh", "silu"};
    float *x = malloc(sizeof(float) * (count + 1)), *y = malloc(sizeof(float) * (count + 1));
    float *g = malloc(sizeof(float) * (count + 1)), *dy = malloc(sizeof(float) * (count + 1));
    float *dx = malloc(sizeof(float) * (count + 1)), *dg = malloc(sizeof(float) * (count + 1));
    char what[64], detail[96];
    snprintf(detail, sizeof detail, "count %ld", count);
    for (int kind = 0; kind < 3; kind++) {
        // Values in [-12, 12], and a few tiny ones where tanh's polynomial branch and cancellation matter.
        fill(x, count, 12);
        for (long i = 0; i < count; i += 5) x[i] *= 1e-4f;
        fill(g, count, 2);
        fill(dy, count, 1);
        memcpy(y, x, sizeof(float) * count);
        t->activate(y, count, kind);
        int ok = 1;
        for (long i = 0; i < count; i++) ok &= fabs(y[i] - activation_ref(x[i], kind)) <= 1e-6 * (fabs(x[i]) + 1e-3);
        snprintf(what, sizeof what, "activate %s", names[kind]);
        check(ok, t->name, what, detail);
        for (long i = 0; i < count; i++) dx[i] = 0.5f;
        t->activate_backward(dx, dy, x, count, kind);
        ok = 1;
        for (long i = 0; i < count; i++) {
            double d = activation_derivative_ref(x[i], kind);
            ok &= fabs(dx[i] - (0.5 + dy[i] * d)) <= 2e-6 * (1 + fabs(dy[i] * d));
        }
        snprintf(what, sizeof what, "activate_backward %s", names[kind]);
        check(ok, t->name, what, detail);
        t->gated(y, x, g, count, kind);
        ok = 1;
        for (long i = 0; i < count; i++)
            ok &= fabs(y[i] - activation_ref(x[i], kind) * g[i]) <= 1e-6 * (fabs(x[i]) + 1e-3) * fabs(g[i]) + 1e-30;
        snprintf(what, sizeof what, "gated %s", names[kind]);
        check(ok, t->name, what, detail);
        for (long i = 0; i < count; i++) { dx[i] = 0.25f; dg[i] = -0.5f; }
        t->gated_backward(dx, dg, dy, x, g, count, kind);
        ok = 1;
        for (long i = 0; i < count; i++) {
            double da = dy[i] * g[i] * activation_derivative_ref(x[i], kind), dgi = dy[i] * activation_ref(x[i], kind);
            ok &= fabs(dx[i] - (0.25 + da)) <= 2e-6 * (1 + fabs(da));
            ok &= fabs(dg[i] - (-0.5 + dgi)) <= 2e-6 * (1 + fabs(dgi));
        }
        snprintf(what, sizeof what, "gated_backward %s", names[kind]);
        check(ok, t->name, what, detail);
    }
    free(x); free(y); free(g); free(dy); free(dx); free(dg);
}

static void test_rms_norm(const st_kernel_table *t, long channels, float offset) {
    float *x = malloc(sizeof(float) * (channels + 1)), *w = malloc(sizeof(float) * (channels + 1));
    float *y = malloc(sizeof(float) * (channels + 1)), *dy = malloc(sizeof(float) * (channels + 1));
    float *dx = malloc(sizeof(float) * (channels + 1)), *dw = malloc(sizeof(float) * (channels + 1));
    char detail[96];
    snprintf(detail, sizeof detail, "channels %ld, offset %g", channels, offset);
    fill(x, channels, 3); fill(w, channels, 1); fill(dy, channels, 1);
    double meanSquare = 0;
    for (long c = 0; c < channels; c++) meanSquare += (double)x[c] * x[c];
    meanSquare /= channels;
    double r = 1 / sqrt(meanSquare + 1e-6);
    float rf = t->rms_norm_row(y, x, w, offset, channels, 1e-6f);
    int ok = fabs(rf - r) <= 1e-6 * r;
    for (long c = 0; c < channels; c++) ok &= fabs(y[c] - x[c] * r * (offset + w[c])) <= 2e-6 * (1 + fabs(x[c] * r * (offset + w[c])));
    check(ok, t->name, "rms_norm_row", detail);
    // In place (y aliasing x) gives the same row.
    memcpy(dx, x, sizeof(float) * channels);
    t->rms_norm_row(dx, dx, w, offset, channels, 1e-6f);
    ok = memcmp(dx, y, sizeof(float) * channels) == 0;
    check(ok, t->name, "rms_norm_row in place", detail);
    double meanGx = 0;
    for (long c = 0; c < channels; c++) meanGx += (double)dy[c] * (offset + w[c]) * x[c];
    meanGx /= channels;
    for (long c = 0; c < channels; c++) { dx[c] = 0.5f; dw[c] = -0.25f; }
    t->rms_norm_backward_row(dx, dw, dy, x, w, offset, (float)r, channels);
    ok = 1;
    for (long c = 0; c < channels; c++) {
        double wantX = 0.5 + r * dy[c] * (offset + w[c]) - x[c] * r * r * r * meanGx, wantW = -0.25 + dy[c] * x[c] * r;
        ok &= fabs(dx[c] - wantX) <= 1e-5 * (1 + fabs(wantX)) && fabs(dw[c] - wantW) <= 1e-5 * (1 + fabs(wantW));
    }
    check(ok, t->name, "rms_norm_backward_row", detail);
    free(x); free(w); free(y); free(dy); free(dx); free(dw);
}

static void test_rope(const st_kernel_table *t, long heads, long headDim) {
    long half = headDim / 2, width = heads * headDim;
    float *x = malloc(sizeof(float) * (width + 1)), *y = malloc(sizeof(float) * (width + 1));
    float *c = malloc(sizeof(float) * (half + 1)), *s = malloc(sizeof(float) * (half + 1));
    char detail[96];
    snprintf(detail, sizeof detail, "heads %ld, head_dim %ld", heads, headDim);
    fill(x, width, 2);
    for (long d = 0; d < half; d++) { double angle = 7.0 * uniform(); c[d] = (float)cos(angle); s[d] = (float)sin(angle); }
    memcpy(y, x, sizeof(float) * width);
    t->rope(y, heads, headDim, c, s, 1);
    int ok = 1;
    for (long h = 0; h < heads; h++)
        for (long d = 0; d < half; d++) {
            double a = x[h * headDim + d], b = x[h * headDim + half + d];
            ok &= fabs(y[h * headDim + d] - (a * c[d] - b * s[d])) <= 1e-6 * (fabs(a) + fabs(b));
            ok &= fabs(y[h * headDim + half + d] - (b * c[d] + a * s[d])) <= 1e-6 * (fabs(a) + fabs(b));
        }
    if (headDim % 2) for (long h = 0; h < heads; h++) ok &= y[h * headDim + headDim - 1] == x[h * headDim + headDim - 1];
    check(ok, t->name, "rope", detail);
    t->rope(y, heads, headDim, c, s, -1);
    ok = 1;
    for (long i = 0; i < width; i++) ok &= fabs(y[i] - x[i]) <= 1e-5 * (1 + fabs(x[i]));
    check(ok, t->name, "rope inverse", detail);
    free(x); free(y); free(c); free(s);
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
        for (long limit = 127; limit >= 63; limit -= 64) {
            if (!(limit == 127 ? t->gemm_u8s8 : t->gemm_u8s7)) continue;
            for (unsigned s = 0; s < sizeof int8Sizes / sizeof int8Sizes[0]; s++)
                for (int variant = 0; variant < 8; variant++)
                    test_int8_gemm(t, limit, int8Sizes[s][0], int8Sizes[s][1], int8Sizes[s][2], variant & 1,
                                   (variant >> 1) & 1, variant >> 2);
        }
        for (long count = 0; count <= 70; count += 7) test_elementwise(t, count);
        test_elementwise(t, 1000);
        for (long count = 0; count <= 70; count += 7) test_activations(t, count);
        test_activations(t, 1000);
        static const long channels[] = {1, 7, 15, 16, 17, 31, 33, 64, 129, 1024};
        for (unsigned i = 0; i < sizeof channels / sizeof channels[0]; i++) {
            test_rms_norm(t, channels[i], 0);
            test_rms_norm(t, channels[i], 1);
        }
        static const long ropeShapes[][2] = {{1, 2}, {1, 7}, {3, 8}, {2, 30}, {4, 32}, {5, 33}, {2, 64}, {16, 128}, {3, 256}};
        for (unsigned i = 0; i < sizeof ropeShapes / sizeof ropeShapes[0]; i++) test_rope(t, ropeShapes[i][0], ropeShapes[i][1]);
    }
    // The exact integer reference itself, through the public entry point on a path without fast int8.
    check(ran > 0, "all", "paths", "no path ran");
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
