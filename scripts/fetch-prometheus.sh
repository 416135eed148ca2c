#!/usr/bin/env bash
# Fetches the real Prometheus and promtool (Debian packages prometheus and promtool) of newer Debian releases as references for the tests:
# 2.53.x from Debian 13 "trixie" and 3.5.x from Debian unstable "sid". The packages are
# downloaded with `apt-get download` through a private apt configuration (its own source list
# naming the same archive as this machine's sources, its own lists and cache), so the system's
# apt sources are never edited and nothing is installed; `dpkg-deb -x` unpacks them into
#   ${PROMWATCH_PROMETHEUS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/promwatch/prometheus}/<X.Y>/
# The Go binaries need only libc, so they run on Debian 12. Debian 12's own 2.42 stays as
# installed (/usr/bin/prometheus, /usr/bin/promtool).
#
# Usage: scripts/fetch-prometheus.sh [trixie|sid ...]   (default: both)
# Prints one line per version: "<X.Y> <dir>/usr/bin/prometheus <dir>/usr/bin/promtool".
# Idempotent: a version already unpacked is not downloaded again.
set -euo pipefail

cache="${PROMWATCH_PROMETHEUS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/promwatch/prometheus}"
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(trixie sid)

# The archive this machine already uses for Debian (deb822 or one-line sources), so the private
# configuration reaches exactly the mirror the machine is allowed to reach.
archive_uri() {
  local uri=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    uri=$(awk '/^URIs:/ && $2 ~ /debian\/?$/ && $2 !~ /security/ {print $2; exit}' \
      /etc/apt/sources.list.d/*.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) {print $i; exit}}' \
      /etc/apt/sources.list)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

keyring=/usr/share/keyrings/debian-archive-keyring.gpg

fetch_suite() {
  local suite="$1"
  local work="$cache/.apt-$suite"
  mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/etc/preferences.d" "$work/debs"
  cat >"$work/etc/sources.list" <<EOF
deb [signed-by=$keyring] $(archive_uri) $suite main
EOF
  : >"$work/etc/status"
  local -a apt_opts=(
    -o "Dir::Etc::SourceList=$work/etc/sources.list"
    -o "Dir::Etc::SourceParts=-"
    -o "Dir::Etc::Preferences=$work/etc/preferences"
    -o "Dir::Etc::PreferencesParts=$work/etc/preferences.d"
    -o "Dir::State::Lists=$work/lists"
    -o "Dir::State::status=$work/etc/status"
    -o "Dir::Cache=$work"
    -o "Dir::Cache::archives=$work/archives"
    -o "APT::Architecture=$(dpkg --print-architecture)"
    -o "Debug::NoLocking=1"
    -o "Acquire::Retries=3"
    -o "APT::Sandbox::User=root"
  )
  apt-get "${apt_opts[@]}" -qq update >&2
  local version
  # awk reads to the end: an early exit would SIGPIPE apt-cache, which pipefail turns into failure.
  version=$(apt-cache "${apt_opts[@]}" show prometheus 2>/dev/null |
    awk '/^Version:/ && v == "" {v = $2} END {print v}')
  [ -n "$version" ] || { echo "fetch-prometheus: no prometheus package in $suite" >&2; return 1; }
  # "3.5.3+ds1-6" -> "3.5"
  local line
  line=$(echo "$version" | sed -E 's/^([0-9]+:)?([0-9]+)\.([0-9]+).*/\2.\3/')
  local dest="$cache/$line"
  if [ ! -x "$dest/usr/bin/prometheus" ] || [ ! -x "$dest/usr/bin/promtool" ]; then
    rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
    (cd "$work/debs" && rm -f ./*.deb && apt-get "${apt_opts[@]}" -qq download prometheus promtool >&2)
    for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$dest.tmp"; done
    echo "$version" >"$dest.tmp/VERSION"
    rm -rf "$dest" && mv "$dest.tmp" "$dest"
  fi
  "$dest/usr/bin/promtool" --version >/dev/null 2>&1 ||
    { echo "fetch-prometheus: $dest/usr/bin/promtool does not run here" >&2; return 1; }
  echo "$line $dest/usr/bin/prometheus $dest/usr/bin/promtool"
}

for suite in "${suites[@]}"; do
  fetch_suite "$suite"
done
