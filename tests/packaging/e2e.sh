#!/usr/bin/env bash
# End-to-end test of the image and the compose stack with a real Docker engine, offline:
#  1. start a private dockerd (own data-root, exec-root and socket; no bridge, no iptables);
#  2. make the Dockerfile's base image with debootstrap (cached) and `docker import`, and a
#     Prometheus image from Debian's /usr/bin/prometheus;
#  3. build the real Dockerfile; check size, user, entrypoint, labels, read-only operation;
#  4. start the real docker-compose.yml (images overridden by compose.e2e.yml), change a rule
#     in the shared directory and check that Prometheus loaded it, then break it and check that
#     Prometheus kept the last good rules;
#  5. tear everything down and stop dockerd.
# Called by tests/packaging/run.sh, which installs docker.io, docker-compose and debootstrap.
# Environment: PACKAGING_CACHE (default /var/cache/promwatch-packaging); JOBS, compile jobs in
# the image build (default 1, or all cores when CI=true); PACKAGING_KEEP=1 leaves the work
# directory for inspection.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${PACKAGING_CACHE:-/var/cache/promwatch-packaging}
# Compile jobs in the image build: 1 on a shared workstation, all cores in CI (CI=true).
if [[ ${CI:-} == true ]]; then jobs=${JOBS:-$(nproc)}; else jobs=${JOBS:-1}; fi
mkdir -p "$cache"

# One run at a time per cache (the daemon's data-root lives there).
exec 9>"$cache/e2e.lock"
flock -w 1800 9

work=$(mktemp -d /tmp/promwatch-e2e.XXXXXX)
run_dir=/run/promwatch-e2e.$$ # short: the socket path must fit in sun_path
export DOCKER_HOST=unix://$run_dir/docker.sock
docker=/usr/bin/docker # the client from docker.io, matching the daemon's API
compose=(docker-compose --ansi never -p promwatch-e2e -f "$work/stack/docker-compose.yml" -f "$work/stack/compose.e2e.yml")
export COMPOSE_HTTP_TIMEOUT=120
dockerd_pid=
suite=e2e
# shellcheck source=tests/packaging/lib.sh
source "$here/lib.sh"

teardown() {
  local rc=$?
  set +e
  if [[ -f $work/stack/docker-compose.yml ]] && [[ -S $run_dir/docker.sock ]]; then
    if ((failed > 0 || rc != 0)); then
      log "compose logs:"
      "${compose[@]}" logs --no-color --tail=60 2>&1 | sed 's/^/    /'
    fi
    "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1
  fi
  if [[ -n $dockerd_pid ]]; then
    kill "$dockerd_pid" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$dockerd_pid" 2>/dev/null; then kill -9 "$dockerd_pid" 2>/dev/null; fi
    if ((failed > 0 || rc != 0)); then log "dockerd log (tail):"; tail -20 "$work/dockerd.log" | sed 's/^/    /'; fi
  fi
  # Mounts the daemon may leave behind under its exec-root.
  grep -o " $run_dir[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  rm -rf "$run_dir"
  if [[ ${PACKAGING_KEEP:-0} == 1 ]]; then log "kept $work"; else rm -rf "$work"; fi
  summary
  if ((rc == 0 && failed > 0)); then rc=1; fi
  exit "$rc"
}
trap teardown EXIT
trap 'log "error: line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT TERM

# --- 1. a private Docker engine --------------------------------------------------------------
storage_driver=${STORAGE_DRIVER:-}
if [[ -z $storage_driver ]]; then
  # overlay2 where the kernel allows it (fast, shares layers); vfs otherwise.
  probe=$(mktemp -d)
  mkdir -p "$probe"/{l,u,w,m}
  if mount -t overlay overlay -o "lowerdir=$probe/l,upperdir=$probe/u,workdir=$probe/w" "$probe/m" 2>/dev/null; then
    umount "$probe/m"; storage_driver=overlay2
  else
    storage_driver=vfs
  fi
  rm -rf "$probe"
fi
data_root=$cache/docker-$storage_driver
mkdir -p "$run_dir" "$data_root"
log "starting dockerd (storage $storage_driver, data-root $data_root)"
dockerd --data-root "$data_root" --exec-root "$run_dir/exec" --pidfile "$run_dir/dockerd.pid" \
  -H "$DOCKER_HOST" --storage-driver "$storage_driver" \
  --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
  >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
wait_for 60 "dockerd answers on its own socket" "$docker" version
# Containers left by an interrupted earlier run (the data-root is cached, images are kept).
"$docker" container prune -f >/dev/null

# --- 2. base and Prometheus images, offline --------------------------------------------------
base_image=debian:bookworm
if ! "$docker" image inspect "$base_image" >/dev/null 2>&1; then
  tarball=$cache/debian-bookworm-minbase.tar
  if [[ ! -s $tarball ]]; then
    # The mirror the host's apt uses (deb822 or one-line format), else Debian's default.
    mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p; s/^deb  *\(\[[^]]*\] *\)\{0,1\}\(http[^ ]*\) bookworm .*/\2/p' \
      /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | grep -v security | head -1 || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    log "debootstrap --variant=minbase bookworm from $mirror (cached in $tarball)"
    rootfs=$work/rootfs
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
      { tail -20 "$work/debootstrap.log"; exit 1; }
    # Like the official image: the deb822 sources with updates and security, no caches.
    rm -f "$rootfs/etc/apt/sources.list"
    cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar --numeric-owner -C "$rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
  fi
  "$docker" import -c 'CMD ["bash"]' \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$tarball" "$base_image" >/dev/null
fi
pass "base image $base_image is present (debootstrap + docker import)"

prom_image=promwatch-e2e/prometheus:debian
if ! "$docker" image inspect "$prom_image" >/dev/null 2>&1; then
  ctx=$work/prometheus-image
  mkdir -p "$ctx"
  cp "$here/prometheus-image/Dockerfile" /usr/bin/prometheus /usr/bin/promtool "$ctx/"
  (cd "$work" && apt-get download busybox-static >/dev/null 2>&1) ||
    { log "apt-get download busybox-static failed"; exit 1; }
  dpkg-deb -x "$work"/busybox-static_*.deb "$work/busybox"
  cp "$work/busybox/bin/busybox" "$ctx/"
  DOCKER_BUILDKIT=0 "$docker" build -q --network none -t "$prom_image" "$ctx" >/dev/null
fi
pass "Prometheus image $prom_image from Debian's /usr/bin/prometheus"

# --- 3. the real Dockerfile -------------------------------------------------------------------
# The build stage is tagged too, so its layers (the apt install above all) stay cached for the
# next run after the old ones are pruned. --network host: the build stage runs apt-get.
log "building the Dockerfile (JOBS=$jobs; the dependency layer is cached after the first run)"
build_args=(--network host --build-arg "BASE_IMAGE=$base_image" --build-arg "JOBS=$jobs"
  --build-arg "REVISION=$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)"
  --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)")
start=$SECONDS
if DOCKER_BUILDKIT=0 "$docker" build --force-rm "${build_args[@]}" --target build -t promwatch-e2e/build:cache "$repo" >"$work/build.log" 2>&1 &&
  DOCKER_BUILDKIT=0 "$docker" build --force-rm "${build_args[@]}" -t promwatch:e2e "$repo" >>"$work/build.log" 2>&1; then
  pass "docker build of the Dockerfile ($((SECONDS - start))s; unit tests ran in the build stage)"
  grep -E 'tests passed|tests failed' "$work/build.log" | sed 's/^/    /' || true
else
  fail "docker build of the Dockerfile"
  tail -40 "$work/build.log"
  exit 1
fi
"$docker" image prune -f >/dev/null

size=$("$docker" image inspect -f '{{.Size}}' promwatch:e2e)
log "image size: $size bytes"
check "image is at most 10 MB ($size bytes)" test "$size" -le 10000000
inspect() { "$docker" image inspect -f "$1" promwatch:e2e; }
check "image user is 65534:65534" test "$(inspect '{{.Config.User}}')" = 65534:65534
check "ENTRYPOINT is exec form" test "$(inspect '{{json .Config.Entrypoint}}')" = '["/usr/bin/promwatch"]'
check "HEALTHCHECK runs promwatch healthcheck" \
  test "$(inspect '{{json .Config.Healthcheck.Test}}')" = '["CMD","/usr/bin/promwatch","healthcheck"]'
check "OCI labels are set" test -n "$(inspect '{{index .Config.Labels "org.opencontainers.image.revision"}}')"
files=$("$docker" create promwatch:e2e) && "$docker" export "$files" | tar -t >"$work/files.txt"
"$docker" rm "$files" >/dev/null
check "image has no shell" bash -c "! grep -qE '(^|/)(ba|da)?sh$' '$work/files.txt'"
log "image contents: $(grep -vc '/$' "$work/files.txt") files: $(grep -v '/$' "$work/files.txt" | tr '\n' ' ')"
run_ro=("$docker" run --rm --network none --read-only --cap-drop ALL --security-opt no-new-privileges)
check "promwatch --version runs read-only as 65534" "${run_ro[@]}" promwatch:e2e --version
check "promwatch check rules accepts the shipped alerting rules" \
  "${run_ro[@]}" -v "$repo/deploy/kubernetes/rules:/rules:ro" promwatch:e2e check rules /rules/promwatch-alerts.yml
check "promwatch check rules rejects a broken rule file" bash -c \
  "! $(printf '%q ' "${run_ro[@]}") -v '$here/testdata:/data:ro' promwatch:e2e check rules /data/broken-rules.yml"

# --- 4. the compose stack ---------------------------------------------------------------------
stack=$work/stack
mkdir -p "$stack"
cp "$repo/docker-compose.yml" "$here/compose.e2e.yml" "$stack/"
cp -r "$repo/examples" "$stack/examples"
chmod -R a+rX "$work" # Prometheus and promwatch run as 65534 and read the bind mount
check "docker-compose config -q (with the test override)" "${compose[@]}" config -q
"${compose[@]}" up -d --no-build >"$work/compose-up.log" 2>&1 || { cat "$work/compose-up.log"; fail "docker-compose up"; exit 1; }
pass "docker-compose up"
cid() { "${compose[@]}" ps -q "$1"; }
prom=$(cid prometheus)
pw=$(cid promwatch)
health() { test "$("$docker" inspect -f '{{.State.Health.Status}}' "$1")" = healthy; }
# Prometheus' and promwatch's HTTP endpoints, reached from inside their shared namespace.
prom_get() { "$docker" exec "$prom" wget -qO- "http://127.0.0.1:9090$1"; }
pw_get() { "$docker" exec "$prom" wget -qO- "http://127.0.0.1:9533$1"; }
metric() { pw_get /metrics | awk -v m="$1" '$1 == m { print $2; exit }'; }

wait_for 90 "Prometheus is healthy" health "$prom"
wait_for 60 "promwatch is healthy (HEALTHCHECK via promwatch healthcheck)" health "$pw"
check "promwatch runs as uid 65534" \
  grep -qE '^Uid:\s+65534\s' "/proc/$("$docker" inspect -f '{{.State.Pid}}' "$pw")/status"
check "promwatch's root filesystem is read-only" \
  test "$("$docker" inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$pw")" = true
wait_for 30 "promwatch /readyz answers 200" pw_get /readyz
rules_have() { prom_get /api/v1/rules | grep -q "\"name\":\"$1\""; }
rules_lack() { ! rules_have "$1"; }
wait_for 30 "Prometheus loaded the example rules" rules_have TargetDown
scraped() { prom_get '/api/v1/query?query=up%7Bjob%3D%22promwatch%22%7D' | grep -q '"value":\[[0-9.]*,"1"\]'; }
wait_for 60 "Prometheus scrapes promwatch over 127.0.0.1:9533" scraped

reloads_before=$(metric reloader_reloads_total || true)
rules=$stack/examples/rules
# Editors and config tools save by writing a new file and renaming it over the old one.
write_rules() { printf '%s\n' "$2" >"$rules/.$1.tmp" && mv -f "$rules/.$1.tmp" "$rules/$1"; }
write_rules e2e.yml 'groups:
  - name: e2e
    rules:
      - alert: E2EMarkerOne
        expr: vector(1) > 2'
wait_for 30 "a new rule file is loaded by Prometheus" rules_have E2EMarkerOne
sed -i 's/E2EMarkerOne/E2EMarkerTwo/' "$rules/e2e.yml"
wait_for 30 "a changed rule is loaded by Prometheus" rules_have E2EMarkerTwo
check "the old version of the changed rule is gone" rules_lack E2EMarkerOne
reloads_after=$(metric reloader_reloads_total || true)
log "reloader_reloads_total: ${reloads_before:-?} -> ${reloads_after:-?}"
check "reloader_reloads_total counted the reloads" \
  awk -v a="${reloads_before:-x}" -v b="${reloads_after:-x}" 'BEGIN { exit !(a ~ /^[0-9.e+]+$/ && b ~ /^[0-9.e+]+$/ && b - a >= 2) }'
check "reloader_last_reload_successful is 1" test "$(metric reloader_last_reload_successful)" = 1

failures_before=$(pw_get /metrics | awk '$1 ~ /^promwatch_validation_failures_total/ { s += $2 } END { print s + 0 }')
write_rules e2e.yml 'groups:
  - name: e2e
    rules:
      - alert: E2EMarkerBroken
        expr: sum(rate(up[5m])'
validation_failed() {
  test "$(pw_get /metrics | awk '$1 ~ /^promwatch_validation_failures_total/ { s += $2 } END { print s + 0 }')" -gt "$failures_before"
}
wait_for 30 "a broken rule file is counted in promwatch_validation_failures_total" validation_failed
sleep 2
check "Prometheus kept the last good rules after the broken change" rules_have E2EMarkerTwo
check "the broken rule never reached Prometheus" rules_lack E2EMarkerBroken
check "reloader_last_reload_successful is still 1" test "$(metric reloader_last_reload_successful)" = 1

pw_pid=$("$docker" inspect -f '{{.State.Pid}}' "$pw")
log "promwatch memory: $(grep -E '^Vm(RSS|HWM)' "/proc/$pw_pid/status" | tr -s ' \t\n' ' ')"
log "promwatch cpu (user+sys ticks since start): $(awk '{ print $14 + $15 }' "/proc/$pw_pid/stat")"

# The documented Docker Desktop setting: the same stack with the polling backend.
PROMWATCH_WATCH_BACKEND=poll "${compose[@]}" up -d --no-build promwatch >>"$work/compose-up.log" 2>&1
pw=$(cid promwatch)
check "PROMWATCH_WATCH_BACKEND=poll recreates promwatch with --watch-backend=poll" \
  bash -c "'$docker' inspect -f '{{json .Args}}' '$pw' | grep -q -- '--watch-backend=poll'"
wait_for 60 "promwatch (poll backend) is healthy" health "$pw"
wait_for 30 "promwatch (poll backend) /readyz answers 200" pw_get /readyz
write_rules e2e.yml 'groups:
  - name: e2e
    rules:
      - alert: E2EMarkerPoll
        expr: vector(1) > 2'
wait_for 30 "with polling, a changed rule is loaded by Prometheus" rules_have E2EMarkerPoll
