// Checks the promises deploy/kubernetes makes, on the rendered manifests:
//   node check-policy.mjs NODE_DIR RENDERED.yaml PLAIN_RULES.yml PROMETHEUSRULE.yaml
// - every container is hardened (non-root 65534, read-only root fs, no privilege escalation,
//   all capabilities dropped, seccomp RuntimeDefault) and has requests and a memory limit;
// - Prometheus is a StatefulSet of 2 and each pod has promwatch as a native sidecar
//   (init container with restartPolicy: Always) with startup, readiness and liveness probes on
//   promwatch's endpoints, reloading Prometheus over 127.0.0.1;
// - ConfigMaps keep stable names and are mounted as directories (no subPath);
// - a Service exposes promwatch's metrics port;
// - the PrometheusRule carries exactly the groups of the plain rule file.
// Prints one line per check and exits 1 on any failure.
import { readFileSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";

const [nodeDir, renderedFile, plainRulesFile, prometheusRuleFile] = process.argv.slice(2);
const yaml = (await import(path.join(nodeDir, "node_modules", "js-yaml", "index.js"))).default;
const objects = yaml.loadAll(readFileSync(renderedFile, "utf8")).filter(Boolean);

let failures = 0;
function expect(what, ok, detail = "") {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok || !detail ? "" : `: ${detail}`}`);
  if (!ok) failures++;
}
const find = (kind, name) => objects.find((o) => o.kind === kind && o.metadata?.name === name);

const sts = find("StatefulSet", "prometheus");
expect("StatefulSet prometheus exists", Boolean(sts));
if (sts) {
  const pod = sts.spec.template.spec;
  expect("2 replicas (HA pair)", sts.spec.replicas === 2, `replicas=${sts.spec.replicas}`);
  const sidecar = (pod.initContainers ?? []).find((c) => c.name === "promwatch");
  expect("promwatch is a native sidecar (initContainers, restartPolicy: Always)",
    sidecar?.restartPolicy === "Always");
  if (sidecar) {
    const probe = (p) => `${p?.httpGet?.path}:${p?.httpGet?.port}`;
    expect("startupProbe on /healthz", probe(sidecar.startupProbe) === "/healthz:promwatch");
    expect("readinessProbe on /readyz", probe(sidecar.readinessProbe) === "/readyz:promwatch");
    expect("livenessProbe on /healthz", probe(sidecar.livenessProbe) === "/healthz:promwatch");
    expect("promwatch reloads over 127.0.0.1",
      sidecar.args.includes("--reload-url=http://127.0.0.1:9090/-/reload"));
    expect("promwatch listens on :9533", sidecar.args.includes("--listen-address=:9533"));
  }
  const prom = pod.containers.find((c) => c.name === "prometheus");
  expect("Prometheus runs with --web.enable-lifecycle", prom?.args.includes("--web.enable-lifecycle"));
  expect("pod seccomp RuntimeDefault and non-root",
    pod.securityContext?.seccompProfile?.type === "RuntimeDefault" && pod.securityContext?.runAsNonRoot === true);
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    const sc = c.securityContext ?? {};
    expect(`${c.name}: non-root 65534, read-only root fs, no privilege escalation, no capabilities, RuntimeDefault`,
      sc.runAsNonRoot === true && sc.runAsUser === 65534 && sc.runAsGroup === 65534 &&
      sc.readOnlyRootFilesystem === true && sc.allowPrivilegeEscalation === false &&
      isDeepStrictEqual(sc.capabilities?.drop, ["ALL"]) && sc.seccompProfile?.type === "RuntimeDefault",
      JSON.stringify(sc));
    expect(`${c.name}: cpu and memory requests and a memory limit`,
      Boolean(c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.memory));
    expect(`${c.name}: no subPath mounts (they never update)`,
      (c.volumeMounts ?? []).every((m) => m.subPath === undefined && m.subPathExpr === undefined));
  }
  for (const v of pod.volumes.filter((v) => v.configMap)) {
    expect(`ConfigMap ${v.configMap.name} is rendered under the name the pod mounts`,
      Boolean(find("ConfigMap", v.configMap.name)));
  }
}
const svc = objects.find((o) => o.kind === "Service" &&
  o.spec.ports.some((p) => p.port === 9533 && p.targetPort === "promwatch"));
expect("a Service exposes promwatch's metrics port 9533", Boolean(svc));

const plain = yaml.load(readFileSync(plainRulesFile, "utf8"));
const operator = yaml.load(readFileSync(prometheusRuleFile, "utf8"));
expect("PrometheusRule spec.groups equals the plain rule file's groups",
  isDeepStrictEqual(operator.spec?.groups, plain.groups));
const alerts = plain.groups.flatMap((g) => g.rules.map((r) => r.alert));
for (const metric of ["reloader_last_reload_successful", "promwatch_validation_failures_total",
  "reloader_watch_errors_total"]) {
  expect(`an alert uses ${metric}`,
    plain.groups.some((g) => g.rules.some((r) => r.alert && r.expr.includes(metric))), alerts.join(","));
}

console.log(`check-policy: ${failures} failures`);
process.exit(failures === 0 ? 0 : 1);
