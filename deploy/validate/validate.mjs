// Validates Kubernetes objects (a multi-document YAML stream on stdin, as `kubectl kustomize` prints it) against the
// Kubernetes, KEDA and prometheus-operator schemas shipped by the kubernetes-models packages.
// Prints one line per object and exits 1 when any object is invalid or of an unknown kind.
import { parseAllDocuments } from "yaml";

const packages = [
  [/^(v1|[a-z.]*k8s\.io\/.+|apps\/v1|batch\/v1|policy\/v1|autoscaling\/v2)$/, "kubernetes-models"],
  [/^(keda\.sh|eventing\.keda\.sh)\//, "@kubernetes-models/keda"],
  [/^monitoring\.coreos\.com\//, "@kubernetes-models/prometheus-operator"],
];

async function modelFor(apiVersion, kind) {
  const match = packages.find(([pattern]) => pattern.test(apiVersion));
  if (!match) return null;
  const module = await import(`${match[1]}/${apiVersion}`).catch(() => null);
  return module?.[kind] ?? null;
}

const input = await new Promise((resolve) => {
  let text = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
});

let failures = 0;
let count = 0;
for (const doc of parseAllDocuments(input)) {
  if (doc.errors.length > 0) {
    console.log(`INVALID YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
    failures++;
    continue;
  }
  const object = doc.toJS();
  if (object == null) continue;
  count++;
  const name = `${object.apiVersion}/${object.kind} ${object.metadata?.namespace ?? "-"}/${object.metadata?.name}`;
  const Model = await modelFor(object.apiVersion, object.kind);
  if (!Model) {
    console.log(`UNKNOWN ${name}: no schema for this apiVersion and kind`);
    failures++;
    continue;
  }
  try {
    new Model(object).validate();
    console.log(`ok ${name}`);
  } catch (error) {
    const details = error.errors ? error.errors.map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ") : error.message;
    console.log(`INVALID ${name}: ${details}`);
    failures++;
  }
}

if (count === 0) {
  console.log("no objects in the input");
  process.exit(1);
}
console.log(`${count} object(s), ${failures} invalid`);
process.exit(failures > 0 ? 1 : 0);
