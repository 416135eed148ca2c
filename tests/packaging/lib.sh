# Helpers shared by the packaging test scripts (sourced). Each check prints PASS/FAIL with a
# timestamp; the scripts end with "N passed, N failed".
passed=0
failed=0
skipped=0
log() { printf '%s %s: %s\n' "$(date +%T)" "${suite:-packaging}" "$*"; }
pass() { passed=$((passed + 1)); log "PASS $*"; }
fail() { failed=$((failed + 1)); log "FAIL $*"; }
skip() { skipped=$((skipped + 1)); log "SKIP $*"; }
# check DESCRIPTION COMMAND...: one test; output of a failing command is shown indented.
check() {
  local what=$1 out; shift
  if out=$("$@" 2>&1); then pass "$what"; else fail "$what"; printf '%s\n' "$out" | tail -25 | sed 's/^/    /'; fi
}
# wait_for SECONDS DESCRIPTION COMMAND...: retry every second until COMMAND succeeds.
wait_for() {
  local limit=$1 what=$2; shift 2
  local start=$SECONDS
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS - start >= limit)); then fail "$what (not within ${limit}s)"; return 1; fi
    sleep 1
  done
  pass "$what ($((SECONDS - start))s)"
}
summary() {
  if ((skipped > 0)); then
    log "$passed passed, $failed failed, $skipped skipped"
  else
    log "$passed passed, $failed failed"
  fi
}
