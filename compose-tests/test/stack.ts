// The compose stack under test, and the commands that drive it: `run` for one
// command at a time (remembered, so that an interrupt can stop it first), the app
// ports check, and the teardown that must happen whatever else does: logs saved,
// `docker compose down --volumes`, and a check that nothing of the project is left.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, createWriteStream, mkdirSync, openSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const composeFile = path.join(repoRoot, "docker-compose.yml");
/** A project name of its own: the test never touches a stack started by hand ("dapr-orders"). */
export const project = "dapr-orders-test";
/** Where the stack's output goes (git-ignored): up.log, compose.log (every container), ps.txt, down.log. */
export const artifacts = path.join(repoRoot, "test-artifacts", "compose");
/** What docker-compose.yml publishes on 127.0.0.1. */
export const appPorts = [3000, 3001, 3002, 3003, 3004];

/** `docker` arguments for this file and project, whatever COMPOSE_FILE or COMPOSE_PROJECT_NAME say. */
export const composeArgs = ["compose", "--file", composeFile, "--project-name", project];

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
