// The chart under test and the tools that check it: Helm at its pinned version
// (scripts/helm-binary.sh), `helm template` parsed into objects, the value sets every
// check runs on, and Dapr's CRDs from the Go module of the Dapr version this
// repository pins (dapr-runtime/go.mod).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "@dapr-orders/local-stack";

export { repoRoot };

export const chartDir = path.join(repoRoot, "charts", "dapr-orders");
export const componentsDir = path.join(repoRoot, "dapr-components");
/** The Kubernetes version the chart is rendered for and validated against (kubernetes-validate's newest). */
export const kubernetesVersion = "1.37.0";
/** The five apps, by Dapr app id, with their ports (README: the services and their ports). */
export const appPorts: Record<string, number> = {
  "order-processor": 3000,
  notifications: 3001,
  inventory: 3002,
  payments: 3003,
  shipping: 3004,
};

export type Doc = Record<string, any>;

/** Runs a provisioning script of scripts/ and returns the path it prints (its progress shows on stderr). */
export function provision(script: string): string {
  const result = spawnSync(path.join(repoRoot, "scripts", script), {
    cwd: repoRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (result.status !== 0) throw new Error(`scripts/${script} failed (exit ${result.status})`);
  return result.stdout.trim();
}

let helmBinary: string | undefined;
/** Helm 4 at the pinned version: built from its Go module the first time (minutes), then cached. */
export function helm(): string {
  return (helmBinary ??= provision("helm-binary.sh"));
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}
export function runHelm(args: string[]): Run {
  const { status, stdout, stderr } = spawnSync(helm(), args, {
    cwd: repoRoot,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status, stdout, stderr };
}

/** A set of chart values, as `--set` takes them ("apps.inventory.replicas": 2). */
export type Values = Record<string, string | number | boolean>;
export const setArgs = (values: Values) => Object.entries(values).flatMap(([key, value]) => ["--set", `${key}=${value}`]);

/** The value sets that every check runs on. */
export const variants: Record<string, Values> = {
  "the default values": {},
  "replicas > 1 (order-processor 3, inventory 2, notifications 2)": {
    "apps.order-processor.replicas": 3,
    "apps.inventory.replicas": 2,
    "apps.notifications.replicas": 2,
  },
  "an existing Redis and Secrets of one's own": {
    "redis.enabled": false,
    "redis.host": "redis-master.data.svc.cluster.local:6379",
    "redis.auth.existingSecret": "redis",
    "redis.auth.existingSecretPasswordKey": "redis-password",
    "dapr.apiToken.existingSecret": "orders-dapr-api-token",
    "dapr.appToken.existingSecret": "orders-app-token",
    "dashboard.operatorToken.existingSecret": "orders-operator-token",
    "image.registry": "registry.example.com",
    "image.tag": "2.0.0",
    "imagePullSecrets[0].name": "registry",
  },
  "a Redis without password, no volume, and the dashboard on a NodePort": {
    "redis.auth.enabled": false,
    "redis.persistence.enabled": false,
    "dashboard.serviceType": "NodePort",
    "dashboard.nodePort": 30001,
  },
};

/** The release name and namespace the chart is rendered with. */
export const release = { name: "dapr-orders", namespace: "orders" };

/** `helm template` of `chart` with `values`; throws with Helm's message when it fails. */
export function render(values: Values = {}, chart = chartDir): Doc[] {
  const result = runHelm(["template", release.name, chart, "--namespace", release.namespace, "--kube-version", kubernetesVersion, ...setArgs(values)]);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr.trim()}`);
  return parseManifests(result.stdout);
}

const rendered = new Map<string, Doc[]>();
/** The objects of a variant (rendered once per run). */
export function renderVariant(name: string): Doc[] {
  let docs = rendered.get(name);
  if (!docs) rendered.set(name, (docs = render(variants[name])));
  return structuredClone(docs);
}

/** Every non-empty YAML document of a multi-document text, as plain objects. */
export function parseManifests(text: string, source = "helm output"): Doc[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join("; ")}`);
      return doc.toJS() as Doc | null;
    })
    .filter((doc): doc is Doc => doc !== null && doc !== undefined);
}

export const isDapr = (doc: Doc) => String(doc.apiVersion).startsWith("dapr.io/");
export const named = (doc: Doc) => `${doc.kind} ${doc.metadata?.name}`;
export const ofKind = (docs: Doc[], kind: string) => docs.filter((doc) => doc.kind === kind);
export function find(docs: Doc[], kind: string, name: string): Doc | undefined {
  return docs.find((doc) => doc.kind === kind && doc.metadata?.name === name);
}

/** A Dapr resource file of dapr-components/ and one of its documents. */
export interface SourceDoc {
  file: string;
  doc: Doc;
}
/** Every document of every YAML file in dapr-components/, whatever files are there now. */
export function componentsFolder(dir = componentsDir): SourceDoc[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .flatMap((name) => {
      const file = `dapr-components/${name}`;
      return parseManifests(readFileSync(path.join(dir, name), "utf8"), file).map((doc) => ({ file, doc }));
    });
}

/** The Dapr version this repository pins: github.com/dapr/dapr in dapr-runtime/go.mod. */
export function daprVersion(): string {
  const goMod = readFileSync(path.join(repoRoot, "dapr-runtime", "go.mod"), "utf8");
  const version = /^\s*github\.com\/dapr\/dapr\s+v(\S+)/m.exec(goMod)?.[1];
  if (!version) throw new Error("github.com/dapr/dapr is not required in dapr-runtime/go.mod");
  return version;
}

/**
 * The folder of Dapr's CRDs (charts/dapr/crds) in the Go module github.com/dapr/dapr at
 * the pinned version: in Go's module cache (scripts/dapr-binaries.sh puts it there), or
 * downloaded into it through the Go module proxy.
 */
export function daprCrdDir(version = daprVersion()): string {
  const go = (...args: string[]) => execFileSync("go", args, { cwd: os.tmpdir(), encoding: "utf8" }).trim();
  let dir = path.join(go("env", "GOMODCACHE"), "github.com", "dapr", `dapr@v${version}`);
  if (!existsSync(dir)) {
    dir = (JSON.parse(go("mod", "download", "-json", `github.com/dapr/dapr@v${version}`)) as { Dir: string }).Dir;
  }
  return path.join(dir, "charts", "dapr", "crds");
}

/** The CustomResourceDefinitions of a folder. */
export function readCrds(dir: string): Doc[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .flatMap((name) => parseManifests(readFileSync(path.join(dir, name), "utf8"), name))
    .filter((doc) => doc.kind === "CustomResourceDefinition");
}

/** The paths where two JSON values differ ("spec.topic: 'a' ≠ 'b'"), at most `limit` of them. */
export function differences(a: unknown, b: unknown, at = "", limit = 10): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, where: string) => {
    if (out.length >= limit) return;
    if (x !== null && y !== null && typeof x === "object" && typeof y === "object" && Array.isArray(x) === Array.isArray(y)) {
      const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
      for (const key of keys) {
        walk((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key], where ? `${where}.${key}` : key);
      }
    } else if (JSON.stringify(x) !== JSON.stringify(y)) {
      out.push(`${where || "(the whole)"}: ${JSON.stringify(x)} ≠ ${JSON.stringify(y)}`);
    }
  };
  walk(a, b, at);
  return out;
}
