#!/usr/bin/env bash
# Packaging checks that need no container engine (about 10 seconds):
#   docker-compose config, kustomize rendering, offline Kubernetes schema validation (strict),
#   the manifests' security and probe promises, promtool and promwatch on the shipped rules.
# Usage: static.sh NODE_DIR KUBECTL   (run.sh provides both). PROMWATCH_BIN selects the
# promwatch binary; default: the newest of build/*/promwatch, skipped when there is none.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
node_dir=$1
kubectl=$2
suite=static
# shellcheck source=tests/packaging/lib.sh
source "$here/lib.sh"
work=$(mktemp -d /tmp/promwatch-static.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$repo"

# Compose: Debian's docker-compose 1.29 parses and validates the file (and with the override
# the end-to-end test uses).
check "docker-compose config -q docker-compose.yml" docker-compose -f docker-compose.yml config -q
check "docker-compose config -q with tests/packaging/compose.e2e.yml" \
  docker-compose -f docker-compose.yml -f tests/packaging/compose.e2e.yml config -q

# Kubernetes: render with kustomize, validate every object against the API schemas.
check "kubectl kustomize deploy/kubernetes renders" \
  bash -c "'$kubectl' kustomize deploy/kubernetes >'$work/rendered.yaml'"
check "kubectl kustomize deploy/kubernetes/prometheus-operator renders" \
  bash -c "'$kubectl' kustomize deploy/kubernetes/prometheus-operator >'$work/operator.yaml'"
node "$here/validate-manifests.mjs" "$node_dir" "$work/rendered.yaml" "$work/operator.yaml" \
  >"$work/validate.log" 2>&1 && valid=true || valid=false
check "rendered objects validate against the Kubernetes and prometheus-operator schemas (strict)" $valid
sed 's/^/    /' "$work/validate.log"
check "the validator rejects a misspelt field (self-test)" bash -c \
  "sed 's/readOnlyRootFilesystem/readOnlyRootFileSystem/' '$work/rendered.yaml' >'$work/typo.yaml' &&
   ! node '$here/validate-manifests.mjs' '$node_dir' '$work/typo.yaml'"
check "manifests keep their security, probe and sidecar promises" \
  node "$here/check-policy.mjs" "$node_dir" "$work/rendered.yaml" \
  deploy/kubernetes/rules/promwatch-alerts.yml deploy/kubernetes/prometheus-operator/promwatch-prometheusrule.yaml

# Rules and configs: promtool is the reference; promwatch must agree with it.
check "promtool check rules on the shipped alerting rules" \
  promtool check rules deploy/kubernetes/rules/promwatch-alerts.yml
check "promtool check config on the Kubernetes prometheus.yml" \
  promtool check config --syntax-only deploy/kubernetes/config/prometheus.yml
check "promtool check config on examples/prometheus.yml" promtool check config examples/prometheus.yml
check "promtool rejects tests/packaging/testdata/broken-rules.yml (self-test)" \
  bash -c "! promtool check rules tests/packaging/testdata/broken-rules.yml"

bin=${PROMWATCH_BIN:-$(ls -t build/*/promwatch 2>/dev/null | head -1 || true)}
if [[ -n $bin && -x $bin ]]; then
  check "promwatch check rules on the shipped alerting rules ($bin)" \
    "$bin" check rules deploy/kubernetes/rules/promwatch-alerts.yml
  check "promwatch check config on the Kubernetes prometheus.yml" \
    "$bin" check config deploy/kubernetes/config/prometheus.yml
  check "promwatch check rules rejects tests/packaging/testdata/broken-rules.yml" \
    bash -c "! '$bin' check rules tests/packaging/testdata/broken-rules.yml"
else
  skip "promwatch check (no build/*/promwatch; the e2e test runs it in the image)"
fi

summary
((failed == 0))
