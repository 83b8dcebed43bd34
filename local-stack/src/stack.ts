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
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { daprBinaries, zipkinBinaries } from "./binaries.js";
import * as commands from "./commands.js";
import { prefixedLines } from "./output.js";
import { appPorts, controlPlaneAddresses, controlPlanePorts, stackPorts, type PortUse } from "./ports.js";
import { describeExit, ManagedProcess, type LineSink, type ProcessSpec } from "./process.js";
import { freePort, httpAnswers, waitForFreePort } from "./probe.js";
import { redisAnswers, redisServerBinary, splitHostPort } from "./redis.js";
import { repoRoot } from "./repo-root.js";
import { localPort, readRunFile, withReplicas, type AppSpec, type Topology } from "./run-file.js";
import { stackSecrets, type AppSecrets, type StackSecrets } from "./secrets.js";
import { sidecarConfig } from "./sidecar-config.js";

export { controlPlanePorts, prefixedLines };

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
   * How long a finished workflow's state is kept (the sidecars' Configuration,
   * spec.workflow.stateRetentionPolicy.anyTerminal), a Go duration such as "5m";
   * by default WORKFLOW_STATE_RETENTION if set, else the run file's Configuration's.
   */
  workflowStateRetention?: string;
  /**
   * The private Redis's memory limit (its maxmemory, e.g. "1gb"): past it, writes are
   * refused (noeviction), never a key dropped. By default REDIS_MAXMEMORY if set, else 1gb.
   */
  redisMaxMemory?: string;
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
    this.spawn(commands.appProcess(name, app, port, this.appContext(app), env));
    const url = `http://127.0.0.1:${port}`;
    await this.until(name, () => httpAnswers(`${url}/healthz`), Date.now() + this.readyTimeoutMs);
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
    for (const dir of ["sentry", "scheduler"]) mkdirSync(path.join(this.dataDir, dir), { recursive: true });
    this.daprBinDir = await daprBinaries(this.options.daprBinDir); // the first time, a build of minutes
    this.zipkin = await this.findZipkin();
    this.configFile = this.writeSidecarConfig();
    const ownRedis = (this.options.redisHost ?? process.env.REDIS_HOST ?? "") === "";
    const appIds = apps.map((a) => a.appId);
    this.secrets = stackSecrets(appIds, process.env, ownRedis);
    const deadline = Date.now() + this.readyTimeoutMs;
    await this.waitForPorts(stackPorts(this.topology, this.zipkin !== undefined));

    const { placement, scheduler } = controlPlaneAddresses(this.topology);
    const dirs = { daprBinDir: this.daprBinDir, dataDir: this.dataDir };
    // Placement and scheduler ask Sentry for their certificates, and trust its CA.
    const controlPlane = async () => {
      await this.startSentry(deadline);
      await Promise.all([
        placement === undefined ? undefined : this.startHealthy(commands.placement(dirs, localPort(placement)), controlPlanePorts.placementHealthz, deadline),
        scheduler === undefined ? undefined : this.startHealthy(commands.scheduler(dirs, localPort(scheduler)), controlPlanePorts.schedulerHealthz, deadline),
      ]);
    };
    await Promise.all([this.startRedis(deadline), controlPlane(), this.startZipkin(deadline)]);
    await Promise.all(apps.map((app) => this.launchApp(app, deadline)));
  }

  /** Waits (up to 60 s, saying so) until nothing holds any of the ports. */
  private async waitForPorts(ports: PortUse[]): Promise<void> {
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
      const last = proc.lastLines.slice(-10).join("\n  ");
      this.fail(`${proc.name} exited unexpectedly (${describeExit(exit)})`, last ? `; its last lines:\n  ${last}` : "");
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

  /** Polls `check` until the deadline, giving up at once when a process has died. */
  private until(what: string, check: () => Promise<boolean>, deadline: number): Promise<void> {
    return pollUntil(`${what} to answer`, check, { timeoutMs: Math.max(0, deadline - Date.now()), abort: this.abort });
  }

  /** Starts a process of the control plane and waits until its /healthz on `healthzPort` answers. */
  private async startHealthy(spec: ProcessSpec, healthzPort: number, deadline: number): Promise<void> {
    this.spawn(spec);
    await this.until(spec.name, () => httpAnswers(`http://127.0.0.1:${healthzPort}/healthz`), deadline);
  }

  private async startRedis(deadline: number): Promise<void> {
    const given = this.options.redisHost ?? process.env.REDIS_HOST;
    const password = this.redisPassword;
    if (given !== undefined && given !== "") {
      this.redisHost = given;
      const [host, port] = splitHostPort(given);
      await this.until(`Redis at ${given}`, () => redisAnswers(host, port, password), Math.min(deadline, Date.now() + 10_000));
      return;
    }
    const server = await redisServerBinary((line) => this.output("local-stack", line));
    const port = await freePort();
    const dir = path.join(this.dataDir, "redis");
    mkdirSync(dir, { recursive: true });
    this.redisHost = `127.0.0.1:${port}`;
    // Append-only file in dataDir: workflow state survives a restart of the stack. A
    // memory limit, and noeviction: a full Redis refuses writes (orders wait, the
    // failing writes are retried) and never drops a key that an order still needs.
    const maxMemory = this.options.redisMaxMemory ?? (process.env.REDIS_MAXMEMORY || commands.defaultRedisMaxMemory);
    this.spawn(commands.redisServer(server, port, dir, password, maxMemory));
    await this.until("redis", () => redisAnswers("127.0.0.1", port, password), deadline);
  }

  /** Java and the Zipkin jar, unless tracing is off: asked for, or no Java (one line says so). */
  private async findZipkin(): Promise<{ java: string; jar: string } | undefined> {
    if (this.options.tracing === false) return undefined;
    const found = await zipkinBinaries();
    if ("java" in found) return found;
    this.output("local-stack", `tracing is off: ${found.missing}`);
    return undefined;
  }

  /** Zipkin: the sidecars send it their spans, and an order's card on the dashboard links to its trace (ZIPKIN_UI_URL). */
  private async startZipkin(deadline: number): Promise<void> {
    if (this.zipkin === undefined) return;
    this.spawn(commands.zipkin(this.zipkin.java, this.zipkin.jar, process.env));
    await this.until("zipkin", () => httpAnswers(`${this.zipkinUrl}/health`), deadline);
  }

  /** Sentry first (the others ask it for certificates); then its CA certificate, which every sidecar trusts. */
  private async startSentry(deadline: number): Promise<void> {
    if (this.configFile === undefined) throw new Error("the run file has no configFilePath: Dapr Sentry needs a Configuration");
    await this.startHealthy(
      commands.sentry({ daprBinDir: this.daprBinDir, dataDir: this.dataDir }, this.configFile),
      controlPlanePorts.sentryHealthz,
      deadline,
    );
    this.trustAnchors = readFileSync(commands.trustAnchorsFile(this.dataDir), "utf8");
  }

  /** What the app's sidecar and process are started with. */
  private appContext(app: AppSpec): commands.AppContext {
    const accessControl = path.join(this.topology.resourcesPath, accessControlFile);
    return {
      daprBinDir: this.daprBinDir,
      resourcesPath: this.topology.resourcesPath,
      configFiles: [this.configFile, existsSync(accessControl) ? accessControl : undefined].filter((f) => f !== undefined),
      trustAnchors: this.trustAnchors,
      redisHost: this.redisHost,
      redisPassword: this.redisPassword,
      tokens: this.tokens(app.appId),
      zipkinUiUrl: this.zipkinUrl?.replace("127.0.0.1", "localhost") ?? "",
      stackEnv: this.options.env ?? {},
      baseEnv: process.env,
      node: process.execPath,
    };
  }

  /** Starts the app's daprd and the app, and waits until both answer. */
  private async launchApp(app: AppSpec, deadline: number): Promise<void> {
    const context = this.appContext(app);
    this.spawn(commands.sidecar(app, context));
    this.spawn(commands.appProcess(app.name, app, app.appPort, context));
    await Promise.all([
      this.until(`${app.name}-dapr`, () => httpAnswers(`http://127.0.0.1:${app.daprHttpPort}/v1.0/healthz`, 204), deadline),
      this.until(app.name, () => httpAnswers(`http://127.0.0.1:${app.appPort}/healthz`), deadline),
    ]);
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
      workflowStateRetention: this.options.workflowStateRetention ?? (process.env.WORKFLOW_STATE_RETENTION || undefined),
    });
    const file = path.join(this.dataDir, "dapr-config.yaml");
    writeFileSync(file, `# Written by local-stack from ${path.relative(this.dataDir, source)}\n${config}`);
    return file;
  }

  private async stopAll(): Promise<void> {
    const stopEach = (names: string[]) => Promise.all(names.flatMap((name) => this.processes.get(name) ?? []).map((proc) => proc.stop(stopGraceMs)));
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
