// Validates rendered Kubernetes manifests offline against the Kubernetes OpenAPI schemas.
//
//   node validate-manifests.mjs NODE_DIR FILE.yaml...
//
// NODE_DIR holds node_modules with kubernetes-models, @kubernetes-models/prometheus-operator,
// js-yaml and typescript (tests/packaging/run.sh installs them). Two checks per object:
//  1. the JSON-schema validator that kubernetes-models generated from the Kubernetes OpenAPI
//     document (types, required fields, formats, enums);
//  2. unknown fields, which those schemas allow: every object is written out as a typed
//     TypeScript literal and compiled with tsc, whose excess-property check rejects any key the
//     API does not define (a misspelt `readOnlyRootFileSystem` would otherwise pass silently,
//     and the API server would drop it).
// Prints one line per object and exits 1 on any error.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const [nodeDir, ...files] = process.argv.slice(2);
if (!nodeDir || files.length === 0) {
  console.error("usage: validate-manifests.mjs NODE_DIR FILE.yaml...");
  process.exit(2);
}
const modules = path.join(nodeDir, "node_modules");
const yaml = (await import(path.join(modules, "js-yaml", "index.js"))).default;

// apiVersion "apps/v1" -> kubernetes-models/apps/v1/<Kind>; CRDs of prometheus-operator
// from their own package.
function modelPackage(apiVersion) {
  if (apiVersion.startsWith("monitoring.coreos.com/")) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  }
  return `kubernetes-models/${apiVersion}`;
}

const objects = [];
for (const file of files) {
  for (const doc of yaml.loadAll(readFileSync(file, "utf8"))) {
    if (doc !== null && doc !== undefined) objects.push({ file, doc });
  }
}

let failures = 0;
const tsLines = [];
for (const [i, { file, doc }] of objects.entries()) {
  const what = `${doc.kind}/${doc.metadata?.name ?? "?"} (${path.basename(file)})`;
  if (typeof doc.apiVersion !== "string" || typeof doc.kind !== "string") {
    console.log(`FAIL ${what}: missing apiVersion or kind`);
    failures++;
    continue;
  }
  const pkg = `${modelPackage(doc.apiVersion)}/${doc.kind}`;
  let Model;
  try {
    const entry = path.join(modules, pkg + ".js");
    Model = (await import(entry))[doc.kind];
  } catch {
    console.log(`FAIL ${what}: no schema for ${doc.apiVersion} ${doc.kind}`);
    failures++;
    continue;
  }
  try {
    new Model(doc).validate();
    console.log(`ok   ${what}: ${doc.apiVersion} schema`);
  } catch (err) {
    console.log(`FAIL ${what}: ${err.message}`);
    failures++;
  }
  tsLines.push(`import type { I${doc.kind} as T${i} } from "${pkg}";`);
  tsLines.push(`export const o${i}: T${i} = ${JSON.stringify(doc, null, 2)};`);
}

// Strict pass: tsc reports excess (unknown) properties in object literals at any depth.
const work = mkdtempSync(path.join(nodeDir, "strict-"));
try {
  writeFileSync(path.join(work, "manifests.ts"), tsLines.join("\n") + "\n");
  const tsc = path.join(modules, "typescript", "bin", "tsc");
  execFileSync(process.execPath, [tsc, "--noEmit", "--strict", "--skipLibCheck",
    "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext",
    path.join(work, "manifests.ts")], { stdio: "pipe" });
  console.log(`ok   ${objects.length} objects: no unknown fields (strict)`);
} catch (err) {
  const out = `${err.stdout ?? ""}${err.stderr ?? ""}`.trim() || err.message;
  console.log(`FAIL unknown or mistyped fields:\n${out}`);
  failures++;
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(`validate-manifests: ${objects.length} objects, ${failures} failures`);
process.exit(failures === 0 ? 0 : 1);
