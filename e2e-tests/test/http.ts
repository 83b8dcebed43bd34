// Talking to the running apps over HTTP, and waiting for what happens
// asynchronously (a workflow finishing) by polling with a deadline.
import { expect } from "chai";
import { responseBody } from "@dapr-orders/service-kit/testing";
import { urls } from "./target.js";

export interface Response {
  status: number;
  headers: Headers;
  body: any;
}

export interface RequestOptions {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is, with `contentType`. */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** How long to wait for the answer; 30 s by default. */
  timeoutMs?: number;
}

export async function request(method: string, url: string, options: RequestOptions = {}): Promise<Response> {
  const payload = options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
  const res = await fetch(url, {
    method,
    body: payload,
    headers: { ...(payload === undefined ? {} : { "content-type": options.contentType ?? "application/json" }), ...options.headers },
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  return { status: res.status, headers: res.headers, body: await responseBody(res) };
}

/** Calls `check` until it returns true (errors count as not yet); throws at the deadline. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = ` (last error: ${err instanceof Error ? err.message : String(err)})`;
    }
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for ${what}${last}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface NewOrder {
  customer: string;
  item: string;
  total: number;
}

/** What GET /orders/:id answers. */
export interface OrderView {
  id: string;
  details: NewOrder & { id: string };
  status: string;
  created_time: string;
  last_updated_time: string;
  order_result?: { id: string; success: boolean; message: string };
  failure_details?: { message: string; error_type: string };
  awaiting_approval: boolean;
}

/** POST /orders; returns the instance id and the Location header. */
export async function placeOrder(order: NewOrder): Promise<{ id: string; location: string | null }> {
  const res = await request("POST", `${urls.orders}/orders`, { json: order });
  expect(res.status, `POST /orders answered ${JSON.stringify(res.body)}`).to.equal(202);
  expect(res.body.instance_id).to.be.a("string").and.not.empty;
  return { id: res.body.instance_id, location: res.headers.get("location") };
}

export async function getOrder(id: string): Promise<OrderView> {
  const res = await request("GET", `${urls.orders}/orders/${id}`);
  expect(res.status, `GET /orders/${id} answered ${JSON.stringify(res.body)}`).to.equal(200);
  return res.body as OrderView;
}

const finished = new Set(["COMPLETED", "FAILED", "TERMINATED"]);

/** Polls the order until its workflow has finished. */
export async function waitUntilFinished(id: string, timeoutMs = 90_000): Promise<OrderView> {
  let view: OrderView | undefined;
  await eventually(
    `order ${id} to finish`,
    async () => {
      view = await getOrder(id);
      return finished.has(view.status);
    },
    timeoutMs,
  );
  return view!;
}

export function approve(id: string, approver: string, approved: boolean): Promise<Response> {
  return request("POST", `${urls.orders}/orders/${id}/approve`, { json: { approver, approved } });
}

/** The quantity the inventory lists for `item`, or undefined when it does not list it. */
export async function stockOf(item: string): Promise<number | undefined> {
  const res = await request("GET", `${urls.inventory}/api/v1/inventory`);
  expect(res.status).to.equal(200);
  const items: { name: string; quantity: number }[] = Array.isArray(res.body) ? res.body : res.body.items;
  return items.find((i) => i.name === item)?.quantity;
}

/** POST /api/v1/inventory/restock: every item back to its full quantity. (Every POST must be JSON: `{}`.) */
export async function restock(): Promise<Response> {
  return request("POST", `${urls.inventory}/api/v1/inventory/restock`, { json: {} });
}

/** Restocks unless every one of `items` is in stock already (keeps a running system's stock). */
export async function ensureInStock(items: string[]): Promise<void> {
  const quantities = await Promise.all(items.map(stockOf));
  if (quantities.every((q) => q !== undefined && q > 0)) return;
  const res = await restock();
  expect(res.status, `restock answered ${JSON.stringify(res.body)}`).to.equal(200);
}
