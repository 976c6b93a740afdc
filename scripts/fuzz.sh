#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of the tokenizer, the safetensors header parser and the
# server's JSON request decoder: the targets under Fuzz/, built with the toolchain's -sanitize=fuzzer.
#
#   bash scripts/fuzz.sh [SECONDS] [tokenizer|safetensors|requests ...]
#
# SECONDS (default 60) is each target's budget. Runs are reproducible: fixed seed, the committed seeds of Fuzz/Corpus
# as the starting corpus. A crash, a broken invariant, a timeout (10 s on one input), a leak or more than 4 GB of
# memory is a finding: its input is saved under .build/fuzz/findings/TARGET/ and the script exits 1.
# Replay a finding: swift run fuzz-TARGET FILE (a normal build; or .build/fuzz/release/fuzz-TARGET FILE).
#
# The fuzz build has its own scratch path (.build/fuzz), so the normal build's flags are left alone. lld links it:
# the system's gold fails on AddressSanitizer objects ("internal error in format_file_lineno").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(tokenizer safetensors requests)
scratch=.build/fuzz
flags=(-c release --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address -Xswiftc -DSBERT_FUZZ
       -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld)

# The dependencies the normal build already checked out, rather than a second clone.
if [ ! -d "$scratch/checkouts" ] && [ -d .build/checkouts ]; then
    mkdir -p "$scratch"
    cp -R .build/checkouts .build/repositories "$scratch/"
    [ -f .build/workspace-state.json ] && cp .build/workspace-state.json "$scratch/"
fi

mkdir -p "$scratch"
start=$(date +%s)
for target in "${targets[@]}"; do
    echo "== building fuzz-$target"
    if ! swift build "${flags[@]}" --product "fuzz-$target" >"$scratch/build.log" 2>&1; then
        grep -v -e "unhandled; explicitly declare" -e "CMakeLists.txt$" "$scratch/build.log"
        echo "fuzz build of fuzz-$target failed"
        exit 1
    fi
    tail -1 "$scratch/build.log"
done
echo "== fuzz build: $(( $(date +%s) - start )) s"
bin="$(swift build "${flags[@]}" --show-bin-path)"

failed=0
summary=()
for target in "${targets[@]}"; do
    corpus="$scratch/corpus/$target"      # what this run adds; the committed seeds stay as they are
    findings="$scratch/findings/$target"
    log="$scratch/logs/$target.log"
    rm -rf "$corpus" "$findings"
    mkdir -p "$corpus" "$findings" "$(dirname "$log")"
    echo "== fuzz-$target: $seconds s"
    set +e
    "$bin/fuzz-$target" "$corpus" "Fuzz/Corpus/$target" -max_total_time="$seconds" -seed=1 -timeout=10 \
        -rss_limit_mb=4096 -max_len=16384 -dict="Fuzz/Dictionaries/$target.dict" -print_final_stats=1 \
        -artifact_prefix="$findings/" >"$log" 2>&1
    status=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)   # none when a seed crashes
    artifacts=$(ls "$findings")
    if [ $status -eq 0 ] && [ -z "$artifacts" ]; then
        outcome="ok"
    else
        failed=1
        kind=$(grep -m1 -o -e "invariant broken.*" -e "ERROR: [A-Za-z]*Sanitizer: .\{0,80\}" -e "ERROR: libFuzzer: [a-z -]*" \
                -e "Fatal error: .\{0,80\}" "$log" || echo "exit status $status")
        outcome="FINDING ($kind): $(echo "$artifacts" | sed "s|^|$findings/|" | tr '\n' ' ')"
        echo "--- end of $log:"
        tail -40 "$log"
    fi
    summary+=("fuzz-$target: ${runs:-?} executions, ${coverage:-cov: ?}, $outcome")
done

echo "== summary ($seconds s per target, seed 1)"
printf '%s\n' "${summary[@]}"
exit $failed
