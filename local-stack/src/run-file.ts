// Reads a Dapr CLI multi-app run file (dapr.yaml) into the topology the local
// stack starts: one entry per app, with its sidecar's ports, and the placement and
// scheduler addresses that the workflow app needs. Only the fields this project
// uses are understood; any other field is refused, so the file never says more
// than what `npm start` does.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

export interface AppSpec {
  appId: string;
  /**
   * The replica's name, which names its processes: the app id for the first replica,
   * "<app id>-<n>" for replica n (withReplicas).
   */
  name: string;
  /** 1 for the app as the run file gives it; 2, 3... for the replicas withReplicas adds. */
  replica: number;
  /** Absolute path of the app's folder: its command runs there, and so does its daprd. */
  dir: string;
  appPort: number;
  daprHttpPort: number;
  daprGrpcPort: number;
  daprInternalGrpcPort: number;
  metricsPort: number;
  /** "host:port", or undefined when the app uses no actors (workflows run on actors). */
  placementHostAddress?: string;
  /** "host:port", or undefined when the app uses no workflows, timers or jobs. */
  schedulerHostAddress?: string;
  command: string[];
  /** The common env, then the app's own. */
  env: Record<string, string>;
  logLevel?: string;
}

export interface Topology {
  /** The run file's folder: relative paths in it are relative to this. */
  root: string;
  /** Absolute path of the resources folder (components, subscriptions, resiliency). */
  resourcesPath: string;
  /** Absolute path of the sidecars' Configuration file, if any. */
  configFilePath?: string;
  apps: AppSpec[];
}

const sharedFields = ["resourcesPath", "configFilePath", "env", "logLevel", "placementHostAddress", "schedulerHostAddress"];
const appFields = [...sharedFields, "appID", "appDirPath", "appPort", "daprHTTPPort", "daprGRPCPort", "daprInternalGRPCPort", "metricsPort", "command"];

export function readRunFile(file: string): Topology {
  return parseRunFile(readFileSync(file, "utf8"), path.dirname(path.resolve(file)), file);
}

/** `source` is the file's text, `root` the folder it lives in; `name` is for error messages. */
export function parseRunFile(source: string, root: string, name = "dapr.yaml"): Topology {
  const fail = (message: string): never => {
    throw new Error(`${name}: ${message}`);
  };
  const doc = object(parse(source), "the file", fail);
  if (doc.version !== 1) fail("version must be 1");
  const common = object(doc.common ?? {}, "common", fail);
  checkFields(common, sharedFields, "common", fail);
  if (!Array.isArray(doc.apps) || doc.apps.length === 0) fail("apps must be a non-empty list");

  const resolve = (p: unknown, where: string) => path.resolve(root, string(p, where, fail));
  const apps = (doc.apps as unknown[]).map((raw, i): AppSpec => {
    const app = object(raw, `apps[${i}]`, fail);
    const appId = string(app.appID, `apps[${i}].appID`, fail);
    const where = `app ${appId}`;
    checkFields(app, appFields, where, fail);
    if (app.resourcesPath !== undefined) fail(`${where}: set resourcesPath in common: every sidecar loads the same resources`);
    if (app.configFilePath !== undefined) fail(`${where}: set configFilePath in common`);
    const port = (field: string) => {
      const value = app[field];
      if (!Number.isInteger(value) || (value as number) <= 0 || (value as number) > 65535) {
        fail(`${where}: ${field} must be a port number`);
      }
      return value as number;
    };
    const command = app.command;
    if (!Array.isArray(command) || command.length === 0 || !command.every((c) => typeof c === "string")) {
      fail(`${where}: command must be a non-empty list of strings`);
    }
    const env = { ...stringMap(common.env, "common.env", fail), ...stringMap(app.env, `${where}: env`, fail) };
    const appPort = port("appPort");
    if (env.PORT !== undefined && env.PORT !== String(appPort)) fail(`${where}: env PORT ${env.PORT} differs from appPort ${appPort}`);
    return {
      appId,
      name: appId,
      replica: 1,
      dir: resolve(app.appDirPath, `${where}: appDirPath`),
      appPort,
      daprHttpPort: port("daprHTTPPort"),
      daprGrpcPort: port("daprGRPCPort"),
      daprInternalGrpcPort: port("daprInternalGRPCPort"),
      metricsPort: port("metricsPort"),
      placementHostAddress: optionalString(app.placementHostAddress ?? common.placementHostAddress, where, fail),
      schedulerHostAddress: optionalString(app.schedulerHostAddress ?? common.schedulerHostAddress, where, fail),
      command: command as string[],
      env,
      logLevel: optionalString(app.logLevel ?? common.logLevel, where, fail),
    };
  });

  const ids = apps.map((a) => a.appId);
  const duplicateId = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicateId !== undefined) fail(`app ${duplicateId} appears twice`);
  checkPorts(apps, fail);

  return {
    root,
    resourcesPath: resolve(common.resourcesPath, "common.resourcesPath"),
    configFilePath: common.configFilePath === undefined ? undefined : resolve(common.configFilePath, "common.configFilePath"),
    apps,
  };
}

/** How far apart the ports of two replicas of an app lie: replica n has replica 1's ports + (n - 1) * 10. */
export const replicaPortStep = 10;
/** At most this many replicas of an app: so that the ports of replicas of one kind stay in their range (3000-3099...). */
export const maxReplicas = 10;

/**
 * The topology with `counts[appId]` replicas of those apps (1 for the others): each
 * replica is the app with its own ports, replica 1's + (n - 1) * 10 (order-processor's
 * second replica: app 3010, Dapr HTTP 3510, gRPC 3610, internal gRPC 3710, metrics 9100),
 * the same app id, command and environment. Replicas follow their app in the list.
 */
export function withReplicas(topology: Topology, counts: Record<string, number>, name = "REPLICAS"): Topology {
  const fail = (message: string): never => {
    throw new Error(`${name}: ${message}`);
  };
  for (const [appId, count] of Object.entries(counts)) {
    if (!topology.apps.some((a) => a.appId === appId && a.replica === 1)) fail(`no app ${appId} in the run file`);
    if (!Number.isInteger(count) || count < 1 || count > maxReplicas) fail(`${appId}: between 1 and ${maxReplicas} replicas`);
  }
  const apps = topology.apps.flatMap((app) =>
    Array.from({ length: counts[app.appId] ?? 1 }, (_, i): AppSpec => {
      const offset = i * replicaPortStep;
      return {
        ...app,
        name: i === 0 ? app.appId : `${app.appId}-${i + 1}`,
        replica: i + 1,
        appPort: app.appPort + offset,
        daprHttpPort: app.daprHttpPort + offset,
        daprGrpcPort: app.daprGrpcPort + offset,
        daprInternalGrpcPort: app.daprInternalGrpcPort + offset,
        metricsPort: app.metricsPort + offset,
        env: { ...app.env, ...(app.env.PORT === undefined ? {} : { PORT: String(app.appPort + offset) }) },
      };
    }),
  );
  checkPorts(apps, fail);
  return { ...topology, apps };
}

/** "order-processor=2,inventory=2" (REPLICAS) -> { "order-processor": 2, inventory: 2 }; "" -> {}. */
export function parseReplicas(text: string | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of (text ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "")) {
    const match = /^([a-z0-9-]+)=(\d+)$/.exec(entry);
    if (match === null) throw new Error(`REPLICAS: "${entry}" is not <app id>=<count>, e.g. order-processor=2`);
    counts[match[1]!] = Number(match[2]);
  }
  return counts;
}

/** Refuses a port given twice (by two apps, or two replicas). */
function checkPorts(apps: AppSpec[], fail: Fail): void {
  const ports = apps.flatMap((a) => [a.appPort, a.daprHttpPort, a.daprGrpcPort, a.daprInternalGrpcPort, a.metricsPort]);
  const duplicatePort = ports.find((p, i) => ports.indexOf(p) !== i);
  if (duplicatePort !== undefined) fail(`port ${duplicatePort} is given twice`);
}

/** "localhost:50005" -> 50005, for the control plane services that the stack starts itself. */
export function localPort(address: string): number {
  const match = /^(localhost|127\.0\.0\.1):(\d+)$/.exec(address);
  if (match === null) throw new Error(`${address}: the local stack starts placement and scheduler on localhost:<port> only`);
  return Number(match[2]);
}

type Fail = (message: string) => never;
type Fields = Record<string, unknown>;

function object(value: unknown, where: string, fail: Fail): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(`${where} must be a mapping`);
  return value as Fields;
}

function string(value: unknown, where: string, fail: Fail): string {
  if (typeof value !== "string" || value === "") fail(`${where} must be a non-empty string`);
  return value as string;
}

function optionalString(value: unknown, where: string, fail: Fail): string | undefined {
  return value === undefined ? undefined : string(value, where, fail);
}

function stringMap(value: unknown, where: string, fail: Fail): Record<string, string> {
  if (value === undefined) return {};
  const map = object(value, where, fail);
  for (const [key, v] of Object.entries(map)) {
    if (typeof v !== "string") fail(`${where}: ${key} must be a string (quote it)`);
  }
  return map as Record<string, string>;
}

function checkFields(value: Fields, known: string[], where: string, fail: Fail): void {
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0) fail(`${where}: ${unknown.join(", ")} not supported by the local stack`);
}
