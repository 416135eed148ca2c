#!/usr/bin/env bash
# Installs dependencies, builds promwatch, and runs a live demo: a real Prometheus on
# 127.0.0.1 loading a copy of examples/, with promwatch watching it. Ctrl-C stops both.
#   PROMETHEUS_PORT (default 9090) and PROMWATCH_PORT (default 9533) move the ports.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target promwatch

prom_port=${PROMETHEUS_PORT:-9090}
pw_port=${PROMWATCH_PORT:-9533}
for port in "$prom_port" "$pw_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "demo: port $port on 127.0.0.1 is in use; set PROMETHEUS_PORT / PROMWATCH_PORT" >&2
    exit 1
  fi
done

demo=$root/build/demo
rm -rf "$demo"
mkdir -p "$demo/data"
cp -r examples "$demo/config"
# Point the example's scrape targets at the ports this demo uses.
sed -i "s/127.0.0.1:9090/127.0.0.1:$prom_port/; s/127.0.0.1:9533/127.0.0.1:$pw_port/" \
  "$demo/config/prometheus.yml"

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

prometheus --config.file="$demo/config/prometheus.yml" --storage.tsdb.path="$demo/data" \
  --web.listen-address="127.0.0.1:$prom_port" --web.enable-lifecycle \
  >"$demo/prometheus.log" 2>&1 &
pids+=($!)

build/release/promwatch --config-file="$demo/config/prometheus.yml" \
  --reload-url="http://127.0.0.1:$prom_port/-/reload" --listen-address="127.0.0.1:$pw_port" &
pids+=($!)

cat <<MSG

  promwatch demo is running.
    Prometheus:  http://127.0.0.1:$prom_port/rules   (log: $demo/prometheus.log)
    promwatch:   http://127.0.0.1:$pw_port/status  and  /metrics

  Try it, in another terminal:
    \$EDITOR $demo/config/rules/demo.yml        # change a rule: Prometheus reloads at once
    echo 'groups: [{name: x, rules: [{record: y, expr: "sum("}]}]' > $demo/config/rules/bad.yml
                                                 # a broken file: promwatch prints file:line:col,
                                                 # Prometheus keeps the last good rules
    rm $demo/config/rules/bad.yml                # back to valid

  Ctrl-C stops the demo.

MSG
wait -n "${pids[@]}"
