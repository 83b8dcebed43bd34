// What the suite runs against. E2E_STACK=local (the default): the root hooks start
// the system as local processes (local-stack/) and stop it afterwards.
// E2E_STACK=external: a system that is already running, e.g. `docker compose up`,
// at the URLs below.
//
// The settings must be the ones the system runs with: the suite gives them to the
// local stack, and an external stack must be started with the same variables
// (e.g. APPROVAL_TIMEOUT_SECONDS=15 docker compose up).

import { randomUUID } from "node:crypto";
import { tokenVariable } from "@dapr-orders/local-stack";

const env = (name: string, fallback: string) => process.env[name] || fallback;
const number = (name: string, fallback: number) => Number(env(name, String(fallback)));

export const stackKind = env("E2E_STACK", "local");
if (stackKind !== "local" && stackKind !== "external") throw new Error(`E2E_STACK must be local or external, not ${stackKind}`);

/** Base URLs of the apps; the root hooks set them. */
export const urls = {
  orders: env("ORDERS_URL", "http://127.0.0.1:3000"),
  notifications: env("NOTIFICATIONS_URL", "http://127.0.0.1:3001"),
  inventory: env("INVENTORY_URL", "http://127.0.0.1:3002"),
  payments: env("PAYMENTS_URL", "http://127.0.0.1:3003"),
  shipping: env("SHIPPING_URL", "http://127.0.0.1:3004"),
  /** Zipkin's API (ZIPKIN_URL; the local stack's when it runs one); empty: no Zipkin, the tracing test is skipped. */
  zipkin: env("ZIPKIN_URL", "http://127.0.0.1:9411"),
};

/** Each app's sidecar's HTTP API by app id, e.g. http://127.0.0.1:3500: known (and reachable) for a local stack only. */
export const sidecars: Record<string, string> = {};

export const settings = {
  /** Orders at or above this total wait for approval (order-processor's APPROVAL_THRESHOLD). */
  approvalThreshold: number("APPROVAL_THRESHOLD", 1000),
  /**
   * How long an order waits for approval. Short, so the timeout test is quick; long
   * enough for the durability test to restart order-processor within it.
   */
  approvalTimeoutSeconds: number("APPROVAL_TIMEOUT_SECONDS", 15),
  /** Payments above this are declined (payments' PAYMENT_CARD_LIMIT). */
  cardLimit: number("PAYMENT_CARD_LIMIT", 5000),
  /** What the inventory stocks (INVENTORY_ITEMS: the tests use the default four), and how many of each after a restock. */
  items: ["orange", "apple", "pear", "kiwi"],
  restockQuantity: number("RESTOCK_QUANTITY", 100),
  /** A customer no courier delivers to (one of shipping's SHIPPING_BLOCKED_CUSTOMERS). */
  blockedCustomer: env("SHIPPING_BLOCKED_CUSTOMERS", "nowhere").split(",")[0]!.trim(),
};

/**
 * What the tests act with as the legitimate parties: the dashboard's operator token,
 * and each app's tokens (to call an app's sidecar-only routes as its sidecar does, or
 * its sidecar). The root hooks take a local stack's; an external stack's come from the
 * environment, under the names of .env (OPERATOR_TOKEN, PAYMENTS_APP_API_TOKEN, ...).
 */
export const credentials = {
  operatorToken: env("OPERATOR_TOKEN", randomUUID()),
  tokens: (appId: string): { daprApiToken: string; appApiToken: string } => ({
    daprApiToken: env(tokenVariable(appId, "DAPR_API_TOKEN"), ""),
    appApiToken: env(tokenVariable(appId, "APP_API_TOKEN"), ""),
  }),
};

/** The settings as the apps' environment (with the operator token the tests sign in with). */
export function settingsEnv(): Record<string, string> {
  return {
    APPROVAL_THRESHOLD: String(settings.approvalThreshold),
    APPROVAL_TIMEOUT_SECONDS: String(settings.approvalTimeoutSeconds),
    PAYMENT_CARD_LIMIT: String(settings.cardLimit),
    SHIPPING_BLOCKED_CUSTOMERS: settings.blockedCustomer,
    OPERATOR_TOKEN: credentials.operatorToken,
    // The suite places many orders from one address (a burst of 500): no per-client limits.
    ORDER_RATE_LIMIT: "0",
    DASHBOARD_ORDER_RATE_LIMIT: "0",
  };
}

/** What the durability and dashboard tests need of the stack. */
export interface StackControl {
  /** Restarts one app together with its sidecar; resolves once the app answers again. */
  restart(appId: string): Promise<void>;
  /** Starts another instance of the app on `port`, `env` added (local stack only); resolves with its URL once it answers. */
  startInstance?(appId: string, port: number, env?: Record<string, string>): Promise<string>;
}

let control: StackControl | undefined;

export function setStackControl(value: StackControl | undefined): void {
  control = value;
}

/** undefined when the stack cannot be restarted from here (the test is skipped then). */
export function stackControl(): StackControl | undefined {
  return control;
}
