// What the tests share: the running system (one local stack for the whole suite),
// the browser, and where artifacts go.
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
