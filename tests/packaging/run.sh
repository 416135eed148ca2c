#!/usr/bin/env bash
# Packaging tests: the image, the compose stack and the Kubernetes manifests, with the real
# tools. Installs what it needs, runs static.sh (seconds) and e2e.sh (a private dockerd; about
# 1.5 min with a warm cache, a few more minutes cold), and prints the time each took.
#   tests/packaging/run.sh            everything
#   PACKAGING_SKIP_E2E=1 run.sh       static checks only (no container engine)
# PACKAGING_CACHE (default /var/cache/promwatch-packaging) keeps the npm packages, the
# debootstrap tarball and the test daemon's images between runs; delete it for a cold run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export PACKAGING_CACHE=${PACKAGING_CACHE:-/var/cache/promwatch-packaging}
mkdir -p "$PACKAGING_CACHE"
suite=run
# shellcheck source=tests/packaging/lib.sh
source "$here/lib.sh"
t0=$SECONDS

# --- tools -----------------------------------------------------------------------------------
pkgs=(prometheus docker-compose curl ca-certificates)
[[ ${PACKAGING_SKIP_E2E:-0} == 1 ]] || pkgs+=(docker.io debootstrap)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's docker.io and prometheus packages start services where systemd runs; the tests
# start their own.
if [[ -d /run/systemd/system ]]; then
  systemctl disable --now docker.service docker.socket prometheus.service >/dev/null 2>&1 || true
fi

# kubectl with kustomize: the machine's kubectl when it has one, else Debian's
# kubernetes-client (kubectl 1.20, kustomize v2; the manifests are written for both),
# unpacked into the cache rather than installed. KUBECTL=PATH picks one.
kubectl=${KUBECTL:-$(command -v kubectl || true)}
if [[ -z $kubectl ]] || ! "$kubectl" kustomize --help >/dev/null 2>&1; then
  kdir=$PACKAGING_CACHE/kubernetes-client
  if [[ ! -x $kdir/usr/bin/kubectl ]]; then
    log "unpacking Debian's kubernetes-client into $kdir"
    mkdir -p "$kdir"
    (cd "$kdir" && apt-get download kubernetes-client >/dev/null 2>&1 && dpkg-deb -x kubernetes-client_*.deb .)
  fi
  kubectl=$kdir/usr/bin/kubectl
fi
log "kubectl: $kubectl ($("$kubectl" version --client 2>/dev/null | tr '\n' ' '))"

# Node packages at the versions pinned in tests/packaging/package.json, outside the repository.
node_dir=$PACKAGING_CACHE/node
mkdir -p "$node_dir"
if ! cmp -s "$here/package.json" "$node_dir/package.json" || [[ ! -d $node_dir/node_modules/kubernetes-models ]]; then
  log "npm install (kubernetes-models, js-yaml, typescript) into $node_dir"
  cp "$here/package.json" "$node_dir/package.json"
  (cd "$node_dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
log "tools ready ($((SECONDS - t0))s)"

# --- suites ----------------------------------------------------------------------------------
t1=$SECONDS
if bash "$here/static.sh" "$node_dir" "$kubectl"; then pass "static checks ($((SECONDS - t1))s)"; else fail "static checks ($((SECONDS - t1))s)"; fi
if [[ ${PACKAGING_SKIP_E2E:-0} == 1 ]]; then
  skip "end-to-end container test (PACKAGING_SKIP_E2E=1)"
else
  t2=$SECONDS
  if bash "$here/e2e.sh"; then pass "end-to-end container test ($((SECONDS - t2))s)"; else fail "end-to-end container test ($((SECONDS - t2))s)"; fi
fi
log "total $((SECONDS - t0))s"
summary
((failed == 0))
