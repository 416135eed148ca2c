#!/bin/sh
# Builds the release preset and runs the validation benchmark against promtool.
set -eu
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build --preset release -j2 --target validate_bench
exec ./build/release/bench/validate_bench "$@"
