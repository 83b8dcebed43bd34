// Mocha root hooks (.mocharc.json requires this file): before all tests, start the
// system as local processes (../local-stack) and Chromium; after them, stop both,
// also when tests failed or the run is interrupted. The stack's output goes to
// test-artifacts/browser/local-stack.log.
import { accessSync, constants, mkdirSync, readdirSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startTestStack, type TestStack } from "@dapr-orders/local-stack";
import { chromium, type BrowserContext } from "playwright-core";
import { artifactsDir, setHarness, settings } from "./harness.js";

/** Debian's Chromium (apt-get install chromium); CHROMIUM_PATH for another. */
const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

let running: TestStack | undefined;
let browser: BrowserContext | undefined;
let profileDir: string | undefined;

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
    running = await startTestStack({
      logFile: path.join(artifactsDir, "local-stack.log"),
      env: {
        APPROVAL_THRESHOLD: String(settings.approvalThreshold),
        APPROVAL_TIMEOUT_SECONDS: String(settings.approvalTimeoutSeconds),
        PAYMENT_CARD_LIMIT: String(settings.cardLimit),
        SHIPPING_BLOCKED_CUSTOMERS: settings.blockedCustomer,
        RESTOCK_QUANTITY: String(settings.restockQuantity),
        // The load test places many orders from one address: no per-client limits.
        ORDER_RATE_LIMIT: "0",
        DASHBOARD_ORDER_RATE_LIMIT: "0",
      },
      onSignal: async () => browser?.close(),
    });
    // A fresh profile each run: nothing cached or stored from an earlier one.
    profileDir = await mkdtemp(path.join(os.tmpdir(), "dapr-orders-chromium-"));
    browser = await chromium.launchPersistentContext(profileDir, {
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
    console.log(`  Chromium ${browser.browser()?.version() ?? ""} started`);
    const { stack } = running;
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
    if (profileDir !== undefined) await rm(profileDir, { recursive: true, force: true });
    await running?.stop();
  },
};
