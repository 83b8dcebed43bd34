// The load: closed-loop clients (each places a small order, polls it every 50 ms
// until it ends, then places the next), and a burst of orders posted at once.
// Every loop is bounded in count and in time.
import { call } from "@dapr-orders/service-kit/http-client";
import { field, rethrowIfAborted, sleep } from "./http.js";
import { summarize, type LatencySummary } from "./stats.js";

export interface OrderTarget {
  /** The orders API, e.g. http://127.0.0.1:3000 */
  ordersUrl: string;
  /** Items to order (client n orders items[n % length]): each must have enough stock. */
  items: string[];
}

/** Under the approval threshold and the card limit: the order goes straight through. */
export const orderTotal = 10;
const pollMs = 50;
const postTimeoutMs = 10_000;
const getTimeoutMs = 5_000;
const terminalStatuses = new Set(["COMPLETED", "FAILED", "TERMINATED"]);

export type Outcome =
  | "completed" // terminal and successful
  | "failed" // terminal and unsuccessful (FAILED, TERMINATED, or a result with success false)
  | "rejected" // POST answered, but not 2xx with an instance id
  | "unanswered" // POST got no answer (network error or timeout)
  | "non-terminal"; // accepted, but not terminal within the order timeout

export interface OrderRun {
  startedAt: number;
  outcome: Outcome;
  /** From the POST to the poll that saw the order terminal. */
  latencyMs?: number;
  /** GETs of the order that got no 200. */
  badPolls: number;
  /** What went wrong, if anything did (a failed order's result, the first bad GET...). */
  detail?: string;
  /** The POST's status when it was not 2xx. */
  postStatus?: number;
  retryAfterMs?: number;
}

/** What a GET /orders/:id answer says: still running, or how the order ended. */
export function classify(view: unknown): { terminal: false } | { terminal: true; success: boolean; detail: string } {
  const status = field(view, "status");
  if (typeof status !== "string" || !terminalStatuses.has(status)) return { terminal: false };
  const result = field(view, "order_result");
  const message = field(result, "message") ?? field(field(view, "failure_details"), "message");
  const success = status === "COMPLETED" && field(result, "success") !== false;
  return { terminal: true, success, detail: `${status}${message === undefined ? "" : `: ${typeof message === "string" ? message : JSON.stringify(message)}`}` };
}

/** Retry-After in milliseconds (seconds form only), else undefined. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header) * 1000;
}

/** POST one order, then GET it every 50 ms until it ends or `orderTimeoutMs` has passed. */
export async function placeAndFollow(target: OrderTarget, customer: string, item: string, orderTimeoutMs: number, signal: AbortSignal): Promise<OrderRun> {
  const startedAt = performance.now();
  let badPolls = 0;
  let answer;
  try {
    answer = await call("POST", `${target.ordersUrl}/orders`, {
      json: { customer, item, total: orderTotal },
      timeoutMs: postTimeoutMs,
      signal,
    });
  } catch (err) {
    rethrowIfAborted(signal);
    return { startedAt, outcome: "unanswered", badPolls, detail: `POST /orders: ${String(err)}` };
  }
  const id = field(answer.body, "instance_id");
  if (answer.status < 200 || answer.status > 299 || typeof id !== "string") {
    return {
      startedAt,
      outcome: "rejected",
      badPolls,
      postStatus: answer.status,
      retryAfterMs: retryAfterMs(answer.headers.get("retry-after")),
      detail: `POST /orders answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`,
    };
  }

  const deadline = startedAt + orderTimeoutMs;
  let badPoll: string | undefined; // the first GET that got no 200, to show what went wrong
  const maxPolls = Math.ceil(orderTimeoutMs / pollMs);
  for (let poll = 0; poll < maxPolls && performance.now() < deadline; poll++) {
    await sleep(pollMs, signal);
    try {
      const view = await call("GET", `${target.ordersUrl}/orders/${id}`, { timeoutMs: getTimeoutMs, signal });
      if (view.status !== 200) {
        badPolls += 1;
        badPoll ??= `GET /orders/${id} answered ${view.status}: ${JSON.stringify(view.body).slice(0, 200)}`;
        continue;
      }
      const state = classify(view.body);
      if (state.terminal) {
        const latencyMs = performance.now() - startedAt;
        return state.success
          ? { startedAt, outcome: "completed", latencyMs, badPolls, detail: badPoll }
          : { startedAt, outcome: "failed", latencyMs, badPolls, detail: `order ${id}: ${state.detail}` };
      }
    } catch (err) {
      rethrowIfAborted(signal);
      badPolls += 1;
      badPoll ??= `GET /orders/${id}: ${String(err)}`;
    }
  }
  return { startedAt, outcome: "non-terminal", badPolls, detail: `order ${id} not terminal after ${orderTimeoutMs} ms` };
}

export interface LevelSettings {
  clients: number;
  warmupMs: number;
  durationMs: number;
  /** An order not terminal this long after its POST counts as an error. */
  orderTimeoutMs: number;
  signal: AbortSignal;
  /** Runs beside the clients during the measured window; given the window's end (performance.now() time). */
  duringWindow?: (windowEnd: number) => Promise<void>;
}

export interface ErrorCounts {
  /** POSTs answered with a status other than 2xx, by status. */
  rejected: Record<string, number>;
  unanswered: number;
  nonTerminal: number;
  failed: number;
  /** GETs of an order that got no 200 (each one counted). */
  badPolls: number;
}

export interface LevelResult {
  clients: number;
  windowSeconds: number;
  /** Orders posted during the measured window. */
  orders: number;
  completed: number;
  ordersPerSecond: number;
  /** From POST to terminal state, of the completed orders. */
  latencyMs: LatencySummary;
  errors: ErrorCounts;
  errorTotal: number;
  /** A few error details, to see what went wrong. */
  errorExamples: string[];
  /** Every order of the level, warm-up and drain included (for CPU per order). */
  allOrders: number;
  /** CPU milliseconds an order during the level (warm-up and drain included), by process, and "all". */
  cpuMsPerOrder?: Record<string, number>;
  /** Redis commands an order during the level: "all", then by command. */
  redisPerOrder?: Record<string, number>;
}

/**
 * `clients` closed-loop clients for warm-up plus the window; orders posted during the
 * window are measured (and followed to their end after it, within the order timeout).
 */
export async function closedLoop(target: OrderTarget, settings: LevelSettings): Promise<LevelResult> {
  const { clients, warmupMs, durationMs, orderTimeoutMs, signal } = settings;
  const windowStart = performance.now() + warmupMs;
  const windowEnd = windowStart + durationMs;
  const maxOrdersPerClient = Math.ceil((warmupMs + durationMs) / pollMs); // an order takes at least one poll
  const runs: OrderRun[] = [];

  const client = async (n: number) => {
    const item = target.items[n % target.items.length]!;
    for (let i = 0; i < maxOrdersPerClient && performance.now() < windowEnd; i++) {
      const run = await placeAndFollow(target, `bench-${n}`, item, orderTimeoutMs, signal);
      runs.push(run);
      // A refused or unanswered POST: wait as asked (at most 1 s) before the next one.
      if (run.outcome === "rejected" || run.outcome === "unanswered") await sleep(Math.min(run.retryAfterMs ?? 100, 1000), signal);
    }
  };
  const side = async () => {
    if (settings.duringWindow === undefined) return;
    await sleep(windowStart - performance.now(), signal);
    await settings.duringWindow(windowEnd);
  };
  await Promise.all([...Array.from({ length: clients }, (_, n) => client(n)), side()]);

  return summarizeLevel(
    clients,
    durationMs,
    runs.filter((r) => r.startedAt >= windowStart && r.startedAt < windowEnd),
    runs.length,
  );
}

/** The figures of a level from its measured orders. */
export function summarizeLevel(clients: number, durationMs: number, measured: OrderRun[], allOrders: number): LevelResult {
  const completed = measured.filter((r) => r.outcome === "completed");
  const errors: ErrorCounts = { rejected: {}, unanswered: 0, nonTerminal: 0, failed: 0, badPolls: 0 };
  for (const run of measured) {
    errors.badPolls += run.badPolls;
    if (run.outcome === "rejected") errors.rejected[String(run.postStatus)] = (errors.rejected[String(run.postStatus)] ?? 0) + 1;
    if (run.outcome === "unanswered") errors.unanswered += 1;
    if (run.outcome === "non-terminal") errors.nonTerminal += 1;
    if (run.outcome === "failed") errors.failed += 1;
  }
  const rejected = Object.values(errors.rejected).reduce((a, b) => a + b, 0);
  return {
    clients,
    windowSeconds: durationMs / 1000,
    orders: measured.length,
    completed: completed.length,
    ordersPerSecond: Math.round((completed.length / (durationMs / 1000)) * 10) / 10,
    latencyMs: summarize(completed.map((r) => r.latencyMs!)),
    errors,
    errorTotal: rejected + errors.unanswered + errors.nonTerminal + errors.failed + errors.badPolls,
    errorExamples: [...new Set(measured.flatMap((r) => (r.detail === undefined ? [] : [r.detail])))].slice(0, 5),
    allOrders,
  };
}

export interface BurstSettings {
  count: number;
  /** How long each POST may take before it counts as unanswered. */
  postTimeoutMs: number;
  /** From the first POST: orders not terminal by then are stuck. */
  terminalWithinMs: number;
  signal: AbortSignal;
}

export interface BurstResult {
  orders: number;
  /** From the first POST sent to the last one answered (unanswered ones excluded). */
  postsAnsweredMs?: number;
  /** POST answers by status, e.g. { "202": 480, "503": 20 }. */
  statuses: Record<string, number>;
  unanswered: number;
  accepted: number;
  /** From the first POST until every accepted order was seen terminal; undefined if some never were. */
  allTerminalMs?: number;
  completed: number;
  failed: number;
  /** Accepted orders not terminal within terminalWithinMs. */
  stuck: number;
  /**
   * Orders whose POST was refused with their id (order-processor's 503 "it may have
   * been placed") and that exist all the same, and how many of them had not ended.
   */
  refusedButPlaced: { count: number; notTerminal: number };
  errorExamples: string[];
}

/** `count` orders posted at once; then every accepted one followed until it ends. */
export async function burst(target: OrderTarget, settings: BurstSettings): Promise<BurstResult> {
  const { count, postTimeoutMs, terminalWithinMs, signal } = settings;
  const started = performance.now();
  const examples = new Set<string>();
  const answers = await Promise.all(
    Array.from({ length: count }, async (_, n) => {
      try {
        const answer = await call("POST", `${target.ordersUrl}/orders`, {
          json: { customer: `burst-${n}`, item: target.items[n % target.items.length], total: orderTotal },
          timeoutMs: postTimeoutMs,
          signal,
        });
        const id = field(answer.body, "instance_id");
        const ok = answer.status >= 200 && answer.status < 300 && typeof id === "string";
        if (!ok) examples.add(`POST /orders answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
        // A refusal that names an order id ("it may have been placed") is checked at the end.
        const maybe = !ok && typeof id === "string" ? id : undefined;
        return { status: answer.status, id: ok ? (id as string) : undefined, maybe, at: performance.now() - started };
      } catch (err) {
        rethrowIfAborted(signal);
        examples.add(`POST /orders: ${String(err)}`);
        return { status: undefined, id: undefined, maybe: undefined, at: undefined };
      }
    }),
  );
  const statuses: Record<string, number> = {};
  for (const a of answers) if (a.status !== undefined) statuses[String(a.status)] = (statuses[String(a.status)] ?? 0) + 1;
  const answeredAt = answers.flatMap((a) => (a.at === undefined ? [] : [a.at]));
  const ids = answers.flatMap((a) => (a.id === undefined ? [] : [a.id]));

  const deadline = started + terminalWithinMs;
  const accepted = await followUntilTerminal(target, ids, started, deadline, signal);
  for (const detail of accepted.failures) examples.add(detail);

  // Refused orders that were placed all the same (order-processor's 503 "it may have
  // been placed" names the order): those that exist are followed too, for one round at least.
  const refused = answers.flatMap((a) => (a.maybe === undefined ? [] : [a.maybe]));
  const placed: string[] = [];
  await eachWithConcurrency(refused, 16, async (id) => {
    try {
      const view = await call("GET", `${target.ordersUrl}/orders/${id}`, { timeoutMs: getTimeoutMs, signal });
      if (view.status !== 404) placed.push(id);
    } catch {
      rethrowIfAborted(signal);
      placed.push(id); // unknown: followed as if placed
    }
  });
  const late = await followUntilTerminal(target, placed, started, deadline, signal);

  return {
    orders: count,
    postsAnsweredMs: answeredAt.length === 0 ? undefined : Math.round(Math.max(...answeredAt)),
    statuses,
    unanswered: answers.length - answeredAt.length,
    accepted: ids.length,
    allTerminalMs: accepted.remaining === 0 && ids.length > 0 ? accepted.lastTerminalMs : undefined,
    completed: accepted.completed,
    failed: accepted.failed,
    stuck: accepted.remaining,
    refusedButPlaced: { count: placed.length, notTerminal: late.remaining },
    errorExamples: [...examples].slice(0, 5),
  };
}

/**
 * Reads each order every 250 ms (16 reads at a time) until all have ended or the
 * deadline passed (one round at least). Times are from `started`.
 */
async function followUntilTerminal(target: OrderTarget, ids: string[], started: number, deadline: number, signal: AbortSignal) {
  const outstanding = new Set(ids);
  const result = { completed: 0, failed: 0, remaining: 0, lastTerminalMs: 0, failures: [] as string[] };
  const maxRounds = Math.max(1, Math.ceil((deadline - performance.now()) / 250));
  for (let round = 0; round < maxRounds && outstanding.size > 0 && (round === 0 || performance.now() < deadline); round++) {
    await eachWithConcurrency([...outstanding], 16, async (id) => {
      try {
        const view = await call("GET", `${target.ordersUrl}/orders/${id}`, { timeoutMs: getTimeoutMs, signal });
        const state = view.status === 200 ? classify(view.body) : { terminal: false as const };
        if (!state.terminal) return;
        outstanding.delete(id);
        result.lastTerminalMs = Math.round(performance.now() - started);
        if (state.success) result.completed += 1;
        else {
          result.failed += 1;
          result.failures.push(`order ${id}: ${state.detail}`);
        }
      } catch {
        rethrowIfAborted(signal); // else: asked again next round
      }
    });
    if (outstanding.size > 0) await sleep(250, signal);
  }
  result.remaining = outstanding.size;
  return result;
}

/** Runs `task` on each item, at most `limit` at a time. */
async function eachWithConcurrency<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
