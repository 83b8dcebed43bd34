// What each process of the stack is started with: command, arguments, environment.
// Pure: the same inputs give the same specs (commands.test.ts checks them); starting
// them and waiting for them is stack.ts's job.
import path from "node:path";
import { controlPlanePorts } from "./ports.js";
import type { ProcessSpec } from "./process.js";
import type { AppSpec } from "./run-file.js";
import type { AppSecrets } from "./secrets.js";

const p = controlPlanePorts;
const sentryAddress = `127.0.0.1:${p.sentry}`;

/** Where the control plane's binaries are, and where it keeps its files. */
export interface ControlPlaneDirs {
  daprBinDir: string;
  dataDir: string;
}

/** Sentry's CA certificate, which it writes in dataDir/sentry the first time. */
export const trustAnchorsFile = (dataDir: string) => path.join(dataDir, "sentry", "ca.crt");

/**
 * Dapr Sentry, the certificate authority of mTLS: the first time, it makes a root
 * and an issuer certificate in dataDir/sentry and keeps them there; every sidecar,
 * placement and the scheduler ask it for their certificates (self-hosted Sentry
 * issues one for whatever app id a sidecar names: who can reach its port can get
 * one, so it listens on 127.0.0.1 only).
 */
export function sentry({ daprBinDir, dataDir }: ControlPlaneDirs, configFile: string): ProcessSpec {
  return {
    name: "sentry",
    command: path.join(daprBinDir, "sentry"),
    args: [
      ...["--port", String(p.sentry), "--listen-address", "127.0.0.1"],
      ...["--healthz-port", String(p.sentryHealthz)], // its healthz takes no listen address
      ...["--metrics-port", String(p.sentryMetrics), "--metrics-listen-address", "127.0.0.1"],
      ...["--issuer-credentials", path.join(dataDir, "sentry"), "--trust-domain", "localhost"],
      // Sentry needs a Configuration to start; it reads only its spec.mtls (none in
      // ours: certificates for 24 h, the default).
      ...["--config", configFile],
    ],
  };
}

/** The flags that make placement or the scheduler serve over mTLS, with a certificate from Sentry. */
function controlPlaneTls(dataDir: string): string[] {
  return ["--tls-enabled", ...["--trust-domain", "localhost", "--trust-anchors-file", trustAnchorsFile(dataDir)], ...["--sentry-address", sentryAddress]];
}

export function placement({ daprBinDir, dataDir }: ControlPlaneDirs, port: number): ProcessSpec {
  return {
    name: "placement",
    command: path.join(daprBinDir, "placement"),
    args: [
      ...["--port", String(port), "--listen-address", "127.0.0.1"],
      ...["--healthz-port", String(p.placementHealthz), "--healthz-listen-address", "127.0.0.1"],
      ...["--metrics-port", String(p.placementMetrics), "--metrics-listen-address", "127.0.0.1"],
      ...["--initial-cluster", `dapr-placement-0=127.0.0.1:${p.placementRaft}`],
      ...controlPlaneTls(dataDir),
    ],
  };
}

/** The scheduler, with its etcd data in dataDir/scheduler (reminders survive a restart). */
export function scheduler({ daprBinDir, dataDir }: ControlPlaneDirs, port: number): ProcessSpec {
  return {
    name: "scheduler",
    command: path.join(daprBinDir, "scheduler"),
    args: [
      ...["--port", String(port), "--listen-address", "127.0.0.1"],
      ...["--healthz-port", String(p.schedulerHealthz), "--healthz-listen-address", "127.0.0.1"],
      ...["--metrics-port", String(p.schedulerMetrics), "--metrics-listen-address", "127.0.0.1"],
      ...["--id", "dapr-scheduler-server-0", "--etcd-data-dir", path.join(dataDir, "scheduler")],
      ...["--etcd-client-port", String(p.etcdClient), "--etcd-client-listen-address", "127.0.0.1"],
      ...["--etcd-initial-cluster", `dapr-scheduler-server-0=http://127.0.0.1:${p.etcdPeer}`],
      ...controlPlaneTls(dataDir),
      ...["--identity-directory-write", path.join(dataDir, "scheduler-identity")],
    ],
  };
}

/** A Redis of the stack's own, its append-only file in `dir`: workflow state survives a restart of the stack. */
/** The private Redis's memory limit unless REDIS_MAXMEMORY says otherwise. */
export const defaultRedisMaxMemory = "1gb";

/** Redis with its data in `dir`, a memory limit and noeviction (a full Redis refuses writes, never drops a key). */
export function redisServer(server: string, port: number, dir: string, password: string, maxMemory = defaultRedisMaxMemory): ProcessSpec {
  return {
    name: "redis",
    command: server,
    // "-": the first config lines come from stdin, the password among them: not as an
    // argument, which any user of the machine sees in ps.
    args: ["-", "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--save", "", "--maxmemory", maxMemory, "--maxmemory-policy", "noeviction"],
    stdin: `requirepass ${JSON.stringify(password)}\n`, // quoted and escaped as Redis's config reads it
  };
}

/**
 * Zipkin, the sidecars' trace store, API and UI: its in-memory storage (the traces
 * go with it), on 127.0.0.1 only.
 */
export function zipkin(java: string, jar: string, baseEnv: NodeJS.ProcessEnv): ProcessSpec {
  const port = String(p.zipkin);
  return {
    name: "zipkin",
    command: java,
    // A small heap, the quick compiler (it starts in seconds), at most 100 000 spans kept.
    args: ["-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar", jar, `--armeria.ports[0].ip=127.0.0.1`, `--armeria.ports[0].port=${port}`],
    env: { ...baseEnv, QUERY_PORT: port, MEM_MAX_SPANS: "100000" },
  };
}

/** What the sidecars and apps share: the Redis, the tokens, where things are. */
export interface AppContext {
  daprBinDir: string;
  resourcesPath: string;
  /** The Configurations every sidecar loads (--config each). */
  configFiles: string[];
  /** Sentry's CA certificate (PEM). */
  trustAnchors: string;
  redisHost: string;
  redisPassword: string;
  tokens: AppSecrets;
  /** Where the dashboard links an order's trace; empty: tracing is off. */
  zipkinUiUrl: string;
  /** Environment for every app, over what the run file says. */
  stackEnv: Record<string, string>;
  /** The environment everything starts from (process.env). */
  baseEnv: NodeJS.ProcessEnv;
  /** The node binary for apps whose command is `node`. */
  node: string;
}

/** The app's daprd, as the Dapr CLI would start it, with mTLS through Sentry. */
export function sidecar(app: AppSpec, c: AppContext): ProcessSpec {
  return {
    name: `${app.name}-dapr`,
    command: path.join(c.daprBinDir, "daprd"),
    args: [
      ...["--app-id", app.appId, "--app-port", String(app.appPort), "--app-protocol", "http"],
      ...["--dapr-http-port", String(app.daprHttpPort), "--dapr-grpc-port", String(app.daprGrpcPort)],
      ...["--dapr-internal-grpc-port", String(app.daprInternalGrpcPort)],
      ...["--dapr-listen-addresses", "127.0.0.1", "--dapr-internal-grpc-listen-address", "127.0.0.1"],
      ...["--metrics-port", String(app.metricsPort), "--metrics-listen-address", "127.0.0.1"],
      ...["--resources-path", c.resourcesPath],
      ...c.configFiles.flatMap((file) => ["--config", file]),
      ...["--enable-mtls", "--sentry-address", sentryAddress],
      // Empty addresses: a sidecar without actors or workflows does not keep
      // trying to reach placement and scheduler.
      ...["--placement-host-address", app.placementHostAddress ?? ""],
      ...["--scheduler-host-address", app.schedulerHostAddress ?? ""],
      ...(app.logLevel === undefined ? [] : ["--log-level", app.logLevel]),
    ],
    cwd: app.dir,
    env: {
      ...c.baseEnv,
      DAPR_HOST_IP: "127.0.0.1",
      DAPR_TRUST_ANCHORS: c.trustAnchors,
      DAPR_API_TOKEN: c.tokens.daprApiToken,
      APP_API_TOKEN: c.tokens.appApiToken,
      // Read by the components in dapr-components/ (envRef).
      REDIS_HOST: c.redisHost,
      REDIS_PASSWORD: c.redisPassword,
    },
  };
}

/** The app's own process (named `name`) listening on `port`, with `env` over the rest of its environment. */
export function appProcess(name: string, app: AppSpec, port: number, c: AppContext, env: Record<string, string> = {}): ProcessSpec {
  const [command, ...args] = app.command;
  return {
    name,
    command: command === "node" ? c.node : command!,
    args,
    cwd: app.dir,
    env: {
      ...c.baseEnv,
      // What the Dapr CLI gives an app.
      APP_ID: app.appId,
      APP_PORT: String(port),
      DAPR_HTTP_PORT: String(app.daprHttpPort),
      DAPR_GRPC_PORT: String(app.daprGrpcPort),
      // The Redis that the sidecars use, for apps that use it themselves (notifications).
      REDIS_HOST: c.redisHost,
      REDIS_PASSWORD: c.redisPassword,
      // Requests from this machine only.
      HOST: "127.0.0.1",
      ZIPKIN_UI_URL: c.zipkinUiUrl,
      ...app.env,
      ...c.stackEnv,
      ...(port === app.appPort ? {} : { PORT: String(port) }),
      ...env,
      // The app's and its sidecar's own tokens: not to be overridden by the env above.
      DAPR_API_TOKEN: c.tokens.daprApiToken,
      APP_API_TOKEN: c.tokens.appApiToken,
    },
  };
}
