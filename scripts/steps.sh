# Sourced by scripts/test.sh, scripts/test-release.sh and .ci/run: `step NAME COMMAND…` runs COMMAND and records its
# wall time under NAME; `steps_table` prints every step recorded so far (also those of a script that sourced this
# from a parent run, through SBERT_STEPS_FILE), with the total, and is called on exit so a failing run shows it too.
# A failing step stops the run (the caller's `set -e`).

if [ -z "${SBERT_STEPS_FILE:-}" ]; then
    SBERT_STEPS_FILE="$(mktemp)"
    export SBERT_STEPS_FILE
    SBERT_STEPS_OWNER=$$
fi

step() {
    local name="$1"
    shift
    local start status=0
    start=$(date +%s)
    echo "== $name ($(date -u +%H:%M:%S) UTC)"
    "$@" || status=$?
    printf '%s\t%s\t%s\n' "$name" "$(($(date +%s) - start))" "$status" >>"$SBERT_STEPS_FILE"
    return "$status"
}

steps_table() {
    [ "${SBERT_STEPS_OWNER:-}" = "$$" ] || return 0
    [ -s "$SBERT_STEPS_FILE" ] || return 0
    local cpu
    cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')
    echo
    echo "== Minutes per step (${cpu:-unknown CPU}, $(nproc) cores)"
    awk -F'\t' '{ printf "%-58s %7.1f  %s\n", $1, $2 / 60, ($3 == 0 ? "ok" : "FAILED (exit " $3 ")"); total += $2 }
                END { printf "%-58s %7.1f\n", "total", total / 60 }' "$SBERT_STEPS_FILE"
    rm -f "$SBERT_STEPS_FILE"
}

trap steps_table EXIT
