// The cluster under test and the commands that drive it: the provisioning (binaries and
// images, built once and cached), the cluster itself (cluster.sh), Dapr's control plane from
// Dapr's own Helm chart, and the project's chart installed as a user installs it. Each is done
// once per run, by the root hooks; the teardown (logs saved, cluster.sh down) happens whatever
// else does.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { tokenVariable } from "@dapr-orders/local-stack";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
/** The cluster's logs, the pods' logs and the listings of the last run (git-ignored). */
export const artifacts = path.join(repoRoot, "test-artifacts", "k8s");
const clusterScript = path.join(repoRoot, "k8s-tests", "cluster.sh");
const script = (name: string) => path.join(repoRoot, "scripts", name);

/** The release of the project's chart, in its own namespace; Dapr's control plane in dapr-system. */
export const release = "dapr-orders";
export const namespace = "dapr-orders";
export const daprNamespace = "dapr-system";
export const apps = ["order-processor", "notifications", "inventory", "payments", "shipping"];
/** The app image tags: the one installed, and the one `helm upgrade` moves to. */
export const tags = { installed: "test-1", upgraded: "test-2" };

/**
 * What the release runs with: the end-to-end suite's settings (e2e-tests/test/target.ts's
 * defaults, among them a 15 s approval timeout), two replicas of order-processor and
 * inventory, the dashboard on a node port, the images imported into the node (never pulled).
 */
export function releaseValues(imageTag: string) {
  const app = (replicas: number, env: Record<string, string> = {}) => ({ replicas, env });
  return {
    image: { tag: imageTag, pullPolicy: "Never" },
    apps: {
      "order-processor": app(2, { APPROVAL_THRESHOLD: "1000", APPROVAL_TIMEOUT_SECONDS: "15" }),
      notifications: app(1, { HISTORY_LENGTH: "50000" }),
      inventory: app(2, { RESTOCK_QUANTITY: "100" }),
      payments: app(1, { PAYMENT_CARD_LIMIT: "5000" }),
      shipping: app(1, { SHIPPING_BLOCKED_CUSTOMERS: "nowhere" }),
    },
    dashboard: { serviceType: "NodePort" },
    redis: { image: { repository: "local/redis", tag: "7", pullPolicy: "Never" } },
  };
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Shown as it comes (progress of the provisioning scripts). */
  showStderr?: boolean;
  input?: string;
}

/** Runs a command to its end; resolves with its stdout, rejects with the end of its output. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", options.showStderr ? "inherit" : "pipe"],
    });
    let stdout = "";
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk));
    if (options.input !== undefined) child.stdin!.end(options.input);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) return resolve(stdout);
      const tail = output.trimEnd().split("\n").slice(-40).join("\n");
      reject(new Error(`\`${[command, ...args].join(" ")}\` ${signal === null ? `exited with ${code}` : `was stopped by ${signal}`}:\n${tail}`));
    });
  });
}

export interface Cluster {
  dir: string;
  bin: string;
  helm: string;
  kubeconfig: string;
  nodeIp: string;
  containerdAddress: string;
}

let cluster: Cluster | undefined;

export function theCluster(): Cluster {
  if (cluster === undefined) throw new Error("the cluster is not up (root hooks)");
  return cluster;
}

/** The variables a provisioning script printed as `export NAME=value` lines. */
const exported = (text: string) => Object.fromEntries([...text.matchAll(/^export (\w+)="?([^"\n]*)"?$/gm)].map((m) => [m[1]!, m[2]!]));

/**
 * Docker, the Kubernetes binaries, Helm and the images (the first time: builds of many
 * minutes, then cached), then the cluster, with every image imported into its containerd.
 */
export async function clusterUp(): Promise<Cluster> {
  const timed = async <T>(what: string, work: () => Promise<T>) => {
    const started = Date.now();
    const result = await work();
    console.log(`    ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };
  await timed("Docker engine", () => run(script("docker-engine.sh"), [], { showStderr: true }));
  const bin = (await timed("Kubernetes binaries", () => run(script("kubernetes-binaries.sh"), [], { showStderr: true }))).trim();
  const helm = (await timed("Helm", () => run(script("helm-binary.sh"), [], { showStderr: true }))).trim();
  const images = exported(await timed("images", () => run(script("kubernetes-images.sh"), [tags.installed], { showStderr: true })));
  imageNames = images;
  const dir = `/tmp/dapr-orders-k8s-${process.pid}`;
  const all = [images.PAUSE_IMAGE, images.COREDNS_IMAGE, images.REDIS_IMAGE, ...images.DAPR_IMAGES!.split(" "), ...images.APP_IMAGES!.split(" ")];
  clusterDir = dir;
  const env = { ...process.env, K8S_BIN: bin, IMAGES: all.join(" "), PAUSE_IMAGE: images.PAUSE_IMAGE, COREDNS_IMAGE: images.COREDNS_IMAGE };
  await timed("cluster up (etcd, API server, controller manager, scheduler, containerd, kubelet, kube-proxy, CoreDNS)", () =>
    run(clusterScript, ["up", dir], { env, showStderr: true }),
  );
  const clusterEnv = Object.fromEntries(
    (await run("cat", [path.join(dir, "env")])).split("\n").flatMap((line) => (line.includes("=") ? [line.split(/=(.*)/s).slice(0, 2) as [string, string]] : [])),
  );
  cluster = { dir, bin, helm, kubeconfig: clusterEnv.KUBECONFIG!, nodeIp: clusterEnv.NODE_IP!, containerdAddress: clusterEnv.CONTAINERD_ADDRESS! };
  return cluster;
}

let clusterDir: string | undefined;
let imageNames: Record<string, string> = {};

export const images = () => imageNames;

/** Builds the app images at `tag` and imports them into the node (for an upgrade). */
export async function importAppImages(tag: string): Promise<void> {
  const built = exported(await run(script("kubernetes-images.sh"), [tag], { showStderr: true }));
  await run(clusterScript, ["import", theCluster().dir, ...built.APP_IMAGES!.split(" ")], { showStderr: true });
}

export const kubectl = (args: string[], input?: string) => run(theCluster().bin + "/kubectl", ["--kubeconfig", theCluster().kubeconfig, ...args], { input });

export const helm = (args: string[]) => run(theCluster().helm, ["--kubeconfig", theCluster().kubeconfig, ...args]);

/** Dapr's control plane from Dapr's own chart (the pinned github.com/dapr/dapr module), its images the local builds. */
export async function installDapr(): Promise<void> {
  const dir = (await run("go", ["list", "-m", "-f", "{{.Dir}}", "github.com/dapr/dapr"], { cwd: path.join(repoRoot, "dapr-runtime") })).trim();
  const version = imageNames.DAPR_VERSION!;
  await helm([
    "install", "dapr", path.join(dir, "charts", "dapr"),
    "--namespace", daprNamespace, "--create-namespace",
    "--set", "global.registry=local",
    "--set", `global.tag=${version}`,
    "--set", "global.imagePullPolicy=Never",
    "--set", "dapr_sidecar_injector.sidecarImagePullPolicy=Never",
    "--wait", "--timeout", "10m",
  ]);
}

/** The project's chart, as a user installs it: `helm install` with a values file. */
export async function installApps(): Promise<void> {
  const values = path.join(theCluster().dir, "values.json");
  writeFileSync(values, JSON.stringify(releaseValues(tags.installed)));
  await helm([
    "install", release, path.join(repoRoot, "charts", "dapr-orders"),
    "--namespace", namespace, "--create-namespace",
    "--values", values,
    "--wait", "--timeout", "10m",
  ]);
}

/** `helm upgrade` of the release, the values it has plus `sets` (--set-string). */
export async function upgradeApps(sets: string[]): Promise<void> {
  await helm(["upgrade", release, path.join(repoRoot, "charts", "dapr-orders"), "--namespace", namespace, "--reuse-values",
    ...sets.flatMap((s) => ["--set-string", s]), "--wait", "--timeout", "10m"]);
}

// ---- what the tests read of the cluster ----------------------------------------------------------

export interface Pod {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { containers: { name: string; image: string }[] };
  status: {
    phase: string;
    podIP?: string;
    containerStatuses?: { name: string; ready: boolean; restartCount: number; containerID?: string; image: string }[];
  };
}

export async function pods(ns: string, selector?: string): Promise<Pod[]> {
  const args = ["get", "pods", "--namespace", ns, "--output", "json", ...(selector ? ["--selector", selector] : [])];
  return (JSON.parse(await kubectl(args)) as { items: Pod[] }).items;
}

export const appSelector = (app: string) => `app.kubernetes.io/instance=${release},app.kubernetes.io/component=${app}`;

/** Base URLs of the apps from this node: each Service's cluster IP (kube-proxy), the dashboard's node port. */
export async function appUrls(): Promise<Record<string, string>> {
  const services = JSON.parse(await kubectl(["get", "services", "--namespace", namespace, "--output", "json"])) as {
    items: { metadata: { name: string }; spec: { clusterIP: string; ports: { port: number; nodePort?: number }[]; type: string } }[];
  };
  const urls: Record<string, string> = {};
  for (const app of apps) {
    const service = services.items.find((s) => s.metadata.name === `${release}-${app}`);
    if (service === undefined) throw new Error(`no Service ${release}-${app}`);
    const port = service.spec.ports[0]!;
    urls[app] = service.spec.type === "NodePort" ? `http://${theCluster().nodeIp}:${port.nodePort}` : `http://${service.spec.clusterIP}:${port.port}`;
  }
  return urls;
}

/** The release's Secrets as the e2e suite names them: OPERATOR_TOKEN and <APP>_DAPR_API_TOKEN, <APP>_APP_API_TOKEN. */
export async function credentialsEnv(): Promise<Record<string, string>> {
  const secret = async (name: string) =>
    Buffer.from((await kubectl(["get", "secret", name, "--namespace", namespace, "--output", "jsonpath={.data.token}"])).trim(), "base64").toString();
  const env: Record<string, string> = { OPERATOR_TOKEN: await secret(`${release}-operator-token`) };
  for (const app of apps) {
    env[tokenVariable(app, "DAPR_API_TOKEN")] = await secret(`${release}-${app}-dapr-api-token`);
    env[tokenVariable(app, "APP_API_TOKEN")] = await secret(`${release}-${app}-app-api-token`);
  }
  return env;
}

/** The host PID of a container's main process (containerd's task list). */
export async function containerPid(containerId: string): Promise<number> {
  const id = containerId.replace(/^containerd:\/\//, "");
  const tasks = await run("ctr", ["--address", theCluster().containerdAddress, "--namespace", "k8s.io", "tasks", "list"]);
  const line = tasks.split("\n").find((l) => l.startsWith(id));
  const pid = Number(line?.split(/\s+/)[1]);
  if (!(pid > 0)) throw new Error(`no running task for container ${id}`);
  return pid;
}

// ---- teardown --------------------------------------------------------------------------------------

/** Saves what the cluster ran (pods, events, every container's log), then takes it down. Once. */
export function clusterDown(): Promise<string[]> {
  tearingDown ??= takeDown();
  return tearingDown;
}

let tearingDown: Promise<string[]> | undefined;

async function takeDown(): Promise<string[]> {
  if (clusterDir === undefined) return [];
  rmSync(artifacts, { recursive: true, force: true }); // the last run's only
  mkdirSync(artifacts, { recursive: true });
  const problems: string[] = [];
  if (cluster !== undefined) {
    const save = async (file: string, args: string[]) =>
      writeFileSync(path.join(artifacts, file), await kubectl(["--request-timeout", "20s", ...args]).catch((err: unknown) => String(err)));
    await save("pods.txt", ["get", "pods", "--all-namespaces", "--output", "wide"]);
    await save("events.txt", ["get", "events", "--all-namespaces", "--sort-by", ".lastTimestamp"]);
    mkdirSync(path.join(artifacts, "pods"), { recursive: true });
    for (const ns of [namespace, daprNamespace, "kube-system"]) {
      for (const pod of await pods(ns).catch(() => [])) {
        for (const container of pod.spec.containers) {
          const base = path.join(artifacts, "pods", `${ns}_${pod.metadata.name}_${container.name}`);
          const logs = (previous: boolean) =>
            kubectl(["--request-timeout", "20s", "logs", "--namespace", ns, pod.metadata.name, "--container", container.name, "--timestamps", ...(previous ? ["--previous"] : [])]).catch(() => "");
          writeFileSync(`${base}.log`, await logs(false));
          const before = await logs(true);
          if (before !== "") writeFileSync(`${base}.previous.log`, before);
        }
      }
    }
  }
  const down = spawnSync(clusterScript, ["down", clusterDir], {
    env: { ...process.env, KEEP_LOGS: path.join(artifacts, "cluster") },
    encoding: "utf8",
  });
  if (down.status !== 0) problems.push(`cluster.sh down failed:\n${down.stderr}`);
  if (existsSync(clusterDir)) problems.push(`${clusterDir} is still there`);
  return problems;
}

/** Until the returned function is called, an interrupt takes the cluster down and exits. */
export function teardownOnInterrupt(): () => void {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: taking the test cluster down`);
    void clusterDown().then((problems) => {
      for (const problem of problems) console.error(problem);
      process.exit(130);
    });
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
