// A preloaded library that makes CPUID describe a smaller x86 CPU to one process, so that the Python reference
// (ONNX Runtime's MLAS, PyTorch's oneDNN, NumPy) picks the same instruction set as the kernel path `sbert bench --isa`
// measures: on an AVX-512 machine, `--isa avx2` then compares AVX2 kernels with AVX2 kernels.
//
//   gcc -O2 -shared -fPIC -o cpuid-mask.so scripts/cpuid-mask.c
//   SBERT_CPUID_MASK=avx2 LD_PRELOAD=$PWD/cpuid-mask.so python3 -c 'import numpy; numpy.show_runtime()'
//
// SBERT_CPUID_MASK names the path whose features remain (the names of `SBERT_ISA`):
//   avx2         AVX2 + FMA, no AVX-512, no AVX-VNNI (AMD Zen 2/3, Intel Haswell to Comet Lake)
//   avx2-vnni    AVX2 + FMA + AVX-VNNI, no AVX-512 (Intel Alder Lake and later client cores)
//   avx512       AVX-512 F/CD/BW/DQ/VL, no VNNI (Intel Skylake-SP)
//   avx512-vnni  everything this machine has up to AVX-512 VNNI, no AMX and no AVX-512 FP16/BF16
//
// How: Linux's CPUID faulting (arch_prctl ARCH_SET_CPUID, the mechanism rr uses; /proc/cpuinfo shows `cpuid_fault`
// where the CPU or hypervisor offers it) makes every CPUID instruction raise SIGSEGV; the handler runs the real
// instruction with faulting briefly off, clears the bits the named path lacks and steps over the instruction. The
// setting is per thread and inherited by threads created later, so it is made in a constructor before the program
// starts any. XGETBV is not masked: libraries check CPUID's feature bits as well as the OS's register state, so the
// cleared bits alone keep them off the wider paths. A process that installs its own SIGSEGV handler would break this;
// ONNX Runtime, PyTorch and NumPy do not.
//
// Leaf and bit numbers: Intel SDM volume 2A, CPUID, tables 3-8 and 3-17 (leaf 1; leaf 7 sub-leaves 0 and 1).
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

struct mask { uint32_t leaf7_ebx, leaf7_ecx, leaf7_edx, leaf7_1_eax; };

static struct mask cleared;

enum {
    // Leaf 7, sub-leaf 0, EBX.
    AVX512F = 1u << 16, AVX512DQ = 1u << 17, AVX512IFMA = 1u << 21, AVX512PF = 1u << 26, AVX512ER = 1u << 27,
    AVX512CD = 1u << 28, AVX512BW = 1u << 30, AVX512VL = 1u << 31,
    // Leaf 7, sub-leaf 0, ECX.
    AVX512VBMI = 1u << 1, AVX512VBMI2 = 1u << 6, AVX512VNNI = 1u << 11, AVX512BITALG = 1u << 12,
    AVX512VPOPCNTDQ = 1u << 14,
    // Leaf 7, sub-leaf 0, EDX.
    AVX5124VNNIW = 1u << 2, AVX5124FMAPS = 1u << 3, AVX512VP2INTERSECT = 1u << 8, AMXBF16 = 1u << 22,
    AVX512FP16 = 1u << 23, AMXTILE = 1u << 24, AMXINT8 = 1u << 25,
    // Leaf 7, sub-leaf 1, EAX.
    AVXVNNI = 1u << 4, AVX512BF16 = 1u << 5, AMXFP16 = 1u << 21, AVXIFMA = 1u << 23,
};

static int parse(const char *name, struct mask *mask) {
    const struct mask amx = { 0, 0, AMXBF16 | AMXTILE | AMXINT8 | AVX512FP16, AVX512BF16 | AMXFP16 };
    const struct mask avx512 = {
        AVX512F | AVX512DQ | AVX512IFMA | AVX512PF | AVX512ER | AVX512CD | AVX512BW | AVX512VL,
        AVX512VBMI | AVX512VBMI2 | AVX512VNNI | AVX512BITALG | AVX512VPOPCNTDQ,
        AVX5124VNNIW | AVX5124FMAPS | AVX512VP2INTERSECT | amx.leaf7_edx, amx.leaf7_1_eax,
    };
    if (strcmp(name, "avx512-vnni") == 0) {
        *mask = amx;
    } else if (strcmp(name, "avx512") == 0) {
        *mask = amx;
        mask->leaf7_ecx |= AVX512VNNI;
        mask->leaf7_edx |= AVX5124VNNIW;
        mask->leaf7_1_eax |= AVXVNNI;
    } else if (strcmp(name, "avx2-vnni") == 0) {
        *mask = avx512;
        mask->leaf7_1_eax |= AVXIFMA;
    } else if (strcmp(name, "avx2") == 0) {
        *mask = avx512;
        mask->leaf7_1_eax |= AVXIFMA | AVXVNNI;
    } else {
        return 0;
    }
    return 1;
}

static long set_faulting(int on) { return syscall(SYS_arch_prctl, ARCH_SET_CPUID, on ? 0 : 1); }

static void on_fault(int signal_number, siginfo_t *info, void *context) {
    (void)info;
    ucontext_t *state = context;
    greg_t *registers = state->uc_mcontext.gregs;
    const unsigned char *instruction = (const unsigned char *)registers[REG_RIP];
    if (instruction[0] != 0x0f || instruction[1] != 0xa2) {
        // A real fault: the default action, as if this library were not here.
        signal(signal_number, SIG_DFL);
        return;
    }
    uint32_t leaf = (uint32_t)registers[REG_RAX], subleaf = (uint32_t)registers[REG_RCX];
    uint32_t eax, ebx, ecx, edx;
    set_faulting(0);
    __cpuid_count(leaf, subleaf, eax, ebx, ecx, edx);
    set_faulting(1);
    if (leaf == 7 && subleaf == 0) {
        ebx &= ~cleared.leaf7_ebx;
        ecx &= ~cleared.leaf7_ecx;
        edx &= ~cleared.leaf7_edx;
    } else if (leaf == 7 && subleaf == 1) {
        eax &= ~cleared.leaf7_1_eax;
    }
    registers[REG_RAX] = eax;
    registers[REG_RBX] = ebx;
    registers[REG_RCX] = ecx;
    registers[REG_RDX] = edx;
    registers[REG_RIP] += 2;
}

__attribute__((constructor)) static void install(void) {
    const char *name = getenv("SBERT_CPUID_MASK");
    if (name == NULL || *name == '\0') return;
    if (!parse(name, &cleared)) {
        fprintf(stderr, "cpuid-mask: SBERT_CPUID_MASK=%s is not one of avx2, avx2-vnni, avx512, avx512-vnni\n", name);
        _exit(2);
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGSEGV, &action, NULL) != 0 || set_faulting(1) != 0) {
        fprintf(stderr, "cpuid-mask: this CPU or kernel has no CPUID faulting (no cpuid_fault in /proc/cpuinfo)\n");
        _exit(2);
    }
}
