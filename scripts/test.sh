#!/usr/bin/env bash
# Sets up (OpenBLAS, the models) and runs the whole test suite. Numeric tests over real models are slow in debug
# builds, so the suite is built and run in the release configuration.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
swift build -c release --build-tests
swift test -c release --skip-build
