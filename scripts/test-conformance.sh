#!/usr/bin/env bash
# The TEI / OpenAI conformance suite (Tests/Conformance): real Python clients against real `sbert serve` processes
# started by the suite on loopback. Needs scripts/setup-tests.sh (models, .venv-conformance) and a built sbert
# (SBERT_BIN, default .build/release/sbert).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export SBERT_BIN="${SBERT_BIN:-$root/.build/release/sbert}"
# The clients must reach loopback directly, whatever proxy the machine sets for the outside.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
export HF_HUB_OFFLINE=0 HF_HUB_DISABLE_TELEMETRY=1 PYTHONDONTWRITEBYTECODE=1
exec .venv-conformance/bin/python -m pytest -p no:cacheprovider -q Tests/Conformance "$@"
