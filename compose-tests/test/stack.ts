// The compose stack under test, and the commands that drive it: `run` for one
// command at a time (remembered, so that an interrupt can stop it first), the
// provisioning (Docker, Compose, images) and the start of the stack, each done once
// per run whichever test file needs them first, and the teardown that must happen
// whatever else does (root-hooks.ts): logs saved, `docker compose down --volumes`,
// and a check that nothing of the project is left.
import { randomBytes } from "node:crypto";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, createWriteStream, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { repoRoot } from "@dapr-orders/local-stack";

export { repoRoot };
export const composeFile = path.join(repoRoot, "docker-compose.yml");
/** A project name of its own: the test never touches a stack started by hand ("dapr-orders"). */
export const project = "dapr-orders-test";
/** Where the stack's output goes (git-ignored): up.log, compose.log (every container), ps.txt, down.log. */
export const artifacts = path.join(repoRoot, "test-artifacts", "compose");
/** What docker-compose.yml publishes on 127.0.0.1: the apps' ports, and Zipkin's. */
export const appPorts = [3000, 3001, 3002, 3003, 3004, 9411];

/**
 * The secrets of the run (scripts/compose-env.sh writes them, as a user does, but here,
 * not into the repository's .env): tokens, Redis's password and Dapr's CA. Removed after
 * the teardown.
 */
export const secretsDir = path.join(os.tmpdir(), `dapr-orders-compose-test-${process.pid}`);
const envFile = path.join(secretsDir, ".env");

/** `docker` arguments for this file, project and secrets, whatever COMPOSE_FILE, COMPOSE_PROJECT_NAME or ./.env say. */
export const composeArgs = ["compose", "--file", composeFile, "--project-name", project, "--env-file", envFile];

/**
 * What the stack runs with, and what the end-to-end suite expects of it
 * (e2e-tests/test/target.ts): the suite's defaults, among them a 15 s approval
 * timeout. Fixed here rather than taken from the caller's shell, so both sides agree.
 * The dashboard's history keeps every event of a run (the chaos test reads it all).
 */
export const settings = {
  APPROVAL_THRESHOLD: "1000",
  APPROVAL_TIMEOUT_SECONDS: "15",
  PAYMENT_CARD_LIMIT: "5000",
  SHIPPING_BLOCKED_CUSTOMERS: "nowhere",
  RESTOCK_QUANTITY: "100",
  HISTORY_LENGTH: "50000",
  // The tests place many orders from one address: no per-client limits.
  ORDER_RATE_LIMIT: "0",
  DASHBOARD_ORDER_RATE_LIMIT: "0",
};

/** The image variables of docker-compose.yml (NODE_IMAGE is the base of the app images). */
export const imageVariables = ["NODE_IMAGE", "REDIS_IMAGE", "DAPRD_IMAGE", "PLACEMENT_IMAGE", "SCHEDULER_IMAGE", "SENTRY_IMAGE", "PAUSE_IMAGE", "ZIPKIN_IMAGE"];

const script = (name: string) => path.join(repoRoot, "scripts", name);

let provisioning: Promise<NodeJS.ProcessEnv> | undefined;

/**
 * Docker and Compose ready, the images (the caller's where its image variables are
 * set, to test other images; local stand-ins for the others, built the first time,
 * then cached) and the secrets. Resolves with the environment for `docker compose`:
 * the caller's, the images, the settings, the tokens of the secrets file, and an
 * operator token (OPERATOR_TOKEN: fixed for the run, so that it outlives a restart of
 * notifications). Done once per run.
 */
export function provision(): Promise<NodeJS.ProcessEnv> {
  provisioning ??= (async () => {
    await run(script("docker-engine.sh"), [], { showStderr: true });
    let images = Object.fromEntries(imageVariables.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
    if (Object.keys(images).length < imageVariables.length) {
      const exports = await run(script("docker-standin-images.sh"), [], { showStderr: true });
      const standIns = Object.fromEntries([...exports.matchAll(/^export (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
      expect(Object.keys(standIns), "variables printed by docker-standin-images.sh").to.have.members(imageVariables);
      images = { ...standIns, ...images };
    }
    console.log(`    images: ${imageVariables.map((name) => `${name}=${images[name]}`).join(" ")}`);
    await run(script("compose-env.sh"), [envFile], { showStderr: true });
    const operator = { OPERATOR_TOKEN: randomBytes(24).toString("base64url") };
    return { ...process.env, ...settings, ...images, ...secretTokens(), ...operator };
  })();
  return provisioning;
}

/** The tokens and the Redis passwords (the default user's and each app's) of the secrets file (its one-line values), by name. */
function secretTokens(): Record<string, string> {
  const tokens: Record<string, string> = {};
  for (const line of readFileSync(envFile, "utf8").split("\n")) {
    const match = /^(\w+_TOKEN|\w*REDIS_PASSWORD)=(\w+)$/.exec(line);
    if (match !== null) tokens[match[1]!] = match[2]!;
  }
  return tokens;
}

/** `docker compose` of this file and project, with what provision() gives; `env` adds to it. */
export async function compose(args: string[], options: RunOptions = {}): Promise<string> {
  const env = { ...(await provision()), ...options.env };
  return run("docker", [...composeArgs, ...args], { ...options, env });
}

const waitTimeoutSeconds = 180;
let starting: Promise<void> | undefined;

/**
 * The stack built and started (`up --build --wait`), once per run: a leftover of
 * this project is taken down first, and the test stops if something else holds the
 * app ports. The root hooks take it down after the last test.
 */
export function stackUp(): Promise<void> {
  starting ??= (async () => {
    await compose(["down", "--volumes", "--remove-orphans"]);
    const taken = await takenPorts(appPorts);
    if (taken.length > 0) {
      throw new Error(
        `127.0.0.1:${taken.join(", ")} ${taken.length > 1 ? "are" : "is"} taken, and the stack publishes ${appPorts.join(", ")} there. ` +
          `Stop what listens (another \`docker compose up\`: \`docker compose down\`; the local stack: Ctrl-C on \`npm start\`), then run again.\n` +
          listeners(taken),
      );
    }
    mkdirSync(artifacts, { recursive: true });
    const started = Date.now();
    await compose(["up", "--detach", "--build", "--wait", "--wait-timeout", String(waitTimeoutSeconds)], {
      log: path.join(artifacts, "up.log"),
    });
    console.log(`    stack built and healthy in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  })();
  return starting;
}

/** Whether stackUp() was called: the stack may be (partly) up then, and must come down. */
export const stackStarted = () => starting !== undefined;

let running: ChildProcess | undefined;

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** A file for the command's whole output (stdout and stderr). */
  log?: string;
  /** Show the command's stderr as it comes (progress of the provisioning scripts). */
  showStderr?: boolean;
}

/**
 * Runs a command to its end. Resolves with its stdout; rejects with the end of its
 * output when it fails. Like runShown, it runs in a process group of its own, which
 * an interrupt stops as a whole (see teardownOnInterrupt).
 */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", options.showStderr ? "inherit" : "pipe"],
      detached: true,
    });
    running = child;
    const log = options.log === undefined ? undefined : createWriteStream(options.log);
    let stdout = "";
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk;
      output += chunk;
      log?.write(chunk);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk;
      log?.write(chunk);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      running = undefined;
      log?.end();
      if (code === 0) return resolve(stdout);
      const how = signal === null ? `exited with ${code}` : `was stopped by ${signal}`;
      const where = options.log === undefined ? "" : ` (whole output: ${path.relative(repoRoot, options.log)})`;
      const tail = output.trimEnd().split("\n").slice(-40).join("\n");
      reject(new Error(`\`${[command, ...args].join(" ")}\` ${how}${where}:\n${tail}`));
    });
  });
}

/** Runs a command in `cwd` with its output shown as it comes; resolves with its exit code. */
export function runShown(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "inherit", "inherit"], detached: true });
    running = child;
    child.on("error", reject);
    child.on("close", (code) => {
      running = undefined;
      resolve(code ?? 1);
    });
  });
}

/** The ports of `ports` that something listens on already, on 127.0.0.1 or on every address. */
export async function takenPorts(ports: number[]): Promise<number[]> {
  const taken: number[] = [];
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (!free) taken.push(port);
  }
  return taken;
}

/** What `ss -ltnp` says about these ports (who listens), when ss is installed. */
export function listeners(ports: number[]): string {
  const ss = spawnSync("ss", ["-Hltnp"], { encoding: "utf8" });
  if (ss.status !== 0) return "";
  return ss.stdout
    .split("\n")
    .filter((line) => ports.some((port) => new RegExp(`:${port}\\s`).test(line)))
    .join("\n");
}

/**
 * Saves `docker compose ps` and `docker compose logs`, then `docker compose down
 * --volumes --remove-orphans` (and removes the project's untagged images), then checks
 * that no container, network or volume of the project is left. Resolves with what went
 * wrong (nothing: []). The commands run in a process group of their own, so that a
 * second Ctrl-C does not cut them short. Runs once: a second call (an interrupt during
 * the teardown) gets the same promise.
 */
export function teardown(): Promise<string[]> {
  tearingDown ??= takeDown();
  return tearingDown;
}

let tearingDown: Promise<string[]> | undefined;

async function takeDown(): Promise<string[]> {
  mkdirSync(artifacts, { recursive: true });
  const problems: string[] = [];
  const docker = async (what: string, args: string[], outputFile: string) => {
    const file = path.join(artifacts, outputFile);
    const fd = openSync(file, "w");
    try {
      const child = spawn("docker", args, { cwd: repoRoot, stdio: ["ignore", fd, fd], detached: true });
      const code = await new Promise<number | null>((resolve) => {
        child.on("error", () => resolve(null));
        child.on("close", resolve);
      });
      if (code !== 0) problems.push(`${what} failed: see ${path.relative(repoRoot, file)}`);
    } finally {
      closeSync(fd);
    }
  };
  await docker("docker compose ps", [...composeArgs, "ps", "--all"], "ps.txt");
  await docker("docker compose logs", [...composeArgs, "logs", "--no-color", "--timestamps"], "compose.log");
  await docker("docker compose down", [...composeArgs, "down", "--volumes", "--remove-orphans", "--timeout", "10"], "down.log");
  // The app images stay, as a build cache; those that newer builds replaced go.
  const label = `label=com.docker.compose.project=${project}`;
  await docker("docker image prune", ["image", "prune", "--force", "--filter", label], "image-prune.log");
  const left = leftovers();
  if (left.length > 0) problems.push(`left behind after docker compose down: ${left.join(", ")}`);
  rmSync(secretsDir, { recursive: true, force: true });
  return problems;
}

/** Containers, networks and volumes that carry the project's label. */
export function leftovers(): string[] {
  const filter = ["--filter", `label=com.docker.compose.project=${project}`];
  const list = (args: string[]) =>
    (spawnSync("docker", [...args, ...filter], { encoding: "utf8" }).stdout ?? "").split("\n").filter(Boolean);
  return [
    ...list(["ps", "--all", "--format", "container {{.Names}}"]),
    ...list(["network", "ls", "--format", "network {{.Name}}"]),
    ...list(["volume", "ls", "--format", "volume {{.Name}}"]),
  ];
}

/**
 * Until the returned function is called, an interrupt (Ctrl-C, SIGTERM, SIGHUP)
 * stops the command that runs, tears the stack down and exits. Mocha does not handle
 * signals itself: without this, an interrupted run would leave the stack running.
 * The commands run in process groups of their own, so a Ctrl-C reaches this process
 * only, and it stops them, in order, itself.
 */
export function teardownOnInterrupt(): () => void {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return; // a second Ctrl-C: the teardown is under way already
    interrupted = true;
    console.error(`\n${signal}: taking the test stack (${project}) down`);
    const finish = () =>
      void teardown().then((problems) => {
        for (const problem of problems) console.error(problem);
        process.exit(128 + (os.constants.signals[signal] ?? 2));
      });
    const child = running;
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return finish();
    // The command and whatever it started (npm, docker compose, mocha...): the whole group.
    const signalGroup = (groupSignal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, groupSignal);
      } catch {
        // gone already
      }
    };
    child.once("close", finish);
    signalGroup("SIGINT");
    setTimeout(() => signalGroup("SIGKILL"), 15_000).unref();
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
