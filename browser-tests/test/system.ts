// The system behind the page, over HTTP: to set up what a test needs (stock, an
// order placed elsewhere) and to check what the page shows against it.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { call } from "@dapr-orders/service-kit/http-client";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { artifactsDir, harness } from "./harness.js";

export interface NewOrder {
  customer: string;
  item: string;
  total: number;
}

/**
 * The login URL notifications printed at its latest start (the stack sets no
 * OPERATOR_TOKEN: each start of notifications makes a new token), from the stack's log.
 */
export function loginUrl(): string {
  const url = logOf("notifications")
    .filter((line) => typeof line.login_url === "string")
    .at(-1)?.login_url;
  if (typeof url !== "string") throw new Error("notifications printed no login URL");
  return url;
}

/** The operator token of the login URL (in its #fragment). */
export function operatorToken(): string {
  return new URLSearchParams(new URL(loginUrl()).hash.slice(1)).get("token")!;
}

/** What an API client sends to act as the operator. */
const asOperator = () => ({ authorization: `Bearer ${operatorToken()}` });

/** Signs in as the operator named `name` (as the page does); the session's Cookie header. */
async function operatorSession(name: string): Promise<string> {
  const res = await call("POST", `${harness().dashboardUrl}/api/session`, { json: { token: operatorToken(), name } });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.headers
    .getSetCookie()
    .find((c) => c.startsWith("operator_session="))!
    .split(";")[0]!;
}

/** Places an order with order-processor itself, not through the page; returns its id. */
export async function placeOrder(order: NewOrder): Promise<string> {
  const res = await call("POST", `${harness().ordersUrl}/orders`, { json: order });
  expect(res.status, JSON.stringify(res.body)).to.equal(202);
  return res.body.instance_id;
}

/** Approves or rejects an order as the operator named `approver` does, signed in on the dashboard (not through this page). */
export async function decide(id: string, approver: string, approved: boolean): Promise<void> {
  const cookie = await operatorSession(approver);
  const res = await call("POST", `${harness().dashboardUrl}/api/orders/${id}/approve`, { json: { approved }, headers: { cookie } });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
}

/**
 * Approves or rejects an order at order-processor itself, as notifications' sidecar
 * delivers an approval (with order-processor's app token): for when notifications is down.
 */
export async function decideAsSidecar(id: string, approver: string, approved: boolean): Promise<void> {
  const headers = { "dapr-api-token": harness().stack.tokens("order-processor").appApiToken };
  const res = await call("POST", `${harness().ordersUrl}/orders/${id}/approve`, { json: { approver, approved }, headers });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
}

/** Waits until the order's workflow has finished; returns its status (COMPLETED, FAILED, …). */
export async function finished(id: string, timeoutMs = 90_000): Promise<string> {
  let status = "";
  await pollUntil(
    `order ${id} to finish`,
    async () => {
      status = (await call("GET", `${harness().ordersUrl}/orders/${id}`)).body.status;
      return ["COMPLETED", "FAILED", "TERMINATED"].includes(status);
    },
    { timeoutMs: timeoutMs },
  );
  return status;
}

/** Restocks as an API client of the operator's does, through the dashboard's API. */
export async function restock(): Promise<void> {
  const res = await call("POST", `${harness().dashboardUrl}/api/inventory/restock`, { json: {}, headers: asOperator() });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
}

/** Clears the inventory the same way. */
export async function clearStock(): Promise<void> {
  const res = await call("DELETE", `${harness().dashboardUrl}/api/inventory`, { headers: asOperator() });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
}

/**
 * Publishes to topic "notifications" through notifications' own sidecar, as
 * order-processor's sidecar does: from there on it takes the real path (Redis
 * pub/sub, the subscription, the app, the page).
 */
export async function publishNotification(notification: unknown): Promise<void> {
  const { stack } = harness();
  const sidecar = stack.apps.find((app) => app.appId === "notifications")!.daprUrl;
  const res = await call("POST", `${sidecar}/v1.0/publish/pubsub/notifications`, {
    json: notification,
    headers: { "dapr-api-token": stack.tokens("notifications").daprApiToken },
    timeoutMs: 10_000,
  });
  expect(res.status, JSON.stringify(res.body)).to.equal(204);
}

/** A command to the stack's Redis (redis-cli, which Debian's redis-server brings), with its password; its output. */
export async function redis(...args: string[]): Promise<string> {
  const { stack } = harness();
  const [host, port] = stack.redis.split(":");
  const env = { ...process.env, REDISCLI_AUTH: stack.redisPassword };
  const { stdout } = await promisify(execFile)("redis-cli", ["-h", host!, "-p", port!, ...args], { timeout: 10_000, env });
  return stdout.trim();
}

/** What a process of the stack logged so far, as JSON lines ("notifications", "notifications-dapr", …). */
export function logOf(processName: string): Record<string, unknown>[] {
  const lines = readFileSync(path.join(artifactsDir, "local-stack.log"), "utf8").split("\n");
  const prefix = `${processName.padEnd(23)}| `;
  return lines.flatMap((line) => {
    if (!line.startsWith(prefix)) return [];
    try {
      return [JSON.parse(line.slice(prefix.length)) as Record<string, unknown>];
    } catch {
      return [{ text: line.slice(prefix.length) }];
    }
  });
}

// The notifications as order-processor words them: the same catalogue as the end-to-end suite.
export { approvedAndShipped, rejected, say, straightThrough } from "@dapr-orders/e2e-tests/messages";
