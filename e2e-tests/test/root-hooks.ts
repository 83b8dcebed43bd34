// Mocha root hooks (.mocharc.json requires this file): before all tests, start the
// local stack unless E2E_STACK=external; after them, stop it, also when tests failed
// or the run is interrupted. Its output goes to test-artifacts/e2e/local-stack.log.
import { exec } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot, startTestStack, type TestStack } from "@dapr-orders/local-stack";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { credentials, setStackControl, settingsEnv, sidecars, stackKind, urls } from "./target.js";

let running: TestStack | undefined;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    // Minutes only the first time on a machine, when scripts/dapr-binaries.sh builds
    // Dapr from source; then seconds (the stack itself gives up after 120 s).
    this.timeout(20 * 60_000);
    if (stackKind === "external") {
      setStackControl(externalControl());
      return;
    }
    running = await startTestStack({
      logFile: path.join(repoRoot, "test-artifacts", "e2e", "local-stack.log"),
      env: settingsEnv(),
    });
    const { stack } = running;
    urls.orders = stack.url("order-processor");
    urls.notifications = stack.url("notifications");
    urls.inventory = stack.url("inventory");
    urls.payments = stack.url("payments");
    urls.shipping = stack.url("shipping");
    urls.zipkin = stack.zipkinUrl ?? ""; // none without Java: tracing is off
    credentials.tokens = (appId) => stack.tokens(appId);
    for (const app of stack.apps) sidecars[app.appId] = app.daprUrl;
    setStackControl({
      restart: (appId) => stack.restartApp(appId),
      startInstance: (appId, port, env) => stack.startInstance(appId, port, env),
    });
  },

  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    setStackControl(undefined);
    await running?.stop();
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
      await pollUntil(`${appId} to answer after its restart`, async () => (await fetch(url)).ok, { timeoutMs: 120_000 });
    },
  };
}
