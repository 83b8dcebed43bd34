// The whole system as local processes, as the run file (dapr.yaml) describes it:
// Redis, Dapr Sentry, placement and scheduler, Zipkin (when Java is there: the
// sidecars send it their spans), and for each app its daprd and the app. Dapr's security is on: the sidecars talk to each other and to the control
// plane over mTLS (certificates from Sentry), check the access control policy of
// dapr-components/access-control.yaml, and each app and its sidecar share a Dapr API
// token and an app API token of their own; Redis has a password (secrets.ts).
// start() resolves once every sidecar and app answers its health check; the handle
// it returns stops it all (apps, then sidecars, then the control plane, then
// Redis), restarts one app with its sidecar, and stops everything by itself when
// any process dies that was not asked to.
import { execFile } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describeExit, ManagedProcess, type LineSink, type ProcessSpec } from "./process.js";
import { freePort, httpAnswers, pollUntil, redisAnswers, waitForFreePort } from "./probe.js";
import { localPort, readRunFile, withReplicas, type AppSpec, type Topology } from "./run-file.js";
import { stackSecrets, type AppSecrets, type StackSecrets } from "./secrets.js";
import { sidecarConfig } from "./sidecar-config.js";
import { repoRoot } from "./repo-root.js";


export interface StartOptions {
  /** The run file; dapr.yaml at the repository root by default. */
  runFile?: string;
  /**
   * Where the stack keeps its files: scheduler (etcd) data, the private Redis's
   * data, the sidecars' name-resolution database. .cache/local-stack by default,
   * so that orders waiting for approval survive a restart of the stack.
   */
  dataDir?: string;
  /** Environment for every app, over what the run file says (e.g. APPROVAL_TIMEOUT_SECONDS). */
  env?: Record<string, string>;
  /**
   * host:port of a running Redis to use. By default REDIS_HOST if set, else the
   * stack starts a redis-server of its own on a free port, with its data in dataDir.
   */
  redisHost?: string;
  /** Folder of daprd, placement and scheduler; by default what scripts/dapr-binaries.sh prints. */
  daprBinDir?: string;
  /** Receives every output line of every process, and the stack's own. Prefixed lines on stdout by default. */
  output?: LineSink;
  /** How long start() and restartApp() wait for everything to answer. 120 s by default. */
  readyTimeoutMs?: number;
  /** Called when a process exited without being asked to; the stack is stopping then. */
  onUnexpectedExit?: (error: Error) => void;
  /**
   * Replicas by app id, e.g. { "order-processor": 2 } (REPLICAS for npm start): each
   * replica an app with its own sidecar, under the same app id (run-file.ts, withReplicas).
   */
  replicas?: Record<string, number>;
  /**
   * Whether to run Zipkin (the jar of scripts/zipkin-jar.sh, with Java) and have the
   * sidecars send it their spans. By default when Java is on the PATH; without Java
   * (or the jar), tracing is off, and the stack says so in one line.
   */
  tracing?: boolean;
}

/**
 * Ports of the control plane besides the placement and scheduler ports of the run file.
 * Like every port of the stack, below 32768: Linux gives ports from 32768 to 60999 to
 * outgoing connections, so any client connection may hold one of those for a while.
 */
export const controlPlanePorts = {
  sentry: 3807,
  sentryHealthz: 3808,
  sentryMetrics: 9097,
  placementRaft: 3802,
  placementHealthz: 3803,
  placementMetrics: 9095,
  schedulerHealthz: 3804,
  schedulerMetrics: 9096,
  etcdClient: 3805,
  etcdPeer: 3806,
  /** Zipkin's API and UI (its default port), on 127.0.0.1. */
  zipkin: 9411,
};

/** The Configuration with the access control policy, in the resources folder; every sidecar loads it, when it is there. */
export const accessControlFile = "access-control.yaml";

/** How long a process gets between SIGTERM and SIGKILL. */
const stopGraceMs = 10_000;

export interface AppEndpoints {
  appId: string;
  /** The replica's name: the app id for the first one, "<app id>-2"... for the others. */
  name: string;
  /** The app itself, e.g. http://127.0.0.1:3000 */
  url: string;
  /** Its sidecar's HTTP API, e.g. http://127.0.0.1:3500 */
  daprUrl: string;
}

export async function start(options: StartOptions = {}): Promise<LocalStack> {
  const topology = withReplicas(readRunFile(options.runFile ?? path.join(repoRoot, "dapr.yaml")), options.replicas ?? {});
  const stack = new LocalStack(topology, options);
  try {
    await stack.boot();
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}

export class LocalStack {
  readonly dataDir: string;
  /** Resolves once the stack has stopped: with the error if a process died unasked. */
  readonly stopped: Promise<Error | undefined>;
  private readonly processes = new Map<string, ManagedProcess>();
  private readonly output: LineSink;
  private readonly readyTimeoutMs: number;
  private redisHost = "";
  private daprBinDir = "";
  private secrets: StackSecrets | undefined;
  /** The CA certificate of Sentry (PEM): the trust anchors of every sidecar. */
  private trustAnchors = "";
  private configFile: string | undefined;
  private zipkin: { java: string; jar: string } | undefined;
  private failure: Error | undefined;
  private stopping: Promise<void> | undefined;
  private markStopped!: (failure: Error | undefined) => void;
  private readonly killAll = () => {
    for (const p of this.processes.values()) p.kill();
  };

  constructor(
    readonly topology: Topology,
    private readonly options: StartOptions,
  ) {
    this.dataDir = path.resolve(options.dataDir ?? path.join(repoRoot, ".cache", "local-stack"));
    this.output = options.output ?? prefixedLines(process.stdout);
    this.readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
    this.stopped = new Promise((resolve) => (this.markStopped = resolve));
    process.on("exit", this.killAll); // last resort if the runner itself goes away
  }

  /** The apps and their sidecars' addresses, in the run file's order. */
  get apps(): AppEndpoints[] {
    return this.topology.apps.map((app) => ({
      appId: app.appId,
      name: app.name,
      url: `http://127.0.0.1:${app.appPort}`,
      daprUrl: `http://127.0.0.1:${app.daprHttpPort}`,
    }));
  }

  /** The app's base URL, e.g. url("order-processor") is http://127.0.0.1:3000, url("order-processor-2") its second replica's. */
  url(appId: string): string {
    return `http://127.0.0.1:${this.app(appId).appPort}`;
  }

  /** Zipkin's address (API and UI), e.g. http://127.0.0.1:9411; undefined when tracing is off. */
  get zipkinUrl(): string | undefined {
    return this.zipkin === undefined ? undefined : `http://127.0.0.1:${controlPlanePorts.zipkin}`;
  }

  /** The Redis that the sidecars use, host:port. */
  get redis(): string {
    return this.redisHost;
  }

  /** Its password (REDIS_PASSWORD); empty for a Redis of one's own without one. */
  get redisPassword(): string {
    return this.appSecrets().redisPassword;
  }

  /** The app's Dapr API token (its sidecar requires it) and app API token (its sidecar-only routes require it). */
  tokens(appId: string): AppSecrets {
    this.app(appId);
    return this.appSecrets().apps[appId]!;
  }

  private appSecrets(): StackSecrets {
    if (this.secrets === undefined) throw new Error("the stack has not started");
    return this.secrets;
  }

  /** The id of each process running now, by name ("redis", "order-processor-dapr"...): to measure them. */
  get pids(): ReadonlyMap<string, number> {
    const pids = new Map<string, number>();
    for (const [name, proc] of this.processes) {
      if (proc.running && proc.pid !== undefined) pids.set(name, proc.pid);
    }
    return pids;
  }

  /** Stops the app and its sidecar, then starts both again and waits until they answer. */
  async restartApp(appId: string): Promise<void> {
    await this.stopApp(appId);
    await this.startApp(appId);
  }

  /**
   * Kills the app (or replica, by name) and its sidecar with SIGKILL, as a crash would,
   * and resolves once both are gone; the stack keeps running without them.
   */
  async kill(name: string): Promise<void> {
    this.app(name);
    const victims = [name, `${name}-dapr`].map((n) => this.processes.get(n)).filter((p) => p !== undefined);
    for (const victim of victims) victim.kill();
    await Promise.all(victims.map((victim) => victim.exited));
    this.processes.delete(name);
    this.processes.delete(`${name}-dapr`);
  }

  /** Stops the app, then its sidecar (the other processes keep running). */
  async stopApp(appId: string): Promise<void> {
    this.app(appId);
    await this.processes.get(appId)?.stop(stopGraceMs);
    await this.processes.get(`${appId}-dapr`)?.stop(stopGraceMs);
    this.processes.delete(appId);
    this.processes.delete(`${appId}-dapr`);
  }

  /** Starts the app's sidecar and the app, and waits until both answer. */
  async startApp(appId: string): Promise<void> {
    if (this.stopping !== undefined) throw new Error(`the stack is stopping: cannot start ${appId}`);
    if (this.processes.has(appId)) throw new Error(`${appId} is running already`);
    await this.waitForPorts(appPorts(this.app(appId)));
    await this.launchApp(this.app(appId), Date.now() + this.readyTimeoutMs);
  }

  /**
   * Starts one more instance of the app on `port`, as a second replica would run:
   * the same command and environment, the same sidecar for the calls it makes, and
   * no sidecar of its own (so Dapr delivers nothing to it: pub/sub goes to the first
   * instance). `env` adds to its environment. Resolves with its URL once it answers;
   * stopped with the stack.
   */
  async startInstance(appId: string, port: number, env: Record<string, string> = {}): Promise<string> {
    if (this.stopping !== undefined) throw new Error(`the stack is stopping: cannot start ${appId}`);
    const app = this.app(appId);
    const name = `${appId}@${port}`;
    if (this.processes.has(name)) throw new Error(`${name} is running already`);
    await this.waitForPorts([[port, `${appId} instance`]]);
    this.spawnApp(name, app, port, env);
    const url = `http://127.0.0.1:${port}`;
    await pollUntil(name, () => httpAnswers(`${url}/healthz`), { deadline: Date.now() + this.readyTimeoutMs, abort: this.abort });
    return url;
  }

  /** Stops every process, in order; safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  /** Starts everything and waits until it answers. start() calls it. */
  async boot(): Promise<void> {
    const { apps } = this.topology;
    mkdirSync(this.dataDir, { recursive: true });
    this.daprBinDir = this.options.daprBinDir ?? (await daprBinaries()); // the first time, a build of minutes
    for (const binary of ["daprd", "placement", "scheduler", "sentry"]) accessSync(path.join(this.daprBinDir, binary), constants.X_OK);
    this.zipkin = await this.findZipkin();
    this.configFile = this.writeSidecarConfig();
    const ownRedis = (this.options.redisHost ?? process.env.REDIS_HOST ?? "") === "";
    this.secrets = stackSecrets(apps.map((a) => a.appId), process.env, ownRedis);
    const deadline = Date.now() + this.readyTimeoutMs;

    const placement = single(apps.map((a) => a.placementHostAddress), "placementHostAddress");
    const scheduler = single(apps.map((a) => a.schedulerHostAddress), "schedulerHostAddress");
    const p = controlPlanePorts;
    const ports: [number, string][] = apps.flatMap(appPorts);
    ports.push([p.sentry, "sentry"], [p.sentryHealthz, "sentry health"], [p.sentryMetrics, "sentry metrics"]);
    if (placement !== undefined) {
      ports.push([localPort(placement), "placement"], [controlPlanePorts.placementHealthz, "placement health"]);
      ports.push([controlPlanePorts.placementMetrics, "placement metrics"], [controlPlanePorts.placementRaft, "placement raft"]);
    }
    if (scheduler !== undefined) {
      ports.push([localPort(scheduler), "scheduler"], [controlPlanePorts.schedulerHealthz, "scheduler health"]);
      ports.push([controlPlanePorts.schedulerMetrics, "scheduler metrics"]);
      ports.push([controlPlanePorts.etcdClient, "scheduler etcd"], [controlPlanePorts.etcdPeer, "scheduler etcd peer"]);
    }
    if (this.zipkin !== undefined) ports.push([p.zipkin, "zipkin"]);
    await this.waitForPorts(ports);

    // Placement and scheduler ask Sentry for their certificates, and trust its CA.
    const controlPlane = async () => {
      await this.startSentry(deadline);
      await Promise.all([
        placement === undefined ? undefined : this.startPlacement(localPort(placement), deadline),
        scheduler === undefined ? undefined : this.startScheduler(localPort(scheduler), deadline),
      ]);
    };
    await Promise.all([this.startRedis(deadline), controlPlane(), this.startZipkin(deadline)]);
    await Promise.all(apps.map((app) => this.launchApp(app, deadline)));
  }

  /** Waits (up to 60 s, saying so) until nothing holds any of the ports. */
  private async waitForPorts(ports: [port: number, purpose: string][]): Promise<void> {
    const say = (line: string) => this.output("local-stack", line);
    await Promise.all(ports.map(([port, purpose]) => waitForFreePort(port, purpose, { say })));
  }

  /** The app by name: its first replica by app id, another one by "<app id>-<n>". */
  private app(appId: string): AppSpec {
    const app = this.topology.apps.find((a) => a.name === appId);
    if (app === undefined) throw new Error(`no app ${appId} in the run file`);
    return app;
  }

  private spawn(spec: ProcessSpec): ManagedProcess {
    this.abort(); // nothing starts once the stack is stopping
    const proc = new ManagedProcess(spec, this.output);
    this.processes.set(spec.name, proc);
    void proc.exited.then((exit) => {
      if (proc.stopping || this.stopping !== undefined) return;
      const last = proc.lastLines.slice(-10).map((line) => `\n  ${line}`).join("");
      this.fail(`${proc.name} exited unexpectedly (${describeExit(exit)})`, last ? `; its last lines:${last}` : "");
    });
    return proc;
  }

  private fail(summary: string, details: string): void {
    if (this.failure !== undefined || this.stopping !== undefined) return;
    this.failure = new Error(summary + details);
    this.output("local-stack", `${summary}: stopping everything`);
    this.options.onUnexpectedExit?.(this.failure);
    void this.stop();
  }

  /** For polling: gives up at once when a process has died. */
  private readonly abort = () => {
    if (this.failure !== undefined) throw this.failure;
    if (this.stopping !== undefined) throw new Error("the stack is stopping");
  };

  private async startRedis(deadline: number): Promise<void> {
    const given = this.options.redisHost ?? process.env.REDIS_HOST;
    if (given !== undefined && given !== "") {
      this.redisHost = given;
      const [host, port] = splitHostPort(given);
      const password = this.redisPassword;
      await pollUntil(`Redis at ${given}`, () => redisAnswers(host, port, password), { deadline: Math.min(deadline, Date.now() + 10_000) });
      return;
    }
    const server = findOnPath("redis-server") ?? (await this.installRedis());
    const port = await freePort();
    const dir = path.join(this.dataDir, "redis");
    mkdirSync(dir, { recursive: true });
    this.redisHost = `127.0.0.1:${port}`;
    // Append-only file in dataDir: workflow state survives a restart of the stack.
    this.spawn({
      name: "redis",
      command: server,
      // "-": the first config lines come from stdin, the password among them: not as an
      // argument, which any user of the machine sees in ps.
      args: ["-", "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--save", ""],
      stdin: `requirepass ${JSON.stringify(this.redisPassword)}\n`, // quoted and escaped as Redis's config reads it
    });
    await pollUntil("redis", () => redisAnswers("127.0.0.1", port, this.redisPassword), { deadline, abort: this.abort });
  }

  /** Java and the Zipkin jar, unless tracing is off: asked for, or no Java (one line says so). */
  private async findZipkin(): Promise<{ java: string; jar: string } | undefined> {
    if (this.options.tracing === false) return undefined;
    const java = findOnPath("java");
    const off = (why: string) => this.output("local-stack", `tracing is off: ${why}`);
    if (java === undefined) {
      off("Java is not installed, and Zipkin needs it (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless)");
      return undefined;
    }
    try {
      return { java, jar: await runScript("zipkin-jar.sh") };
    } catch (err) {
      off(err instanceof Error ? err.message : String(err));
      return undefined;
    }
  }

  /**
   * Zipkin, the sidecars' trace store, API and UI: its in-memory storage (the traces
   * go with it), on 127.0.0.1 only. The sidecars send their spans to it, and an
   * order's card on the dashboard links to its trace (ZIPKIN_UI_URL).
   */
  private async startZipkin(deadline: number): Promise<void> {
    if (this.zipkin === undefined) return;
    const port = String(controlPlanePorts.zipkin);
    this.spawn({
      name: "zipkin",
      command: this.zipkin.java,
      // A small heap, the quick compiler (it starts in seconds), at most 100 000 spans kept.
      args: ["-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar", this.zipkin.jar, `--armeria.ports[0].ip=127.0.0.1`, `--armeria.ports[0].port=${port}`],
      env: { ...process.env, QUERY_PORT: port, MEM_MAX_SPANS: "100000" },
    });
    await pollUntil("zipkin", () => httpAnswers(`${this.zipkinUrl}/health`), { deadline, abort: this.abort });
  }

  /** Installs Debian's redis-server where that is possible (root, apt), else says what to do. */
  private async installRedis(): Promise<string> {
    const apt = findOnPath("apt-get");
    if (apt === undefined || process.getuid?.() !== 0) {
      throw new Error(
        "redis-server is not installed: install it (Debian/Ubuntu: apt-get install -y redis-server), " +
          "or set REDIS_HOST to the host:port of a running Redis",
      );
    }
    this.output("local-stack", "redis-server is not installed: installing Debian's package");
    const run = promisify(execFile);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    await run(apt, ["update", "-qq"], { env });
    await run(apt, ["install", "-y", "-qq", "redis-server"], { env });
    const server = findOnPath("redis-server");
    if (server === undefined) throw new Error("apt-get installed redis-server, but it is not on the PATH");
    return server;
  }

  /**
   * Dapr Sentry, the certificate authority of mTLS: the first time, it makes a root
   * and an issuer certificate in dataDir/sentry and keeps them there; every sidecar,
   * placement and the scheduler ask it for their certificates (self-hosted Sentry
   * issues one for whatever app id a sidecar names: who can reach its port can get
   * one, so it listens on 127.0.0.1 only).
   */
  private async startSentry(deadline: number): Promise<void> {
    const p = controlPlanePorts;
    const credentials = path.join(this.dataDir, "sentry");
    mkdirSync(credentials, { recursive: true });
    this.spawn({
      name: "sentry",
      command: path.join(this.daprBinDir, "sentry"),
      args: [
        ...["--port", String(p.sentry), "--listen-address", "127.0.0.1"],
        ...["--healthz-port", String(p.sentryHealthz)], // its healthz takes no listen address
        ...["--metrics-port", String(p.sentryMetrics), "--metrics-listen-address", "127.0.0.1"],
        ...["--issuer-credentials", credentials, "--trust-domain", "localhost"],
        // Sentry needs a Configuration to start; it reads only its spec.mtls (none in
        // ours: certificates for 24 h, the default).
        ...["--config", this.requireConfigFile()],
      ],
    });
    const url = `http://127.0.0.1:${p.sentryHealthz}/healthz`;
    await pollUntil("sentry", () => httpAnswers(url), { deadline, abort: this.abort });
    this.trustAnchors = readFileSync(this.trustAnchorsFile, "utf8");
  }

  private requireConfigFile(): string {
    if (this.configFile === undefined) throw new Error("the run file has no configFilePath: Dapr Sentry needs a Configuration");
    return this.configFile;
  }

  /** The sidecars' access control policy, when the resources folder has one (dapr-components/ does). */
  private get accessControl(): string | undefined {
    const file = path.join(this.topology.resourcesPath, accessControlFile);
    return existsSync(file) ? file : undefined;
  }

  /** Sentry's CA certificate, which it writes the first time. */
  private get trustAnchorsFile(): string {
    return path.join(this.dataDir, "sentry", "ca.crt");
  }

  /** The flags that make placement or the scheduler serve over mTLS, with a certificate from Sentry. */
  private controlPlaneTls(): string[] {
    return [
      "--tls-enabled",
      ...["--trust-domain", "localhost", "--trust-anchors-file", this.trustAnchorsFile],
      ...["--sentry-address", `127.0.0.1:${controlPlanePorts.sentry}`],
    ];
  }

  private async startPlacement(port: number, deadline: number): Promise<void> {
    const p = controlPlanePorts;
    this.spawn({
      name: "placement",
      command: path.join(this.daprBinDir, "placement"),
      args: [
        ...["--port", String(port), "--listen-address", "127.0.0.1"],
        ...["--healthz-port", String(p.placementHealthz), "--healthz-listen-address", "127.0.0.1"],
        ...["--metrics-port", String(p.placementMetrics), "--metrics-listen-address", "127.0.0.1"],
        ...["--initial-cluster", `dapr-placement-0=127.0.0.1:${p.placementRaft}`],
        ...this.controlPlaneTls(),
      ],
    });
    const url = `http://127.0.0.1:${p.placementHealthz}/healthz`;
    await pollUntil("placement", () => httpAnswers(url), { deadline, abort: this.abort });
  }

  private async startScheduler(port: number, deadline: number): Promise<void> {
    const p = controlPlanePorts;
    const etcdDir = path.join(this.dataDir, "scheduler");
    mkdirSync(etcdDir, { recursive: true });
    this.spawn({
      name: "scheduler",
      command: path.join(this.daprBinDir, "scheduler"),
      args: [
        ...["--port", String(port), "--listen-address", "127.0.0.1"],
        ...["--healthz-port", String(p.schedulerHealthz), "--healthz-listen-address", "127.0.0.1"],
        ...["--metrics-port", String(p.schedulerMetrics), "--metrics-listen-address", "127.0.0.1"],
        ...["--id", "dapr-scheduler-server-0", "--etcd-data-dir", etcdDir],
        ...["--etcd-client-port", String(p.etcdClient), "--etcd-client-listen-address", "127.0.0.1"],
        ...["--etcd-initial-cluster", `dapr-scheduler-server-0=http://127.0.0.1:${p.etcdPeer}`],
        ...this.controlPlaneTls(),
        ...["--identity-directory-write", path.join(this.dataDir, "scheduler-identity")],
      ],
    });
    const url = `http://127.0.0.1:${p.schedulerHealthz}/healthz`;
    await pollUntil("scheduler", () => httpAnswers(url), { deadline, abort: this.abort });
  }

  /** Starts the app's daprd and the app, and waits until both answer. */
  private async launchApp(app: AppSpec, deadline: number): Promise<void> {
    const { daprApiToken, appApiToken } = this.tokens(app.appId);
    this.spawn({
      name: `${app.name}-dapr`,
      command: path.join(this.daprBinDir, "daprd"),
      args: [
        ...["--app-id", app.appId, "--app-port", String(app.appPort), "--app-protocol", "http"],
        ...["--dapr-http-port", String(app.daprHttpPort), "--dapr-grpc-port", String(app.daprGrpcPort)],
        ...["--dapr-internal-grpc-port", String(app.daprInternalGrpcPort)],
        ...["--dapr-listen-addresses", "127.0.0.1", "--dapr-internal-grpc-listen-address", "127.0.0.1"],
        ...["--metrics-port", String(app.metricsPort), "--metrics-listen-address", "127.0.0.1"],
        ...["--resources-path", this.topology.resourcesPath],
        ...(this.configFile === undefined ? [] : ["--config", this.configFile]),
        ...(this.accessControl === undefined ? [] : ["--config", this.accessControl]),
        ...["--enable-mtls", "--sentry-address", `127.0.0.1:${controlPlanePorts.sentry}`],
        // Empty addresses: a sidecar without actors or workflows does not keep
        // trying to reach placement and scheduler.
        ...["--placement-host-address", app.placementHostAddress ?? ""],
        ...["--scheduler-host-address", app.schedulerHostAddress ?? ""],
        ...(app.logLevel === undefined ? [] : ["--log-level", app.logLevel]),
      ],
      cwd: app.dir,
      env: {
        ...process.env,
        DAPR_HOST_IP: "127.0.0.1",
        DAPR_TRUST_ANCHORS: this.trustAnchors,
        DAPR_API_TOKEN: daprApiToken,
        APP_API_TOKEN: appApiToken,
        // Read by the components in dapr-components/ (envRef).
        REDIS_HOST: this.redisHost,
        REDIS_PASSWORD: this.redisPassword,
      },
    });
    this.spawnApp(app.name, app, app.appPort);
    const poll = { deadline, abort: this.abort };
    await Promise.all([
      pollUntil(`${app.name}-dapr`, () => httpAnswers(`http://127.0.0.1:${app.daprHttpPort}/v1.0/healthz`, 204), poll),
      pollUntil(app.name, () => httpAnswers(`http://127.0.0.1:${app.appPort}/healthz`), poll),
    ]);
  }

  /** Starts the app's own process (named `name`) listening on `port`, with `env` over the rest of its environment. */
  private spawnApp(name: string, app: AppSpec, port: number, env: Record<string, string> = {}): ManagedProcess {
    const [command, ...args] = app.command;
    const { daprApiToken, appApiToken } = this.tokens(app.appId);
    return this.spawn({
      name,
      command: command === "node" ? process.execPath : command!,
      args,
      cwd: app.dir,
      env: {
        ...process.env,
        // What the Dapr CLI gives an app.
        APP_ID: app.appId,
        APP_PORT: String(port),
        DAPR_HTTP_PORT: String(app.daprHttpPort),
        DAPR_GRPC_PORT: String(app.daprGrpcPort),
        // The Redis that the sidecars use, for apps that use it themselves (notifications).
        REDIS_HOST: this.redisHost,
        REDIS_PASSWORD: this.redisPassword,
        // Requests from this machine only.
        HOST: "127.0.0.1",
        // Where the dashboard links an order's trace; empty: tracing is off, no links.
        ZIPKIN_UI_URL: this.zipkinUrl?.replace("127.0.0.1", "localhost") ?? "",
        ...app.env,
        ...this.options.env,
        ...(port === app.appPort ? {} : { PORT: String(port) }),
        ...env,
        // The app's and its sidecar's own tokens: not to be overridden by the env above.
        DAPR_API_TOKEN: daprApiToken,
        APP_API_TOKEN: appApiToken,
      },
    });
  }

  /**
   * The run file's sidecar Configuration, with the SQLite name-resolution database
   * moved into dataDir, and tracing to the stack's Zipkin (TRACE_SAMPLING_RATE, when
   * set, for its sampling rate), or none (sidecar-config.ts).
   */
  private writeSidecarConfig(): string | undefined {
    const source = this.topology.configFilePath;
    if (source === undefined) return undefined;
    const config = sidecarConfig(readFileSync(source, "utf8"), {
      nameResolutionDb: path.join(this.dataDir, "name-resolution.db"),
      zipkinEndpoint: this.zipkinUrl === undefined ? undefined : `${this.zipkinUrl}/api/v2/spans`,
      samplingRate: process.env.TRACE_SAMPLING_RATE || undefined,
    });
    const file = path.join(this.dataDir, "dapr-config.yaml");
    writeFileSync(file, `# Written by local-stack from ${path.relative(this.dataDir, source)}\n${config}`);
    return file;
  }

  private async stopAll(): Promise<void> {
    const stopEach = (names: string[]) =>
      Promise.all(names.map((name) => this.processes.get(name)?.stop(stopGraceMs)));
    const appIds = this.topology.apps.map((a) => a.name);
    const instances = [...this.processes.keys()].filter((name) => name.includes("@"));
    await stopEach([...appIds, ...instances]);
    await stopEach(appIds.map((id) => `${id}-dapr`));
    await stopEach(["scheduler", "placement", "zipkin"]); // the sidecars sent their last spans as they stopped
    await stopEach(["sentry"]);
    await stopEach(["redis"]);
    // Anything else (nothing, unless a start was cut short).
    await stopEach([...this.processes.keys()]);
    process.off("exit", this.killAll);
    this.markStopped(this.failure);
  }
}

/** Lines as "name            | line" on `stream`, the names in colour on a terminal. */
export function prefixedLines(stream: NodeJS.WriteStream): LineSink {
  const colours = [36, 33, 32, 35, 34, 91, 92, 93, 94, 95, 96];
  const assigned = new Map<string, number>();
  const width = 23; // "order-processor-2-dapr" (a second replica's sidecar) and a space
  stream.on("error", () => {}); // a closed pipe (the terminal went away) must not crash the runner
  return (name, line) => {
    let label = name.padEnd(width);
    if (stream.isTTY) {
      if (!assigned.has(name)) assigned.set(name, colours[assigned.size % colours.length]!);
      label = `\x1b[${assigned.get(name)}m${label}\x1b[0m`;
    }
    stream.write(`${label}| ${line}\n`);
  };
}

/** The ports an app and its sidecar listen on, with what each is for. */
function appPorts(a: AppSpec): [port: number, purpose: string][] {
  return [
    [a.appPort, `${a.name} app`],
    [a.daprHttpPort, `${a.name} Dapr HTTP`],
    [a.daprGrpcPort, `${a.name} Dapr gRPC`],
    [a.daprInternalGrpcPort, `${a.name} Dapr internal gRPC`],
    [a.metricsPort, `${a.name} Dapr metrics`],
  ];
}

/** The one value among `values` that is set (an app's or none); two different ones are refused. */
function single(values: (string | undefined)[], field: string): string | undefined {
  const set = [...new Set(values.filter((v) => v !== undefined))];
  if (set.length > 1) throw new Error(`${field}: the local stack runs one, but the run file names ${set.join(" and ")}`);
  return set[0];
}

function splitHostPort(address: string): [string, number] {
  const i = address.lastIndexOf(":");
  const port = Number(address.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port)) throw new Error(`Redis address ${address} is not host:port`);
  return [address.slice(0, i), port];
}

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The folder that scripts/dapr-binaries.sh provides (it builds Dapr the first time). */
function daprBinaries(): Promise<string> {
  return runScript("dapr-binaries.sh");
}

/** Runs scripts/<name> and resolves with what it printed (a path), its progress on our stderr. */
function runScript(name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile("bash", [path.join(repoRoot, "scripts", name)], (err, stdout) => {
      if (err) reject(new Error(`scripts/${name} failed: ${err.message}`));
      else resolve(stdout.trim());
    });
    child.stderr?.pipe(process.stderr); // progress of a first-time build or download
  });
}
