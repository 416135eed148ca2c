#!/usr/bin/env bash
# Installs what promwatch needs to build and test on Debian 12 (bookworm).
#   scripts/install-deps.sh          build deps + test deps (a real Prometheus and promtool)
#   scripts/install-deps.sh --build  build deps only (used by the Dockerfile's build stage)
#   scripts/install-deps.sh --ci     build + test deps + the CI tools (clang-format, clang-tidy,
#                                    clang with libFuzzer), as .ci/run needs
set -euo pipefail

build_pkgs=(
  g++ cmake ninja-build pkg-config
  libboost1.81-dev     # Asio/Beast with C++20 coroutines; libboost-dev is 1.74, too old
  libyaml-cpp-dev prometheus-cpp-dev libre2-dev doctest-dev
)
test_pkgs=(prometheus curl ca-certificates)
ci_pkgs=(clang-format clang-tidy clang libclang-rt-14-dev)

pkgs=("${build_pkgs[@]}")
[[ "${1:-}" == "--build" ]] || pkgs+=("${test_pkgs[@]}")
[[ "${1:-}" != "--ci" ]] || pkgs+=("${ci_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# --no-install-recommends: the prometheus package would otherwise pull in exporters and
# start services we do not want on a build machine.
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts the packaged Prometheus as a service; tests start their own on 127.0.0.1.
if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
  $sudo systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
