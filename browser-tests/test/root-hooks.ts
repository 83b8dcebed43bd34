// Mocha root hooks (.mocharc.json requires this file): before all tests, start the
// system as local processes (../local-stack) and Chromium; after them, stop both,
// also when tests failed or the run is interrupted. The stack's output goes to
// test-artifacts/browser/local-stack.log.
import { accessSync, constants, createWriteStream, mkdirSync, readdirSync, rmSync, type WriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { start, type LocalStack } from "@dapr-orders/local-stack";
import { chromium, type BrowserContext } from "playwright-core";
import { artifactsDir, setHarness, settings } from "./harness.js";

/** Debian's Chromium (apt-get install chromium); CHROMIUM_PATH for another. */
const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

let stack: LocalStack | undefined;
let browser: BrowserContext | undefined;
let stackFailure: Error | undefined;
const tempDirs: string[] = [];
let log: WriteStream | undefined;

const onSignal = (signal: NodeJS.Signals) => {
  console.error(`\n${signal}: stopping the browser and the local stack`);
  void Promise.allSettled([browser?.close(), stack?.stop()]).finally(() => process.exit(130));
};

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    // Minutes only the first time on a machine, when scripts/dapr-binaries.sh builds Dapr.
    this.timeout(20 * 60_000);
    try {
      accessSync(chromiumPath, constants.X_OK);
    } catch {
      throw new Error(`no Chromium at ${chromiumPath}: install it (Debian/Ubuntu: apt-get install -y chromium), or set CHROMIUM_PATH`);
    }
    mkdirSync(artifactsDir, { recursive: true });
    for (const name of readdirSync(artifactsDir)) {
      if (name.startsWith("failed-")) rmSync(path.join(artifactsDir, name)); // from an earlier run
    }
    const logFile = path.join(artifactsDir, "local-stack.log");
    log = createWriteStream(logFile);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);

    const started = Date.now();
    const dataDir = await tempDir("dapr-orders-browser-");
    try {
      stack = await start({
        dataDir,
        env: {
          APPROVAL_THRESHOLD: String(settings.approvalThreshold),
          APPROVAL_TIMEOUT_SECONDS: String(settings.approvalTimeoutSeconds),
          PAYMENT_CARD_LIMIT: String(settings.cardLimit),
          SHIPPING_BLOCKED_CUSTOMERS: settings.blockedCustomer,
          RESTOCK_QUANTITY: String(settings.restockQuantity),
        },
        output: (name, line) => log!.write(`${name.padEnd(21)}| ${line}\n`),
        onUnexpectedExit: (err) => (stackFailure = err),
      });
    } catch (err) {
      throw new Error(`the local stack did not start (see ${path.relative(process.cwd(), logFile)}): ${String(err)}`);
    }
    // A fresh profile each run: nothing cached or stored from an earlier one.
    browser = await chromium.launchPersistentContext(await tempDir("dapr-orders-chromium-"), {
      executablePath: chromiumPath,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
      ],
      viewport: { width: 1440, height: 900 },
    });
    console.log(
      `  local stack and Chromium ${browser.browser()?.version() ?? ""} started in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `the stack's output is in ${path.relative(process.cwd(), logFile)}`,
    );
    setHarness({
      stack,
      browser,
      dashboardUrl: stack.url("notifications"),
      ordersUrl: stack.url("order-processor"),
      inventoryUrl: stack.url("inventory"),
    });
  },

  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    setHarness(undefined);
    await browser?.close().catch(() => {});
    if (stack !== undefined) {
      const stopping = Date.now();
      await stack.stop();
      console.log(`  local stack stopped in ${((Date.now() - stopping) / 1000).toFixed(1)} s`);
    }
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await new Promise((resolve) => (log === undefined ? resolve(undefined) : log.end(resolve)));
    await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    if (stackFailure !== undefined) throw stackFailure;
  },
};

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
