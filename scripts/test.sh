#!/usr/bin/env bash
# The whole test suite, as CI runs it: install deps, build with warnings as errors, run
# unit and integration tests (a real Prometheus on 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
preset="${PRESET:-debug}"
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset"
