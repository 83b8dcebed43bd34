// Mocha root hooks (.mocharc.json requires this file): before all tests, start the
// local stack unless E2E_STACK=external; after them, stop it, also when tests failed
// or the run is interrupted. Its output goes to test-artifacts/e2e/local-stack.log.
import { exec } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot, start, type LocalStack } from "@dapr-orders/local-stack";
import { eventually } from "./http.js";
import { setStackControl, settingsEnv, stackKind, urls } from "./target.js";

let stack: LocalStack | undefined;
let stackFailure: Error | undefined;
let dataDir: string | undefined;
let log: WriteStream | undefined;

// A Ctrl-C must not leave the stack's processes behind: mocha itself does not
// handle the signal, so the process would end without stopping them.
const onSignal = (signal: NodeJS.Signals) => {
  console.error(`\n${signal}: stopping the local stack`);
  void Promise.resolve(stack?.stop()).finally(() => process.exit(130));
};

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    // Minutes only the first time on a machine, when scripts/dapr-binaries.sh builds
    // Dapr from source; then seconds (the stack itself gives up after 120 s).
    this.timeout(20 * 60_000);
    if (stackKind === "external") {
      setStackControl(externalControl());
      return;
    }
    const logFile = path.join(repoRoot, "test-artifacts", "e2e", "local-stack.log");
    mkdirSync(path.dirname(logFile), { recursive: true });
    log = createWriteStream(logFile);
    dataDir = await mkdtemp(path.join(os.tmpdir(), "dapr-orders-e2e-"));
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);

    const started = Date.now();
    const output = (name: string, line: string) => log!.write(`${name.padEnd(21)}| ${line}\n`);
    try {
      stack = await start({
        dataDir,
        env: settingsEnv(),
        output,
        onUnexpectedExit: (err) => (stackFailure = err),
      });
    } catch (err) {
      throw new Error(`the local stack did not start (see ${path.relative(process.cwd(), logFile)}): ${String(err)}`);
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`  local stack started in ${seconds} s; its output is in ${path.relative(process.cwd(), logFile)}`);
    urls.orders = stack.url("order-processor");
    urls.notifications = stack.url("notifications");
    urls.inventory = stack.url("inventory");
    urls.payments = stack.url("payments");
    urls.shipping = stack.url("shipping");
    const local = stack;
    setStackControl({
      restart: async (appId) => {
        output("e2e-tests", `restarting ${appId} and its sidecar`);
        await local.restartApp(appId);
      },
      startInstance: (appId, port) => {
        output("e2e-tests", `starting another ${appId} on port ${port}`);
        return local.startInstance(appId, port);
      },
    });
  },

  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    setStackControl(undefined);
    if (stack !== undefined) {
      const stopping = Date.now();
      await stack.stop();
      console.log(`  local stack stopped in ${((Date.now() - stopping) / 1000).toFixed(1)} s`);
    }
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await new Promise((resolve) => (log === undefined ? resolve(undefined) : log.end(resolve)));
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    if (stackFailure !== undefined) throw stackFailure;
  },
};

/**
 * For a stack that runs elsewhere: E2E_RESTART_COMMAND restarts an app and its
 * sidecar, with {app} standing for the app id, e.g. for Docker Compose
 * `docker compose restart {app} {app}-dapr`. Without it, no restart test.
 */
function externalControl() {
  const command = process.env.E2E_RESTART_COMMAND;
  if (command === undefined || command === "") return undefined;
  const baseUrl: Record<string, () => string> = {
    "order-processor": () => urls.orders,
    notifications: () => urls.notifications,
    inventory: () => urls.inventory,
    payments: () => urls.payments,
    shipping: () => urls.shipping,
  };
  return {
    async restart(appId: string) {
      await promisify(exec)(command.replaceAll("{app}", appId));
      const url = `${baseUrl[appId]!()}/healthz`;
      await eventually(`${appId} to answer after its restart`, async () => (await fetch(url)).ok, 120_000);
    },
  };
}
