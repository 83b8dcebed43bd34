#!/usr/bin/env node
// `npm run bench`: the real local stack (dapr.yaml) under load, then the no-op
// baseline (bench/baseline.dapr.yaml) under the same closed loop, one after the
// other on the same daprd binaries and ports; then the figures, as ratios to the
// baseline, in bench-results/ (JSON, Markdown, SVG). Everything is bounded: each
// request, each order, each level, and the whole run (BENCH_BUDGET_SECONDS); a
// stack whose process dies ends the bench with an error, and each stack is
// stopped whatever happens. `--soak` runs the soak instead (soak.ts).
import { execFile, execFileSync } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { setMaxListeners } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LocalStack, readRunFile, repoRoot, type LineSink } from "@dapr-orders/local-stack";
import { config } from "./config.js";
import { call } from "@dapr-orders/service-kit/http-client";
import { burst, closedLoop, placeAndFollow, type LevelResult, type OrderTarget } from "./load.js";
import { measureNotificationLatency, type NotificationLatency } from "./notification-latency.js";
import { cpuBetween, snapshot, type ProcessUsage } from "./proc.js";
import { commandsPerOrder, readCommandStats } from "./redis-stats.js";
import { soak } from "./soak.js";
import {
  checkTargets,
  compare,
  machineLine,
  markdown,
  plotPoints,
  svgPlot,
  type BenchResults,
  type Machine,
  type ProcessFigures,
  type StackRun,
} from "./report.js";

const resultsDir = path.join(repoRoot, "bench-results");
const say = (line: string) => console.log(`[bench] ${line}`);
const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

const abort = new AbortController();
const { signal } = abort;
setMaxListeners(5_000, signal); // every request in flight listens to it (the burst: 500 at once)
// `npm run bench -- --soak`: the soak instead (soak.ts), bounded by its own settings.
if (process.argv.includes("--soak")) {
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => abort.abort(new Error(`interrupted (${sig})`)));
  try {
    await soak(process.argv, say, signal);
  } catch (err) {
    console.error(`[bench] soak failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
  process.exit();
}
const stopWith = (reason: string) => {
  if (!signal.aborted) abort.abort(new Error(reason));
};
const budget = setTimeout(() => stopWith(`the bench did not finish within BENCH_BUDGET_SECONDS (${config.budgetSeconds} s)`), config.budgetSeconds * 1000);
process.on("SIGINT", () => stopWith("interrupted (SIGINT)"));
process.on("SIGTERM", () => stopWith("interrupted (SIGTERM)"));

interface StackContext {
  stack: LocalStack;
  name: string;
  /** "dropping work item" lines so far. */
  dropped: () => number;
}

/** Starts the stack of `runFile`, runs `body` on it, and stops it whatever happens. */
async function onStack<T>(
  name: string,
  runFile: string,
  env: Record<string, string>,
  daprBinDir: string,
  body: (ctx: StackContext) => Promise<T>,
): Promise<T & { startSeconds: number; droppedWorkItems: number }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `dapr-orders-bench-${name}-`));
  const logFile = path.join(resultsDir, `stack-${name}.log`);
  const log = createWriteStream(logFile);
  let dropped = 0;
  const output: LineSink = (proc, line) => {
    log.write(`${proc.padEnd(21)}| ${line}\n`);
    if (/dropping work item/i.test(line)) dropped += 1;
  };
  const stack = new LocalStack(readRunFile(runFile), {
    dataDir,
    env,
    redisHost: "", // a Redis of its own, in dataDir, even when REDIS_HOST is set: each run starts empty
    daprBinDir,
    output,
    readyTimeoutMs: 90_000,
    // Without Zipkin and tracing, as the figures have always been measured (and as the
    // baseline, with Dapr's defaults, runs): tracing every request costs a span export per call.
    tracing: false,
    onUnexpectedExit: (err) => stopWith(`the ${name} stack failed: ${err.message}\n(its output: ${path.relative(process.cwd(), logFile)})`),
  });
  const stopStack = () => void stack.stop();
  signal.addEventListener("abort", stopStack);
  const started = performance.now();
  try {
    say(`starting the ${name} stack (${path.relative(repoRoot, runFile)}); its output goes to ${path.relative(process.cwd(), logFile)}`);
    await stack.boot();
    const startSeconds = seconds(started);
    say(`the ${name} stack answers (${startSeconds} s)`);
    const result = await body({ stack, name, dropped: () => dropped });
    return { ...result, startSeconds, droppedWorkItems: dropped };
  } catch (err) {
    throw signal.aborted ? signal.reason : err; // "the stack is stopping" says less than why
  } finally {
    signal.removeEventListener("abort", stopStack);
    const stopping = performance.now();
    await stack.stop();
    say(`the ${name} stack stopped (${seconds(stopping)} s)`);
    await new Promise((resolve) => log.end(resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** One order placed and followed to its end: the stack works before it is measured. */
async function firstOrder(target: OrderTarget, name: string): Promise<void> {
  const run = await placeAndFollow(target, "bench-first", target.items[0]!, 60_000, signal);
  if (run.outcome !== "completed") throw new Error(`the ${name} stack did not complete a first order: ${run.outcome}, ${run.detail}`);
}

/**
 * Fills the real stack's inventory (as its sidecar calls it: with inventory's app token);
 * returns the items, each with at least `needed` units.
 */
async function restock(inventory: { url: string; appToken: string }, needed: number): Promise<string[]> {
  const answer = await call("POST", `${inventory.url}/api/v1/inventory/restock`, {
    json: {},
    headers: { "dapr-api-token": inventory.appToken },
    timeoutMs: 10_000,
    signal,
  });
  if (answer.status !== 200 || !Array.isArray(answer.body)) throw new Error(`restock answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  const items = answer.body as { name: string; quantity: number }[];
  const short = items.filter((i) => i.quantity < needed);
  if (items.length === 0 || short.length > 0) {
    throw new Error(`after a restock the inventory holds ${JSON.stringify(items)}: the bench needs ${needed} of each (RESTOCK_QUANTITY)`);
  }
  return items.map((i) => i.name);
}

/** The closed-loop levels; at the notification level, also the notification latency (real stack only). */
async function levels(
  ctx: StackContext,
  target: OrderTarget,
  clientCounts: number[],
  beforeEach: () => Promise<unknown>,
  latency?: { dashboardUrl: string; daprUrl: string; daprApiToken: string },
): Promise<{ levels: LevelResult[]; notifications?: NotificationLatency; notificationError?: string }> {
  const results: LevelResult[] = [];
  let notifications: NotificationLatency | undefined;
  let notificationError: string | undefined;
  const label = target.items.length === 1 ? `${ctx.name}, hot item` : ctx.name;
  for (const clients of clientCounts) {
    await beforeEach();
    say(`${label}, ${clients} clients: ${config.warmupSeconds} s warm-up, then ${config.levelSeconds} s measured`);
    const before = snapshot(ctx.stack.pids);
    const redisBefore = await readCommandStats(ctx.stack.redis, ctx.stack.redisPassword);
    const withLatency = latency !== undefined && clients === config.notificationLevel;
    const level = await closedLoop(target, {
      clients,
      warmupMs: config.warmupSeconds * 1000,
      durationMs: config.levelSeconds * 1000,
      orderTimeoutMs: config.orderTimeoutSeconds * 1000,
      signal,
      duringWindow: !withLatency
        ? undefined
        : async (until) => {
            try {
              notifications = await measureNotificationLatency({ ...latency, until, intervalMs: config.notificationIntervalMs, signal });
            } catch (err) {
              if (signal.aborted) throw err;
              notificationError = String(err); // a measurement that failed, not a reason to stop the load
            }
          },
    });
    const cpuMsPerOrder = perOrder(cpuBetween(before, snapshot(ctx.stack.pids)), level.allOrders);
    const redisPerOrder = commandsPerOrder(redisBefore, await readCommandStats(ctx.stack.redis, ctx.stack.redisPassword), level.allOrders);
    const l = level.latencyMs;
    say(
      `${label}, ${clients} clients: ${level.ordersPerSecond} orders/s, p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, ` +
        `${level.errorTotal} errors${level.errorExamples.length > 0 ? ` (e.g. ${level.errorExamples[0]})` : ""}`,
    );
    say(
      `${label}, ${clients} clients, CPU ms an order: ${Object.entries(cpuMsPerOrder)
        .map(([p, ms]) => `${p} ${ms}`)
        .join(", ")}`,
    );
    say(
      `${label}, ${clients} clients, Redis commands an order: ${Object.entries(redisPerOrder)
        .map(([c, n]) => `${c} ${n}`)
        .join(", ")}`,
    );
    results.push({ ...level, cpuMsPerOrder, redisPerOrder });
  }
  if (notifications !== undefined) {
    say(
      `notification latency: p50 ${notifications.latencyMs.p50} ms, p99 ${notifications.latencyMs.p99} ms, ${notifications.lost} lost of ${notifications.sent}`,
    );
  }
  if (notificationError !== undefined) say(`notification latency not measured: ${notificationError}`);
  return { levels: results, notifications, notificationError };
}

function processFigures(start: Map<string, ProcessUsage>, afterLoop: Map<string, ProcessUsage>, afterBurst?: Map<string, ProcessUsage>): ProcessFigures[] {
  const loop = cpuBetween(start, afterLoop);
  const burstCpu = afterBurst === undefined ? new Map<string, number>() : cpuBetween(afterLoop, afterBurst);
  const last = afterBurst ?? afterLoop;
  return [...last.keys()].map((name) => ({
    name,
    cpuClosedLoop: loop.get(name),
    cpuBurst: afterBurst === undefined ? undefined : burstCpu.get(name),
    peakRssMiB: Math.round(last.get(name)!.peakRssMiB * 10) / 10,
  }));
}

/** CPU milliseconds an order, by process (and "all"), over `orders` orders. */
function perOrder(cpu: Map<string, number>, orders: number): Record<string, number> {
  const ms = (seconds: number) => (orders === 0 ? 0 : Math.round((seconds * 10_000) / orders) / 10);
  const all = [...cpu.values()].reduce((a, b) => a + b, 0);
  return { ...Object.fromEntries([...cpu].map(([name, seconds]) => [name, ms(seconds)])), all: ms(all) };
}

function cpuMsPerOrder(cpu: Map<string, number>, levels: LevelResult[]): number | undefined {
  const orders = levels.reduce((a, l) => a + l.allOrders, 0);
  const total = [...cpu.values()].reduce((a, b) => a + b, 0);
  return orders === 0 ? undefined : Math.round((total * 1000) / orders);
}

async function runOurs(ctx: StackContext) {
  const { stack } = ctx;
  const inventory = { url: stack.url("inventory"), appToken: stack.tokens("inventory").appApiToken };
  const orderProcessor = stack.apps.find((a) => a.appId === "order-processor")!;
  const needed = 5_000; // more than any level or the burst orders of one item
  const target: OrderTarget = { ordersUrl: orderProcessor.url, items: await restock(inventory, needed) };
  await firstOrder(target, ctx.name);

  const start = snapshot(stack.pids);
  const measured = await levels(ctx, target, config.clients, () => restock(inventory, needed), {
    dashboardUrl: stack.url("notifications"),
    daprUrl: orderProcessor.daprUrl,
    daprApiToken: stack.tokens("order-processor").daprApiToken,
  });
  const afterLoop = snapshot(stack.pids);
  // Every order for the same item: how the apps take orders that contend for one record.
  const hot = await levels(ctx, { ...target, items: [target.items[0]!] }, config.hotClients, () => restock(inventory, needed));

  await restock(inventory, needed);
  say(`${ctx.name}: a burst of ${config.burst} orders at once`);
  const droppedBefore = ctx.dropped();
  const burstResult = await burst(target, {
    count: config.burst,
    postTimeoutMs: 30_000,
    terminalWithinMs: config.burstTerminalSeconds * 1000,
    signal,
  });
  const droppedInBurst = ctx.dropped() - droppedBefore;
  const afterBurst = snapshot(stack.pids);
  say(
    `${ctx.name}, burst: POSTs answered in ${burstResult.postsAnsweredMs} ms (${JSON.stringify(burstResult.statuses)}, ` +
      `${burstResult.unanswered} unanswered), all terminal in ${burstResult.allTerminalMs ?? "never"} ms, ` +
      `${burstResult.stuck} stuck, ${droppedInBurst} dropped work items`,
  );
  return {
    ...measured,
    hotLevels: hot.levels,
    burst: burstResult,
    droppedInBurst,
    processes: processFigures(start, afterLoop, afterBurst),
    cpuMsPerOrder: cpuMsPerOrder(cpuBetween(start, afterLoop), measured.levels),
  };
}

async function runBaseline(ctx: StackContext) {
  const { stack } = ctx;
  const target: OrderTarget = { ordersUrl: stack.url("order-processor"), items: ["orange", "apple", "pear", "kiwi"] };
  await firstOrder(target, ctx.name);
  const start = snapshot(stack.pids);
  const measured = await levels(ctx, target, config.clients, async () => {});
  const afterLoop = snapshot(stack.pids);
  return {
    levels: measured.levels,
    processes: processFigures(start, afterLoop),
    cpuMsPerOrder: cpuMsPerOrder(cpuBetween(start, afterLoop), measured.levels),
  };
}

/** The folder of daprd, placement and scheduler that local-stack would use (scripts/dapr-binaries.sh). */
function daprBinaries(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile("bash", [path.join(repoRoot, "scripts", "dapr-binaries.sh")], (err, stdout) => {
      if (err) reject(new Error(`scripts/dapr-binaries.sh failed: ${err.message}`));
      else resolve(stdout.trim());
    });
    child.stderr?.pipe(process.stderr);
  });
}

function describeMachine(daprBinDir: string): Machine {
  let osName = `${os.type()} ${os.release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync("/etc/os-release", "utf8"));
    if (pretty !== null) osName = `${pretty[1]}, ${os.type()} ${os.release()}`;
  } catch {
    // not there: the kernel's name will do
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: osName,
    node: process.version,
    dapr: execFileSync(path.join(daprBinDir, "daprd"), ["--version"], { encoding: "utf8" }).trim(),
  };
}

async function main(): Promise<void> {
  const began = performance.now();
  mkdirSync(resultsDir, { recursive: true });
  const daprBinDir = await daprBinaries();
  const machine = describeMachine(daprBinDir);
  say(`${machineLine(machine)}; budget ${config.budgetSeconds} s`);
  const ownCpu = process.cpuUsage();

  const ours = await onStack("ours", path.join(repoRoot, "dapr.yaml"), { RESTOCK_QUANTITY: String(config.restockQuantity), ORDER_RATE_LIMIT: "0" }, daprBinDir, runOurs);
  const baseline = await onStack("baseline", path.join(repoRoot, "bench", "baseline.dapr.yaml"), {}, daprBinDir, runBaseline);

  const own = process.cpuUsage(ownCpu);
  const bench: ProcessFigures = {
    name: "bench (the load itself, both stacks)",
    cpuClosedLoop: Math.round((own.user + own.system) / 10_000) / 100,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
  };
  const oursRun: StackRun = { ...ours, processes: [...ours.processes, bench] };
  const comparison = compare(ours.levels, baseline.levels, ours.hotLevels);
  const results: BenchResults = {
    date: new Date().toISOString(),
    machine,
    settings: {
      clients: config.clients,
      warmupSeconds: config.warmupSeconds,
      levelSeconds: config.levelSeconds,
      burst: config.burst,
      notificationLevel: config.notificationLevel,
    },
    ours: oursRun,
    baseline,
    comparison,
    targets: checkTargets(oursRun, comparison, config.notificationLevel),
  };
  const table = markdown(results);
  writeFileSync(path.join(resultsDir, "bench.json"), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(path.join(resultsDir, "bench.md"), table);
  writeFileSync(
    path.join(resultsDir, "bench.svg"),
    svgPlot(plotPoints(results), `${machine.cpus} CPUs, Node ${machine.node}, Dapr ${machine.dapr}, ${results.date.slice(0, 10)}`),
  );
  console.log(`\n${table}`);
  say(`done in ${seconds(began)} s: bench-results/bench.json, bench.md, bench.svg (and each stack's output)`);
}

try {
  await main();
} catch (err) {
  console.error(`[bench] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(budget);
}
// Anything still pending (a request the abort cut short) must not keep the bench alive.
process.exit();
