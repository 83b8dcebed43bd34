// The system behind the page, over HTTP: to set up what a test needs (stock, an
// order placed elsewhere) and to check what the page shows against it. And the
// notifications of the order workflow, worded as order-processor words them.
import { expect } from "chai";
import { harness, settings, until } from "./harness.js";

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
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
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
  const res = await call("POST", `${harness().inventoryUrl}/api/v1/inventory/restock`);
  expect(res.status).to.equal(200);
}

export async function clearStock(): Promise<void> {
  const res = await call("DELETE", `${harness().inventoryUrl}/api/v1/inventory`);
  expect(res.status).to.equal(200);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export const say = {
  processing: (o: NewOrder) => `Processing order for ${o.customer}. Item: ${o.item}, Total: ${o.total}`,
  reserved: (o: NewOrder) => `Reserved inventory: ${o.item}`,
  waiting: (o: NewOrder) =>
    new RegExp(`^Waiting for approval: total ${escape(String(o.total))} is at or above ${settings.approvalThreshold}\\. Deadline: \\S+Z$`),
  approved: (approver: string) => `Order was approved by ${approver}.`,
  rejected: (approver: string) => `Order was rejected by ${approver}.`,
  paid: "Payment processed",
  released: (o: NewOrder) => `Released inventory: ${o.item}`,
  submitted: "Order submitted for shipping",
  processed: (o: NewOrder) => `Order processed for ${o.customer}. Item: ${o.item}, Total: ${o.total}`,
};

/** Every notification of an order that goes straight through. */
export const straightThrough = (o: NewOrder) => [say.processing(o), say.reserved(o), say.paid, say.submitted, say.processed(o)];

/** Every notification of an order that waits for approval and is approved. */
export const approvedAndShipped = (o: NewOrder, approver: string) => [
  say.processing(o),
  say.reserved(o),
  say.waiting(o),
  say.approved(approver),
  say.paid,
  say.submitted,
  say.processed(o),
];

/** Every notification of an order that waits for approval and is rejected. */
export const rejected = (o: NewOrder, approver: string) => [say.processing(o), say.reserved(o), say.waiting(o), say.rejected(approver), say.released(o)];
