// What the tests share: the running system (one local stack for the whole suite),
// the browser, where artifacts go, and polling with a deadline.
import path from "node:path";
import type { LocalStack } from "@dapr-orders/local-stack";
import { repoRoot } from "@dapr-orders/local-stack";
import type { BrowserContext } from "playwright-core";

/** Screenshots (and the stack's log) go here; git ignores it. */
export const artifactsDir = path.join(repoRoot, "test-artifacts", "browser");

/** The settings the stack runs with: long enough an approval deadline that no test meets it. */
export const settings = {
  approvalThreshold: 1000,
  approvalTimeoutSeconds: 600,
  cardLimit: 5000,
  blockedCustomer: "nowhere",
  restockQuantity: 100,
  items: ["orange", "apple", "pear", "kiwi"],
};

export interface Harness {
  stack: LocalStack;
  browser: BrowserContext;
  /** notifications, the dashboard: http://127.0.0.1:3001 */
  dashboardUrl: string;
  ordersUrl: string;
  inventoryUrl: string;
}

let current: Harness | undefined;

export function setHarness(value: Harness | undefined): void {
  current = value;
}

/** The stack and browser that the root hooks started. */
export function harness(): Harness {
  if (current === undefined) throw new Error("the root hooks did not start the stack and the browser");
  return current;
}

/** Calls `check` until it returns true (errors count as not yet); throws at the deadline with what it last saw. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      if (await check()) return;
      last = "";
    } catch (err) {
      last = `: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for ${what}${last}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
