// The system behind the page, over HTTP: to set up what a test needs (stock, an
// order placed elsewhere) and to check what the page shows against it.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { responseBody } from "@dapr-orders/service-kit/testing";
import { artifactsDir, harness, until } from "./harness.js";

export interface NewOrder {
  customer: string;
  item: string;
  total: number;
}

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: await responseBody(res) };
}

/** Places an order with order-processor itself, not through the page; returns its id. */
export async function placeOrder(order: NewOrder): Promise<string> {
  const res = await call("POST", `${harness().ordersUrl}/orders`, order);
  expect(res.status, JSON.stringify(res.body)).to.equal(202);
  return res.body.instance_id;
}

/** Approves or rejects an order with order-processor itself. */
export async function decide(id: string, approver: string, approved: boolean): Promise<void> {
  const res = await call("POST", `${harness().ordersUrl}/orders/${id}/approve`, { approver, approved });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
}

/** Waits until the order's workflow has finished; returns its status (COMPLETED, FAILED, …). */
export async function finished(id: string, timeoutMs = 90_000): Promise<string> {
  let status = "";
  await until(`order ${id} to finish`, async () => {
    status = (await call("GET", `${harness().ordersUrl}/orders/${id}`)).body.status;
    return ["COMPLETED", "FAILED", "TERMINATED"].includes(status);
  }, timeoutMs);
  return status;
}

export async function restock(): Promise<void> {
  const res = await call("POST", `${harness().inventoryUrl}/api/v1/inventory/restock`, {});
  expect(res.status).to.equal(200);
}

export async function clearStock(): Promise<void> {
  const res = await call("DELETE", `${harness().inventoryUrl}/api/v1/inventory`);
  expect(res.status).to.equal(200);
}

/**
 * Publishes to topic "notifications" through notifications' own sidecar, as
 * order-processor's sidecar does: from there on it takes the real path (Redis
 * pub/sub, the subscription, the app, the page).
 */
export async function publishNotification(notification: unknown): Promise<void> {
  const sidecar = harness().stack.apps.find((app) => app.appId === "notifications")!.daprUrl;
  const res = await fetch(`${sidecar}/v1.0/publish/pubsub/notifications`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(notification),
    signal: AbortSignal.timeout(10_000),
  });
  expect(res.status, await res.text()).to.equal(204);
}

/** A command to the stack's Redis (redis-cli, which Debian's redis-server brings); its output. */
export async function redis(...args: string[]): Promise<string> {
  const [host, port] = harness().stack.redis.split(":");
  const { stdout } = await promisify(execFile)("redis-cli", ["-h", host!, "-p", port!, ...args], { timeout: 10_000 });
  return stdout.trim();
}

/** What a process of the stack logged so far, as JSON lines ("notifications", "notifications-dapr", …). */
export function logOf(processName: string): Record<string, unknown>[] {
  const lines = readFileSync(path.join(artifactsDir, "local-stack.log"), "utf8").split("\n");
  const prefix = `${processName.padEnd(21)}| `;
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
