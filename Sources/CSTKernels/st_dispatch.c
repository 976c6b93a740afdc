// The one kernel dispatch (see st_kernels.h): which paths this build has, which ones the CPU runs, the active table,
// and the public entry points, each a call through the active table.

#include "st_kernels_internal.h"
#include "st_vector_math.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(ST_HAVE_ARM64) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#ifndef HWCAP2_I8MM
#define HWCAP2_I8MM (1 << 13)
#endif
#endif
#if defined(ST_HAVE_ARM64) && defined(__APPLE__)
#include <sys/sysctl.h>
#endif

static const char *const st_isa_names[ST_ISA_COUNT] = {
    "portable", "avx2", "avx2-vnni", "avx512", "avx512-vnni", "neon", "neon-dotprod", "neon-i8mm"};

const char *st_isa_name(int isa) { return isa >= 0 && isa < ST_ISA_COUNT ? st_isa_names[isa] : 0; }

int st_isa_from_name(const char *name) {
    if (!name) return -1;
    for (int isa = 0; isa < ST_ISA_COUNT; isa++)
        if (strcmp(name, st_isa_names[isa]) == 0) return isa;
    return -1;
}

#if defined(ST_HAVE_ARM64) && defined(__APPLE__)
static int st_sysctl_flag(const char *name) {
    int value = 0;
    size_t size = sizeof value;
    return sysctlbyname(name, &value, &size, 0, 0) == 0 && value != 0;
}
#endif

// Whether the CPU and OS run the path; __builtin_cpu_supports checks that the OS saves the wide registers too.
static int st_cpu_runs(int isa) {
    switch (isa) {
    case ST_ISA_PORTABLE:
        return 1;
#ifdef ST_HAVE_X86
    case ST_ISA_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case ST_ISA_AVX2_VNNI:
        return st_cpu_runs(ST_ISA_AVX2) && __builtin_cpu_supports("avxvnni");
    case ST_ISA_AVX512:
        return st_cpu_runs(ST_ISA_AVX2) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
    case ST_ISA_AVX512_VNNI:
        return st_cpu_runs(ST_ISA_AVX512) && __builtin_cpu_supports("avx512vnni");
#endif
#ifdef ST_HAVE_ARM64
    case ST_ISA_NEON:
        return 1;
#if defined(__linux__)
    case ST_ISA_NEON_DOTPROD:
        return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
    case ST_ISA_NEON_I8MM:
        return st_cpu_runs(ST_ISA_NEON_DOTPROD) && (getauxval(AT_HWCAP2) & HWCAP2_I8MM) != 0;
#elif defined(__APPLE__)
    case ST_ISA_NEON_DOTPROD:
        return st_sysctl_flag("hw.optional.arm.FEAT_DotProd");
    case ST_ISA_NEON_I8MM:
        return st_cpu_runs(ST_ISA_NEON_DOTPROD) && st_sysctl_flag("hw.optional.arm.FEAT_I8MM");
#endif
#endif
    default:
        return 0;
    }
}

static const st_kernel_table *st_table_of(int isa) {
    switch (isa) {
    case ST_ISA_PORTABLE: return &st_table_portable;
#ifdef ST_HAVE_X86
    case ST_ISA_AVX2: return &st_table_avx2;
    case ST_ISA_AVX2_VNNI: return &st_table_avx2_vnni;
    case ST_ISA_AVX512: return &st_table_avx512;
    case ST_ISA_AVX512_VNNI: return &st_table_avx512_vnni;
#endif
#ifdef ST_HAVE_ARM64
    case ST_ISA_NEON: return &st_table_neon;
    case ST_ISA_NEON_DOTPROD: return &st_table_neon_dotprod;
    case ST_ISA_NEON_I8MM: return &st_table_neon_i8mm;
#endif
    default: return 0;
    }
}

int st_isa_supported(int isa) { return st_table_of(isa) && st_cpu_runs(isa); }

st_isa st_isa_best(void) {
    static const st_isa preference[] = {ST_ISA_AVX512_VNNI, ST_ISA_AVX512, ST_ISA_AVX2_VNNI, ST_ISA_AVX2,
                                        ST_ISA_NEON_I8MM,   ST_ISA_NEON_DOTPROD, ST_ISA_NEON};
    for (unsigned i = 0; i < sizeof preference / sizeof preference[0]; i++)
        if (st_isa_supported(preference[i])) return preference[i];
    return ST_ISA_PORTABLE;
}

const st_kernel_table *st_kernels_for(int isa) { return st_isa_supported(isa) ? st_table_of(isa) : 0; }

static _Atomic(const st_kernel_table *) st_active;

const st_kernel_table *st_kernels(void) {
    const st_kernel_table *table = atomic_load_explicit(&st_active, memory_order_acquire);
    if (table) return table;
    int isa = st_isa_from_name(getenv("SBERT_ISA"));
    if (isa < 0 || !st_isa_supported(isa)) isa = st_isa_best();
    const st_kernel_table *expected = 0;
    // Several first calls may race: the first to store wins, and all agree since they read the same environment.
    atomic_compare_exchange_strong(&st_active, &expected, st_table_of(isa));
    return atomic_load_explicit(&st_active, memory_order_acquire);
}

int st_isa_select(int isa) {
    const st_kernel_table *table = st_kernels_for(isa);
    if (!table) return -1;
    atomic_store_explicit(&st_active, table, memory_order_release);
    return 0;
}

// --- Public entry points -----------------------------------------------------------------------------------------

float st_exp_shifted_sum(float *x, long count, float shift) { return st_kernels()->exp_shifted_sum(x, count, shift); }
float st_max(const float *x, long count) { return st_kernels()->max(x, count); }
void st_scale(float *x, long count, float factor) { st_kernels()->scale(x, count, factor); }
void st_gelu(float *x, long count) { st_kernels()->gelu(x, count); }
void st_gelu_backward(float *dx, const float *dy, const float *x, long count) {
    st_kernels()->gelu_backward(dx, dy, x, count);
}

void st_activate(float *x, long count, int kind) { st_kernels()->activate(x, count, kind); }
void st_activate_backward(float *dx, const float *dy, const float *x, long count, int kind) {
    st_kernels()->activate_backward(dx, dy, x, count, kind);
}
void st_gated(float *y, const float *a, const float *g, long count, int kind) { st_kernels()->gated(y, a, g, count, kind); }
void st_gated_backward(float *da, float *dg, const float *dy, const float *a, const float *g, long count, int kind) {
    st_kernels()->gated_backward(da, dg, dy, a, g, count, kind);
}
float st_rms_norm_row(float *y, const float *x, const float *w, float offset, long channels, float epsilon) {
    return st_kernels()->rms_norm_row(y, x, w, offset, channels, epsilon);
}
void st_rms_norm_backward_row(float *dx, float *dw, const float *dy, const float *x, const float *w, float offset,
                              float r, long channels) {
    st_kernels()->rms_norm_backward_row(dx, dw, dy, x, w, offset, r, channels);
}
void st_rope(float *x, long heads, long headDim, const float *cosines, const float *sines, float sign) {
    st_kernels()->rope(x, heads, headDim, cosines, sines, sign);
}

void st_packed_gemm_f32(const float *x, long m, long k, long ldx, const float *packed, long n, long panelBegin,
                        long panelEnd, const float *bias, float *y, long ldy, int accumulate) {
    st_kernels()->packed_gemm_f32(x, m, k, ldx, packed, n, panelBegin, panelEnd, bias, y, ldy, accumulate);
}

void st_quantize_rows_u8(const float *x, long m, long k, long ldx, uint8_t *q, float *scales, int32_t *zeros) {
    st_kernels()->quantize_rows_u8(x, m, k, ldx, q, scales, zeros);
}

void st_packed_gemm_u8s8(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
                         long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,
                         const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate) {
    const st_kernel_table *table = st_kernels();
    // A path without fast int8 never quantizes activations (QuantizedMatrix runs fp32 on dequantized weights);
    // the exact integer loop keeps this entry point correct for any caller all the same.
    (table->gemm_u8s8 ? table->gemm_u8s8 : st_gemm_u8s8_portable)(q, m, kPadded, packed, n, panelBegin, panelEnd,
                                                                  wScales, wSums, xScales, xZeros, bias, y, ldy,
                                                                  accumulate);
}

void st_packed_gemm_u8s7(const uint8_t *q, long m, long kPadded, const int8_t *packed, long n, long panelBegin,
                         long panelEnd, const float *wScales, const int32_t *wSums, const float *xScales,
                         const int32_t *xZeros, const float *bias, float *y, long ldy, int accumulate) {
    const st_kernel_table *table = st_kernels();
    if (table->gemm_u8s7) {
        table->gemm_u8s7(q, m, kPadded, packed, n, panelBegin, panelEnd, wScales, wSums, xScales, xZeros, bias, y, ldy,
                         accumulate);
    } else {
        st_packed_gemm_u8s8(q, m, kPadded, packed, n, panelBegin, panelEnd, wScales, wSums, xScales, xZeros, bias, y,
                            ldy, accumulate);
    }
}

void st_cpu_relax(void) {
#ifdef ST_HAVE_X86
    __builtin_ia32_pause();
#elif defined(ST_HAVE_ARM64)
    __asm__ volatile("yield");
#endif
}
