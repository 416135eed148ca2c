#!/usr/bin/env bash
# Builds the libFuzzer harnesses in build/fuzz (clang, ASan+UBSan) and runs each one for a
# bounded time, one after another. Exits non-zero when any fuzzer finds a crash, hang, leak or
# out-of-memory; the reproducer is kept under build/fuzz/artifacts/<fuzzer>/.
#
#   tests/fuzz/run.sh [SECONDS_PER_FUZZER=60] [FUZZER...]
#
# Environment:
#   CXX                          clang++ to use (default: clang++-14, else clang++)
#   PROMWATCH_FUZZ_JOBS          build parallelism (default 1)
#   PROMWATCH_FUZZ_EXTRA_CORPUS  a directory laid out as rules/ and file_sd/ (e.g. a checkout
#                                of real rule files); read as extra seeds, never written to
#
# Reproduce a crash: build/fuzz/tests/fuzz/<fuzzer> build/fuzz/artifacts/<fuzzer>/crash-…
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-60}
shift || true
all=(fuzz_rules fuzz_file_sd_json fuzz_file_sd_yaml fuzz_config fuzz_promql fuzz_gotemplate)
fuzzers=("$@")
[[ ${#fuzzers[@]} -gt 0 ]] || fuzzers=("${all[@]}")
build=$root/build/fuzz
extra=${PROMWATCH_FUZZ_EXTRA_CORPUS:-}
cxx=${CXX:-$(command -v clang++-14 || command -v clang++ || true)}
[[ -n $cxx ]] || { echo "run.sh: clang++ not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE= \
  -DCMAKE_CXX_FLAGS="-Wall -Wextra -Wpedantic -Wshadow -Werror" \
  -DPROMWATCH_BUILD_TESTS=OFF -DPROMWATCH_BUILD_BENCH=OFF -DPROMWATCH_BUILD_FUZZ=ON >/dev/null
cmake --build "$build" -j "${PROMWATCH_FUZZ_JOBS:-1}" --target "${fuzzers[@]}"

# Seeds: the repository's corpus and examples, hand-written seeds, and for the expression
# fuzzers the single-line `expr:` values and `{{ … }}` annotations found in rule files.
seeds=$build/seeds
rm -rf "$seeds"
mkdir -p "$seeds"/{rules,file_sd,config,promql,gotemplate}
cp "$root"/tests/corpus/rules/* "$root"/examples/rules/* "$root"/tests/fuzz/seeds/rules/* "$seeds/rules/"
cp "$root"/tests/corpus/file_sd/* "$root"/examples/targets/* "$root"/tests/fuzz/seeds/file_sd/* "$seeds/file_sd/"
cp "$root"/examples/prometheus.yml "$root"/tests/fuzz/seeds/config/* "$seeds/config/"
cp "$root"/tests/fuzz/seeds/promql/* "$seeds/promql/"
cp "$root"/tests/fuzz/seeds/gotemplate/* "$seeds/gotemplate/"
rule_sources=("$seeds/rules")
[[ -n $extra && -d $extra/rules ]] && rule_sources+=("$extra/rules")
find "${rule_sources[@]}" -type f -print0 | xargs -0 cat 2>/dev/null | awk -v dir="$seeds" '
  /^[ \t-]*expr:[ \t]*[^|> \t]/ {
    sub(/^[ \t-]*expr:[ \t]*/, ""); gsub(/^["\x27]|["\x27][ \t]*$/, "")
    if (!seen_expr[$0]++) { f = dir "/promql/x" ++n; printf "%s", $0 > f; close(f) }
  }
  /\{\{/ {
    line = $0; sub(/^[ \t-]*[A-Za-z_]+:[ \t]*/, "", line); gsub(/^["\x27]|["\x27][ \t]*$/, "", line)
    if (!seen_tmpl[line]++) { f = dir "/gotemplate/t" ++m; printf "%s", line > f; close(f) }
  }'

corpus_for() {  # the seed directories of one fuzzer
  local own kind=
  case $1 in
    fuzz_rules) own=rules kind=rules ;;
    fuzz_file_sd_*) own=file_sd kind=file_sd ;;
    fuzz_config) own=config ;;
    fuzz_promql) own=promql ;;
    fuzz_gotemplate) own=gotemplate ;;
  esac
  echo "$seeds/$own"
  if [[ -n $extra && -n $kind && -d $extra/$kind ]]; then echo "$extra/$kind"; fi
}
options_for() {  # -max_len and dictionary of one fuzzer
  case $1 in
    fuzz_promql) echo "-max_len=4096 -dict=$root/tests/fuzz/dict/promql.dict" ;;
    fuzz_gotemplate) echo "-max_len=4096 -dict=$root/tests/fuzz/dict/gotemplate.dict" ;;
    *) echo "-max_len=32768 -dict=$root/tests/fuzz/dict/yaml.dict" ;;
  esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
printf '%-20s %8s %12s %10s %8s  %s\n' fuzzer seconds execs execs/s corpus result
for f in "${fuzzers[@]}"; do
  work=$build/corpus/$f
  artifacts=$build/artifacts/$f
  log=$build/logs/$f.log
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  # shellcheck disable=SC2046  # word splitting of the option and directory lists is intended
  if "$build/tests/fuzz/$f" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" $(options_for "$f") \
      "$work" $(corpus_for "$f") >"$log" 2>&1; then
    result=ok
  else
    result="FAILED (see $log)"
    status=1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  size=$(find "$work" -type f | wc -l)
  printf '%-20s %8s %12s %10s %8s  %s\n' "$f" "$seconds" "${execs:-?}" "${rate:-?}" "$size" "$result"
  if [[ $result != ok ]]; then
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|artifact_prefix|Test unit written)' "$log" | head -8 >&2 || true
  fi
done
exit $status
