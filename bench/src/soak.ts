// `npm run bench -- --soak`: many small orders through the real local stack, with
// Redis's size sampled as they go, to see that the store levels off: finished
// workflows' state is purged (a short retention: SOAK_RETENTION) and the orders'
// records and outcomes expire (SOAK_RECORD_TTL_SECONDS). `--soak --without-retention`
// runs the same load with the defaults (24 h, 30 days): the control, where the store
// only grows. Bounded: SOAK_ORDERS orders at most, SOAK_BUDGET_SECONDS at most.
//
// The soak stack waits at most 10 s for an approval and tries a step 3 times, so that
// a record's time to live may be a minute (order-processor checks it is longer than an
// order's longest wait); the soak's orders are all under the approval threshold.
//
// Writes bench-results/soak-<mode>.json and .md: a row per sample (orders done, the
// throughput since the last sample, Redis's keys and used memory).
import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LocalStack, readRunFile, repoRoot } from "@dapr-orders/local-stack";
import { envNumber, envString } from "@dapr-orders/service-kit";
import { call } from "@dapr-orders/service-kit/http-client";
import { sleep } from "./http.js";
import { placeAndFollow, type OrderTarget } from "./load.js";

export interface SoakSettings {
  retention: boolean;
  orders: number;
  clients: number;
  budgetSeconds: number;
  sampleSeconds: number;
  /** A Go duration: how long a finished workflow's state is kept (with retention). */
  workflowRetention: string;
  /** How long records and outcomes live (with retention). */
  recordTtlSeconds: number;
}

export function soakSettings(argv: string[], env = process.env): SoakSettings {
  return {
    retention: !argv.includes("--without-retention"),
    orders: envNumber("SOAK_ORDERS", 50_000, env),
    clients: envNumber("SOAK_CLIENTS", 16, env),
    budgetSeconds: envNumber("SOAK_BUDGET_SECONDS", 40 * 60, env),
    sampleSeconds: envNumber("SOAK_SAMPLE_SECONDS", 15, env),
    workflowRetention: envString("SOAK_RETENTION", "30s", env),
    recordTtlSeconds: envNumber("SOAK_RECORD_TTL_SECONDS", 60, env),
  };
}

export interface Sample {
  seconds: number;
  /** Orders that ended (completed or not) so far. */
  orders: number;
  failed: number;
  /** Orders ended per second since the previous sample. */
  ordersPerSecond: number;
  keys: number;
  usedMemoryMiB: number;
}

/** The sample after `previous`, from the store's size and the counts at `seconds`. */
export function nextSample(
  previous: Sample | undefined,
  seconds: number,
  orders: number,
  failed: number,
  size: { keys: number; used_memory_bytes: number },
): Sample {
  const elapsed = seconds - (previous?.seconds ?? 0);
  const done = orders - (previous?.orders ?? 0);
  return {
    seconds,
    orders,
    failed,
    ordersPerSecond: elapsed > 0 ? Math.round((done / elapsed) * 10) / 10 : 0,
    keys: size.keys,
    usedMemoryMiB: Math.round((size.used_memory_bytes / 2 ** 20) * 10) / 10,
  };
}

/**
 * Whether the store levelled off: the keys of the last quarter of the samples grew by
 * less than `tolerance` (a share) over the keys at the half. Undefined with fewer than 4 samples.
 */
export function levelledOff(samples: Sample[], tolerance = 0.1): boolean | undefined {
  if (samples.length < 4) return undefined;
  const half = samples[Math.floor(samples.length / 2)]!.keys;
  const last = samples.at(-1)!.keys;
  return last <= half * (1 + tolerance);
}

export function soakMarkdown(settings: SoakSettings, samples: Sample[]): string {
  const mode = settings.retention
    ? `with retention (workflow state ${settings.workflowRetention}, records ${settings.recordTtlSeconds} s)`
    : "without retention (the defaults: 24 h, 30 days)";
  const rows = samples.map((s) => `| ${s.seconds} | ${s.orders} | ${s.failed} | ${s.ordersPerSecond} | ${s.keys} | ${s.usedMemoryMiB} |`);
  const level = levelledOff(samples);
  return [
    `## Soak ${mode}, ${settings.clients} clients`,
    "",
    "| s | orders ended | failed | orders/s | Redis keys | Redis MiB |",
    "|---:|---:|---:|---:|---:|---:|",
    ...rows,
    "",
    level === undefined
      ? "Too few samples to tell whether the store levelled off."
      : `The store ${level ? "levelled off" : "kept growing"}: keys at the end against keys half-way.`,
    "",
  ].join("\n");
}

/** Runs the soak; resolves with its samples once every client stopped and the stack is down. */
export async function soak(argv: string[], say: (line: string) => void, signal: AbortSignal, daprBinDir?: string): Promise<Sample[]> {
  const settings = soakSettings(argv);
  const mode = settings.retention ? "retention" : "without-retention";
  const resultsDir = path.join(repoRoot, "bench-results");
  mkdirSync(resultsDir, { recursive: true });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "dapr-orders-soak-"));
  const logFile = path.join(resultsDir, `stack-soak-${mode}.log`);
  const log = createWriteStream(logFile);
  const env: Record<string, string> = {
    RESTOCK_QUANTITY: String(settings.orders + 1000),
    APPROVAL_TIMEOUT_SECONDS: "10",
    STEP_RETRY_ATTEMPTS: "3",
    ...(settings.retention ? { RECORD_TTL_SECONDS: String(settings.recordTtlSeconds) } : {}),
  };
  const stack = new LocalStack(readRunFile(path.join(repoRoot, "dapr.yaml")), {
    dataDir,
    env,
    redisHost: "",
    ...(daprBinDir === undefined ? {} : { daprBinDir }),
    ...(settings.retention ? { workflowStateRetention: settings.workflowRetention } : {}),
    output: (proc, line) => log.write(`${proc.padEnd(21)}| ${line}\n`),
    readyTimeoutMs: 90_000,
    tracing: false,
  });
  const stop = () => void stack.stop();
  signal.addEventListener("abort", stop);
  const samples: Sample[] = [];
  try {
    say(
      `soak ${mode}: ${settings.orders} orders at most, ${settings.clients} clients, ${settings.budgetSeconds} s at most; the stack's output goes to ${path.relative(process.cwd(), logFile)}`,
    );
    await stack.boot();
    const restock = await call("POST", `${stack.url("inventory")}/api/v1/inventory/restock`, {
      json: {},
      headers: { "dapr-api-token": stack.tokens("inventory").appApiToken },
      timeoutMs: 10_000,
      signal,
    });
    if (restock.status !== 200) throw new Error(`restock answered ${restock.status}`);
    const target: OrderTarget = { ordersUrl: stack.url("order-processor"), items: ["orange", "apple", "pear", "kiwi"] };
    const storeUrl = `${stack.url("notifications")}/api/store`;
    const readSize = async () => {
      const answer = await call("GET", storeUrl, { timeoutMs: 10_000, signal });
      if (answer.status !== 200) throw new Error(`GET /api/store answered ${answer.status}`);
      return answer.body as { keys: number; used_memory_bytes: number };
    };

    const began = performance.now();
    const until = began + settings.budgetSeconds * 1000;
    let placed = 0;
    let ended = 0;
    let failed = 0;
    const client = async (n: number) => {
      while (placed < settings.orders && performance.now() < until && !signal.aborted) {
        placed += 1;
        const run = await placeAndFollow(target, `soak-${n}`, target.items[n % target.items.length]!, 60_000, signal);
        ended += 1;
        if (run.outcome !== "completed") failed += 1;
        if (run.outcome === "rejected" || run.outcome === "unanswered") await sleep(Math.min(run.retryAfterMs ?? 100, 1000), signal);
      }
    };
    let running = true;
    const sampler = async () => {
      samples.push(nextSample(undefined, 0, 0, 0, await readSize()));
      while (running) {
        await sleep(settings.sampleSeconds * 1000, signal);
        const sample = nextSample(samples.at(-1), Math.round((performance.now() - began) / 1000), ended, failed, await readSize());
        samples.push(sample);
        say(
          `${sample.seconds} s: ${sample.orders} orders (${sample.failed} not completed), ${sample.ordersPerSecond}/s, ${sample.keys} keys, ${sample.usedMemoryMiB} MiB`,
        );
      }
    };
    const sampling = sampler();
    await Promise.all(Array.from({ length: settings.clients }, (_, n) => client(n)));
    running = false;
    await sampling;
    writeFileSync(path.join(resultsDir, `soak-${mode}.json`), JSON.stringify({ date: new Date().toISOString(), settings, samples }, null, 2) + "\n");
    const table = soakMarkdown(settings, samples);
    writeFileSync(path.join(resultsDir, `soak-${mode}.md`), table);
    console.log(`\n${table}`);
    return samples;
  } finally {
    signal.removeEventListener("abort", stop);
    await stack.stop();
    await new Promise((resolve) => log.end(resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}
