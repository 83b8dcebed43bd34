// What the tests that put the system under load and then audit every order share: the
// failover suite here, and compose-tests' chaos and replica tests
// (`@dapr-orders/e2e-tests/load-client`). Plain HTTP calls, the orders as their clients
// saw them, an audit table that collects the losses, and the audit after a kill.
// Loopback only; every loop is bounded in count and time.
import { call as httpCall, type HttpAnswer } from "@dapr-orders/service-kit/http-client";

export const items = ["orange", "apple", "pear", "kiwi"];
export const terminal = new Set(["COMPLETED", "FAILED", "TERMINATED"]);

/** What GET /orders/:id answers, as far as the audits read it. */
export interface OrderView {
  id: string;
  status: string;
  awaiting_approval?: boolean;
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

export type Answer = HttpAnswer;

/** One request, 10 s at most; rejects when no answer comes. */
export function call(method: string, url: string, json?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return httpCall(method, url, { json, headers, timeoutMs: 10_000 });
}

/** GET /orders/:id of the order-processor at `baseUrl`; rejects on anything but a 200. */
export async function orderView(baseUrl: string, id: string): Promise<OrderView> {
  const res = await call("GET", `${baseUrl}/orders/${encodeURIComponent(id)}`);
  if (res.status !== 200) throw new Error(`GET /orders/${id} answered ${res.status}`);
  return res.body as OrderView;
}

/**
 * POST /orders with the order's Idempotency-Key until an answer comes, for at most
 * `answerTimeoutMs`: each attempt goes to the next of `urls()` (order-processor's
 * replicas), after the Retry-After of a 5xx, or `errorWaitMs` when no answer came.
 */
export async function place(order: PlacedOrder, urls: () => string[], { answerTimeoutMs, errorWaitMs }: { answerTimeoutMs: number; errorWaitMs: number }): Promise<void> {
  const deadline = Date.now() + answerTimeoutMs;
  const body = { customer: order.customer, item: order.item, total: order.total };
  while (Date.now() < deadline) {
    const choice = urls();
    const url = choice[order.attempts % choice.length]!;
    order.attempts += 1;
    let wait = errorWaitMs;
    try {
      const res = await call("POST", `${url}/orders`, body, { "Idempotency-Key": order.key });
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
      // no answer (the app or its replica is down, or the request timed out): ask again
      order.lastFailure = `no answer: ${String(err).slice(0, 200)}`;
    }
    await sleep(wait);
  }
  order.unanswered = true;
}

/** Reads the order every `everyMs` (from the next of `urls()` each time) until it ends, at most `ms`. */
export async function follow(order: PlacedOrder, urls: () => string[], ms: number, everyMs: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (let i = 0; Date.now() < deadline; i++) {
    const choice = urls();
    order.view = (await orderView(choice[i % choice.length]!, order.id!).catch(() => undefined)) ?? order.view;
    if (terminal.has(order.view?.status ?? "")) return;
    await sleep(everyMs);
  }
}

/** Reads each order that has not ended (8 at once, a round a second) until all have, or `timeoutMs` passed. */
export async function settle(orders: PlacedOrder[], read: (id: string) => Promise<OrderView>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = orders.filter((o) => !terminal.has(o.view?.status ?? ""));
    await eachLimited(open, 8, async (o) => {
      o.view = (await read(o.id!).catch(() => undefined)) ?? o.view;
    });
    if (open.every((o) => terminal.has(o.view?.status ?? "")) || Date.now() > deadline) return;
    await sleep(1000);
  }
}

/** payments' record of an order: "charged", "declined", "refused", "voided", "none" (404), or the unexpected answer. */
export function paymentStatusOf(answer: Answer): string {
  return answer.status === 404 ? "none" : answer.status === 200 ? String(answer.body?.status) : `HTTP ${answer.status}`;
}

/** GET /api/v1/inventory's answer as {item: quantity}. */
export function stockOf(answer: Answer): Record<string, number> {
  if (answer.status !== 200) throw new Error(`GET /api/v1/inventory answered ${answer.status}`);
  const list = (Array.isArray(answer.body) ? answer.body : answer.body.items) as { name: string; quantity: number }[];
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

/** Rows of label and figure; a row marked as a loss is one when its figure is not 0. */
export class AuditTable {
  readonly rows: [string, string | number][] = [];
  readonly problems: string[] = [];

  row(label: string, value: string | number, loss = false): void {
    this.rows.push([label, value]);
    if (loss && value !== 0) this.problems.push(`${label}: ${value}`);
  }

  print(title: string): void {
    const width = Math.max(...this.rows.map(([label]) => label.length));
    console.log(`\n    ${title}`);
    for (const [label, value] of this.rows) console.log(`      ${label.padEnd(width)}  ${value}`);
    console.log("");
  }
}

export interface KillOutcome {
  /** Every order a client placed, accepted or not. */
  orders: PlacedOrder[];
  killedAt: number;
  answerTimeoutMs: number;
  /** paymentStatusOf() of each accepted order, by id. */
  payments: Map<string, string>;
  initialStock: Record<string, number>;
  finalStock: Record<string, number>;
}

/**
 * The rows of the audit after a replica's kill: every accepted order completed, each
 * charged exactly once, the stock conserved, and how the orders in flight at the kill
 * and those placed after it fared.
 */
export function auditKill(
  table: AuditTable,
  { orders, killedAt, answerTimeoutMs, payments, initialStock, finalStock }: KillOutcome,
): { notCompleted: PlacedOrder[]; completedAfterKill: number } {
  const seconds = (ms: number) => (Number.isFinite(ms) ? `${((ms - killedAt) / 1000).toFixed(1)} s` : "none");
  const accepted = orders.filter((o) => o.id !== undefined);
  const completed = accepted.filter((o) => o.view?.status === "COMPLETED" && o.view.order_result?.success === true);
  const notCompleted = accepted.filter((o) => !completed.includes(o));
  const placedAfterKill = completed.filter((o) => Date.parse(o.view!.created_time) > killedAt);
  const inFlight = accepted.filter((o) => Date.parse(o.view?.created_time ?? "") < killedAt && Date.parse(o.view?.last_updated_time ?? "") > killedAt);
  const charged = (o: PlacedOrder) => payments.get(o.id!) === "charged";
  table.row("orders placed", orders.length);
  table.row("  accepted (202)", accepted.length);
  table.row("  refused (4xx to POST)", orders.filter((o) => o.refused !== undefined).length, true);
  table.row(`  no answer within ${answerTimeoutMs / 1000} s`, orders.filter((o) => o.unanswered).length, true);
  table.row("  POST retries (same Idempotency-Key)", orders.reduce((sum, o) => sum + Math.max(0, o.attempts - 1), 0));
  table.row("in flight at the kill (placed before, ended after)", inFlight.length);
  table.row("  the last of them ended, after the kill", seconds(Math.max(...inFlight.map((o) => Date.parse(o.view!.last_updated_time)))));
  table.row("completed", completed.length);
  table.row("  of them placed after the kill", placedAfterKill.length);
  table.row("  the first of those, after the kill", seconds(Math.min(...placedAfterKill.map((o) => Date.parse(o.view!.last_updated_time)))));
  table.row("failed, or not ended after the wait", notCompleted.length, true);
  table.row("completed and charged once (payments: charged)", completed.filter(charged).length);
  table.row("completed but not charged", completed.filter((o) => !charged(o)).length, true);
  table.row("not completed but charged", notCompleted.filter(charged).length, true);
  for (const item of items) {
    const taken = completed.filter((o) => o.item === item).length;
    const difference = initialStock[item]! - taken - finalStock[item]!;
    table.row(`stock ${item}: ${initialStock[item]} - ${taken} completed = ${finalStock[item]}; leaked (+) or doubled (-)`, difference, true);
  }
  return { notCompleted, completedAfterKill: placedAfterKill.length };
}

/** One line for each of (at most 10 of) the orders that did not complete, and why. */
export function printNotCompleted(orders: PlacedOrder[]): void {
  for (const o of orders.slice(0, 10)) {
    console.log(`    not completed: ${o.id} (${o.view?.status ?? "unknown"}): ${o.view?.order_result?.message ?? o.view?.failure_details?.message ?? ""}`);
  }
}
