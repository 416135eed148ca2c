#!/usr/bin/env bash
# The whole test suite, as CI runs it: install deps, build with warnings as errors, run
# unit and integration tests (real Prometheus 2.42, 2.53 and 3.5 on 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Prometheus/promtool 2.53 (trixie) and 3.5 (sid), the references of the per-version parity and
# e2e tests; without them those tests skip, so CI insists on them.
if ! scripts/fetch-prometheus.sh; then
  [[ -z "${CI:-}" ]] || { echo "test.sh: cannot fetch the reference Prometheus versions" >&2; exit 1; }
  echo "test.sh: reference Prometheus 2.53/3.5 unavailable; their tests will skip" >&2
fi
preset="${PRESET:-debug}"
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset"
