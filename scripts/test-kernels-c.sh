#!/usr/bin/env bash
# Builds Tests/CKernelTests/kernel_tests.c with every Sources/CSTKernels/*.c and runs it on every kernel path this
# machine can reach: natively (clang from PATH), then for aarch64 under qemu-user, once on a CPU with every
# extension (-cpu max: neon, neon-dotprod, neon-i8mm) and once on each older CPU qemu has, so that the dispatch's
# feature detection and the paths it falls back to run too. The aarch64 build uses clang --target=aarch64-linux-gnu
# (what SwiftPM compiles with) against the Debian cross toolchain's libc; aarch64-linux-gnu-gcc only where clang
# cannot. Without the cross toolchain or qemu it installs them (apt-get). The last line sums every run as
# "N passed, N failed"; the exit status is non-zero when any run failed.
set -euo pipefail

cd "$(dirname "$0")/.."

sources=(Sources/CSTKernels/*.c)
test_source=Tests/CKernelTests/kernel_tests.c
flags=(-O2 -Wall -Wextra -Wno-unused-parameter -ISources/CSTKernels/include -ISources/CSTKernels)
sysroot=/usr/aarch64-linux-gnu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# What the library's dispatch picks on the CPU it runs on (the test only lists the paths the CPU runs).
cat > "$work/best.c" <<'EOF'
#include "st_kernels.h"
#include <stdio.h>
int main(void) { printf("%s\n", st_isa_name(st_isa_best())); return 0; }
EOF

total_passed=0
total_failed=0
failed_runs=0

# run LABEL BINARY [RUNNER...]: runs the test binary (under RUNNER, e.g. qemu), shows its failures, the paths it ran
# and the path the dispatch picks there, and adds its counts to the totals.
run() {
    local label=$1 binary=$2
    shift 2
    local output=$work/output rc=0
    "$@" "$binary" > "$output" 2>&1 || rc=$?
    local paths best summary
    paths=$(sed -n 's/^path \([^ ]*\).*/\1/p' "$output" | paste -sd ' ' -)
    best=$("$@" "$binary-best" 2> /dev/null || echo "?")
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$output" | tail -n 1 || true)
    grep -E '^FAIL' "$output" || true
    if [[ -z $summary ]]; then
        # A crash (or no output at all) counts as one failure, so that the summary cannot read as a pass.
        tail -n 5 "$output"
        summary="0 passed, 1 failed"
    fi
    local passed=${summary%% passed*} failed=${summary#*, }
    failed=${failed%% failed}
    if ((rc != 0 && failed == 0)); then failed=1; fi
    if ((failed > 0)); then failed_runs=$((failed_runs + 1)); fi
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    printf '%-30s paths: %-44s dispatch picks: %-13s %s\n' "$label" "${paths:-none}" "$best" "$summary"
}

# build OUTPUT CC [ARGS...]: compiles and links the test and the dispatch probe with all kernel sources.
build() {
    local output=$1
    shift
    "$@" "${flags[@]}" "$test_source" "${sources[@]}" -lm -o "$output" &&
        "$@" "${flags[@]}" "$work/best.c" "${sources[@]}" -lm -o "$output-best"
}

# compile_objects CC [ARGS...] then link_objects OUTPUT LINKER: the same in two steps, with different drivers.
compile_objects() {
    mkdir -p "$work/objects"
    local source
    for source in "$test_source" "$work/best.c" "${sources[@]}"; do
        "$@" "${flags[@]}" -c "$source" -o "$work/objects/$(basename "$source" .c).o" || return 1
    done
}
link_objects() {
    local output=$1 linker=$2 objects=() source
    for source in "${sources[@]}"; do objects+=("$work/objects/$(basename "$source" .c).o"); done
    "$linker" "$work/objects/kernel_tests.o" "${objects[@]}" -lm -o "$output"
    "$linker" "$work/objects/best.o" "${objects[@]}" -lm -o "$output-best"
}

# --- Native ----------------------------------------------------------------------------------------------------------

host=$(uname -m)
echo "== native ($host): clang $(clang --version | sed -n 's/.*clang version \([^ ]*\).*/\1/p')"
build "$work/native" clang
run "native $host" "$work/native"

# --- aarch64 under qemu ----------------------------------------------------------------------------------------------

if [[ $host == aarch64 || $host == arm64 ]]; then
    # The native run covered the CPU's own paths; emulate older CPUs only when qemu is already there.
    aarch64_binary=$work/native
    sysroot=/
    qemu=()
    if command -v qemu-aarch64 > /dev/null; then qemu=(qemu-aarch64); fi
else
    if ! command -v qemu-aarch64 > /dev/null || ! command -v aarch64-linux-gnu-gcc > /dev/null ||
        [[ ! -e $sysroot/include/stdio.h ]]; then
        echo "== installing qemu-user and the aarch64 cross toolchain"
        if ((EUID == 0)); then
            apt-get install -y qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
        else
            sudo apt-get install -y qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
        fi
    fi
    aarch64_binary=$work/aarch64
    # clang finds the cross GCC installation (crt files, libgcc) and the cross binutils' linker by itself on
    # Debian/Ubuntu; failing that, clang compiles and aarch64-linux-gnu-gcc links; failing that, GCC does it all.
    if build "$aarch64_binary" clang --target=aarch64-linux-gnu 2> "$work/clang.log"; then
        cat "$work/clang.log" >&2
        compiler="clang --target=aarch64-linux-gnu"
    elif cat "$work/clang.log" >&2 && compile_objects clang --target=aarch64-linux-gnu; then
        link_objects "$aarch64_binary" aarch64-linux-gnu-gcc
        compiler="clang --target=aarch64-linux-gnu, linked by aarch64-linux-gnu-gcc"
    else
        build "$aarch64_binary" aarch64-linux-gnu-gcc
        compiler="aarch64-linux-gnu-gcc"
    fi
    echo "== aarch64 ($compiler) under $(qemu-aarch64 --version | head -n 1)"
    qemu=(qemu-aarch64)
fi

if ((${#qemu[@]})); then
    available=$("${qemu[@]}" -cpu help 2> /dev/null || true)
    # max: every extension qemu emulates (dotprod, i8mm); neoverse-n1: dotprod without i8mm; cortex-a72 and
    # cortex-a53: neither.
    for cpu in max neoverse-n1 cortex-a72 cortex-a53; do
        if [[ $cpu != max ]] && ! grep -qw -- "$cpu" <<< "$available"; then
            echo "(qemu has no $cpu; skipped)"
            continue
        fi
        run "aarch64 qemu -cpu $cpu" "$aarch64_binary" "${qemu[@]}" -cpu "$cpu" -L "$sysroot"
    done
fi

echo "$total_passed passed, $total_failed failed"
((failed_runs == 0 && total_failed == 0))
