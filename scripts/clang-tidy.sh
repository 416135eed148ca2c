#!/usr/bin/env bash
# Runs clang-tidy with the checked-in .clang-tidy over every C++ source under src/, using the
# compilation database of a configured build (default build/debug). Prints each finding once,
# then a count per check and the time taken.
#
#   scripts/clang-tidy.sh [BUILD_DIR=build/debug]
#
# Fails when clang-tidy cannot compile a file, and on any finding of the checks listed in
# PROMWATCH_TIDY_STRICT (comma-separated globs, default below: the checks that are clean
# today, so a new finding there is a regression). Other checks report without failing.
# PROMWATCH_TIDY_JOBS sets the parallelism (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-build/debug}
[[ -f $db/compile_commands.json ]] || {
  echo "clang-tidy.sh: no $db/compile_commands.json; configure first (cmake --preset debug)" >&2
  exit 2
}
tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
[[ -n $tidy ]] || { echo "clang-tidy.sh: clang-tidy not found (apt-get install clang-tidy)" >&2; exit 2; }
default_strict='cert-err58-cpp,cppcoreguidelines-avoid-reference-coroutine-parameters,cppcoreguidelines-slicing,modernize-use-override,modernize-use-using,misc-redundant-expression'
strict=${PROMWATCH_TIDY_STRICT-$default_strict}
log=$db/clang-tidy.log
start=$SECONDS
status=0
git ls-files -z -- 'src/*.cpp' |
  xargs -0 -P "${PROMWATCH_TIDY_JOBS:-2}" -n 4 "$tidy" -p "$db" --quiet \
    --extra-arg=-Wno-unknown-warning-option \
    ${strict:+--warnings-as-errors="$strict"} >"$log" 2>&1 || status=$?
findings=$(grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error): .*\[[^]]+\]$' "$log" | sort -u || true)
if [[ -n $findings ]]; then
  printf '%s\n' "$findings"
  echo
  echo "findings per check:"
  printf '%s\n' "$findings" | sed -E 's/.*\[([^]]+)\]$/\1/' | tr ',' '\n' | sort | uniq -c | sort -rn
fi
count=$(printf '%s' "$findings" | grep -c . || true)
compile_errors=$(grep -cE ': error: .*\[clang-diagnostic-error\]$|^Error while processing' "$log" || true)
echo "clang-tidy: $count findings, $compile_errors compile errors, $((SECONDS - start))s (log: $log)"
if [[ $status -ne 0 ]]; then
  echo "clang-tidy: FAILED (a compile error, or a finding of a strict check: $strict)" >&2
  exit 1
fi
