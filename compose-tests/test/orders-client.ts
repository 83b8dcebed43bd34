// What the chaos and replica tests do as clients of the compose stack: place orders
// with an Idempotency-Key (asking again after an error, bounded), follow them to
// their end, read the stock. Loopback only; every loop is bounded in count and time.
import { expect } from "chai";

export const urls = {
  orders: "http://127.0.0.1:3000",
  notifications: "http://127.0.0.1:3001",
  inventory: "http://127.0.0.1:3002",
  payments: "http://127.0.0.1:3003",
};

export const items = ["orange", "apple", "pear", "kiwi"];
export const terminal = new Set(["COMPLETED", "FAILED", "TERMINATED"]);

/** What GET /orders/:id answers, as far as the audits read it. */
export interface OrderView {
  id: string;
  status: string;
  created_time: string;
  last_updated_time: string;
  order_result?: { success: boolean; message: string };
  failure_details?: { message: string };
}

/** An order a client placed, and what it was told. */
export interface PlacedOrder {
  key: string;
  customer: string;
  item: string;
  total: number;
  /** POST attempts, the first included. */
  attempts: number;
  id?: string;
  /** A final answer other than 202 (4xx), or no answer at all within the time given. */
  refused?: string;
  unanswered?: boolean;
  /** The last 5xx answer or error of its POSTs, to say why an order went unanswered. */
  lastFailure?: string;
  view?: OrderView;
}

/** POST /orders with the order's Idempotency-Key until an answer comes, for at most `answerTimeoutMs`. */
export async function place(order: PlacedOrder, answerTimeoutMs: number): Promise<void> {
  const deadline = Date.now() + answerTimeoutMs;
  const body = { customer: order.customer, item: order.item, total: order.total };
  while (Date.now() < deadline) {
    order.attempts += 1;
    let wait = 1000;
    try {
      const res = await call("POST", `${urls.orders}/orders`, body, { "Idempotency-Key": order.key });
      if (res.status === 202) {
        order.id = String(res.body.instance_id);
        return;
      }
      if (res.status < 500) {
        order.refused = `${res.status} ${JSON.stringify(res.body)}`;
        return;
      }
      order.lastFailure = `${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
      wait = Math.min(5, Number(res.headers.get("retry-after")) || 1) * 1000;
    } catch (err) {
      // no answer (the app is down, or the request timed out): ask again
      order.lastFailure = `no answer: ${String(err).slice(0, 200)}`;
    }
    await sleep(wait);
  }
  order.unanswered = true;
}

/** Watches the order until it ends, at most `ms`: a client places one order at a time. */
export async function follow(order: PlacedOrder, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    order.view = (await orderView(order.id!).catch(() => undefined)) ?? order.view;
    if (terminal.has(order.view?.status ?? "")) return;
    await sleep(250);
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** One request, 10 s at most; rejects when no answer comes. */
export async function call(method: string, url: string, json?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, {
    method,
    headers: json === undefined ? headers : { "content-type": "application/json", ...headers },
    body: json === undefined ? undefined : JSON.stringify(json),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, headers: res.headers, body };
}

export async function orderView(id: string): Promise<OrderView> {
  const res = await call("GET", `${urls.orders}/orders/${encodeURIComponent(id)}`);
  if (res.status !== 200) throw new Error(`GET /orders/${id} answered ${res.status}`);
  return res.body as OrderView;
}

/** GET /api/v1/inventory as {item: quantity}. */
export async function stock(): Promise<Record<string, number>> {
  const res = await call("GET", `${urls.inventory}/api/v1/inventory`);
  expect(res.status, "GET /api/v1/inventory").to.equal(200);
  const list = (Array.isArray(res.body) ? res.body : res.body.items) as { name: string; quantity: number }[];
  return Object.fromEntries(list.map((i) => [i.name, i.quantity]));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Runs `task` for every item, at most `limit` at once. */
export async function eachLimited<T>(list: T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < list.length) await task(list[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, worker));
}
