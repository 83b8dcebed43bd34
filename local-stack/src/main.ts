#!/usr/bin/env node
// `npm start`: runs the whole system as local processes until Ctrl-C (or SIGTERM),
// or until one of them dies, then stops all of them.
//
// Environment: REDIS_HOST (and REDIS_PASSWORD) to use a running Redis instead of a private one;
// <APP>_DAPR_API_TOKEN and <APP>_APP_API_TOKEN (e.g. PAYMENTS_APP_API_TOKEN) for an app's
// tokens instead of random ones; OPERATOR_TOKEN for the dashboard's operator;
// REPLICAS for more than one replica of an app, each with its own sidecar, e.g.
// REPLICAS=order-processor=2,inventory=2 (their ports: dapr.yaml's header);
// LOCAL_STACK_DATA_DIR for the data folder (.cache/local-stack by default);
// DAPR_BIN_DIR for Dapr binaries of the pinned version (see scripts/dapr-binaries.sh);
// TRACE_SAMPLING_RATE (0 to 1, 1 by default) for how many orders are traced, when
// Java is there to run Zipkin (else tracing is off; TRACING=off turns it off too);
// STACK_OUTPUT=all for every line of every process (by default the apps' lines, and
// the warnings and errors of the sidecars and the rest: output-filter.ts);
// WORKFLOW_STATE_RETENTION (a Go duration, 24h by default: local-config.yaml) for how long a
// finished workflow's state is kept; REDIS_MAXMEMORY (1gb by default) for the private
// Redis's memory limit (noeviction: past it, writes are refused, no key is dropped).
// Any other variable reaches the apps, e.g. APPROVAL_TIMEOUT_SECONDS=60 npm start,
// RECORD_TTL_SECONDS=3600 (how long orders' records and outcomes live).
import { LocalStack, prefixedLines, readRunFile, repoRoot } from "./index.js";
import path from "node:path";
import { parseReplicas, withReplicas } from "./run-file.js";
import { filteredLines, parseOutputMode } from "./output-filter.js";

const output = prefixedLines(process.stdout);
const say = (line: string) => output("local-stack", line);

const { topology, outputMode } = (() => {
  try {
    const outputMode = parseOutputMode(process.env.STACK_OUTPUT);
    return { topology: withReplicas(readRunFile(path.join(repoRoot, "dapr.yaml")), parseReplicas(process.env.REPLICAS)), outputMode };
  } catch (err) {
    say(`could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
})();
const stack = new LocalStack(topology, {
  output: filteredLines(output, outputMode, topology.apps.map((app) => app.name)),
  dataDir: process.env.LOCAL_STACK_DATA_DIR || undefined,
  ...(process.env.TRACING === "off" ? { tracing: false } : {}),
});

let signals = 0;
let firstSignalAt = 0;
const onSignal = (signal: NodeJS.Signals) => {
  // A Ctrl-C reaches the runner twice under `npm start`: from the terminal, and
  // forwarded by npm. Only a second one a moment later means "now".
  if (signals > 0 && Date.now() - firstSignalAt < 1000) return;
  signals += 1;
  firstSignalAt ||= Date.now();
  if (signals > 1) {
    say(`${signal} again: killing everything now`);
    process.exit(130); // the "exit" handler of the stack kills every process group
  }
  say(`${signal}: stopping everything (again to kill at once)`);
  void stack.stop();
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
process.on("SIGHUP", onSignal); // the terminal closed

const started = Date.now();
try {
  await stack.boot();
} catch (err) {
  if (signals === 0) say(`could not start: ${err instanceof Error ? err.message : String(err)}`);
  await stack.stop();
  process.exit(signals > 0 ? 0 : 1);
}

const url = (appId: string) => stack.url(appId).replace("127.0.0.1", "localhost");
say(`everything answers (${((Date.now() - started) / 1000).toFixed(1)} s):`);
say(`  dashboard   ${url("notifications")}`);
say(`  orders API  ${url("order-processor")}/orders`);
say(`  inventory   ${url("inventory")}/api/v1/inventory`);
for (const app of stack.apps) say(`  ${app.name.padEnd(18)} ${app.url}, its sidecar ${app.daprUrl}`);
say(`  Redis ${stack.redis}, data in ${path.relative(process.cwd(), stack.dataDir) || "."}`);
if (stack.zipkinUrl !== undefined)
  say(`  traces      ${stack.zipkinUrl.replace("127.0.0.1", "localhost")}/zipkin/ (Zipkin; each order's card links to its trace)`);
say("  Dapr: mTLS between sidecars (Sentry), the access control of dapr-components/access-control.yaml, API and app tokens of this run");
say(process.env.OPERATOR_TOKEN ? "  operator: sign in with OPERATOR_TOKEN" : "  operator: sign in with the login URL notifications printed above");
say("Ctrl-C stops everything.");

const failure = await stack.stopped;
say(failure === undefined ? "stopped" : `stopped after a failure: ${failure.message}`);
process.exit(failure === undefined ? 0 : 1);
