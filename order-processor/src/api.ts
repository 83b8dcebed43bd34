// order-processor's HTTP API: place an order (starts its workflow), read its
// status, approve or reject it.
//
// Placing an order answers quickly whatever the load: 202 once the workflow is
// started, or 503 with Retry-After when too many starts are under way or the
// sidecar is slow to start one. With an Idempotency-Key, the order's id comes from
// the key, so a client that retries (after a timeout, a 503 or a 5xx) gets the same
// order and never starts a second one.
//
// Placing is anonymous, so it has two bounds: a client address may place a limited
// number of orders per window (429 with Retry-After past it; orders that come through
// the sidecar, the dashboard's, are counted by notifications instead), and only so many
// orders at or above the approval threshold may wait for approval at once, since
// each holds a unit of stock while it waits (503 with Retry-After past it).
//
// GET /openapi.json describes these routes, from the schemas that check them.
import { createHash, randomUUID } from "node:crypto";
import type { Context } from "koa";
import {
  appTokenHeader,
  appTokenRequired,
  approverName,
  badRequest,
  conflict,
  customerName,
  HttpError,
  isOrderId,
  itemName,
  newTraceparent,
  notFound,
  openApiDocument,
  orderId,
  orderTotal,
  parseBody,
  PerKeyQueue,
  Router,
  sameSecret,
  serveOpenApi,
  traceIdOf,
  validTraceparent,
  z,
  errorBody,
  type Operations,
} from "@dapr-orders/service-kit";
import type { Order, OrderPolicy } from "./model.js";
import { ordersPlaced } from "./metrics.js";
import { WorkflowExists, type OrderWorkflows } from "./orders.js";

export interface IntakeSettings {
  maxStartsInFlight: number;
  startTimeoutMs: number;
  /** How many of the orders that come without a trace context (0 to 1) start a sampled trace; 1 when unset. */
  traceSamplingRate?: number;
  /** Orders per client address and window (points 0: no limit); no limit when unset. */
  rateLimit?: { points: number; windowSeconds: number };
  /** Orders that may wait for approval at once (placed here); no bound when unset. */
  maxAwaitingApproval?: number;
}

/** Counts per key in fixed windows: at most `points` per key in `windowSeconds`. */
export class WindowLimit {
  private readonly counts = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly points: number,
    private readonly windowSeconds: number,
  ) {}

  /** Counts one for `key`: 0 when within the limit, else the seconds before it may try again. */
  take(key: string, now = Date.now()): number {
    if (this.counts.size > 10_000) this.forgetPast(now);
    let entry = this.counts.get(key);
    if (entry === undefined || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + this.windowSeconds * 1000 };
      this.counts.set(key, entry);
    }
    if (entry.count >= this.points) return Math.max(1, Math.ceil((entry.resetAt - now) / 1000));
    entry.count += 1;
    return 0;
  }

  private forgetPast(now: number): void {
    for (const [key, entry] of this.counts) if (entry.resetAt <= now) this.counts.delete(key);
  }
}

/**
 * The orders placed here that may be waiting for approval, each until its approval
 * timeout (when its workflow gives it up). An order leaves when it is decided here, or
 * when a check of the orders (at most every few seconds, when the bound is reached)
 * finds it finished: decided through another instance, or refused before it waited.
 */
export class AwaitingApproval {
  private readonly until = new Map<string, number>();
  private checkedAt = 0;

  constructor(
    private readonly max: number,
    private readonly timeoutSeconds: number,
    private readonly checkEveryMs = 5_000,
  ) {}

  get size(): number {
    return this.until.size;
  }

  /** Counts the order in, if there is room (after a check of the orders when there is none); false when full. */
  async admit(id: string, isFinished: (id: string) => Promise<boolean>, now = Date.now()): Promise<boolean> {
    if (this.until.has(id)) return true;
    for (const [known, until] of this.until) if (until <= now) this.until.delete(known);
    if (this.until.size >= this.max && now - this.checkedAt >= this.checkEveryMs) {
      this.checkedAt = now;
      const finished = await Promise.all([...this.until.keys()].map(async (known) => ((await isFinished(known).catch(() => false)) ? known : undefined)));
      for (const known of finished) if (known !== undefined) this.until.delete(known);
    }
    if (this.until.size >= this.max) return false;
    this.until.set(id, now + this.timeoutSeconds * 1000 + 60_000);
    return true;
  }

  forget(id: string): void {
    this.until.delete(id);
  }
}

/** Whether a workflow status is a final one (the order will not wait any more). */
const finishedStatuses = new Set(["COMPLETED", "FAILED", "TERMINATED", "CANCELED"]);

/** The order id for an Idempotency-Key: the same key always gives the same id. */
export function orderIdForKey(key: string): string {
  const hash = createHash("sha256").update(key).digest("hex");
  return [hash.slice(0, 8), hash.slice(8, 12), hash.slice(12, 16), hash.slice(16, 20), hash.slice(20, 32)].join("-");
}

function idempotencyKey(ctx: Context): string | undefined {
  const key = ctx.get("Idempotency-Key");
  if (key === "") return undefined;
  if (key.length > 200) throw badRequest("Idempotency-Key must be at most 200 characters", "Idempotency-Key");
  return key;
}

const newOrder = z.strictObject({ customer: customerName, item: itemName, total: orderTotal });

const approval = z.strictObject({ approver: approverName, approved: z.boolean() });

// What the routes answer, for the OpenAPI document.
const accepted = z.object({ instance_id: orderId });
// What the workflow ends with: these fields at least (a step may add its own).
const orderResult = z.looseObject({ id: z.string(), success: z.boolean(), message: z.string(), undone: z.boolean().optional() });
const orderView = z.object({
  id: orderId,
  details: z.object({ id: orderId, customer: z.string(), item: z.string(), total: z.number() }).optional(),
  status: z.string(),
  awaiting_approval: z.boolean(),
  compensating: z.boolean(),
  created_time: z.string(),
  last_updated_time: z.string(),
  order_result: orderResult.optional(),
  failure_details: z.object({ message: z.string(), error_type: z.string() }).optional(),
});
const approvalAnswer = z.object({ id: orderId, approver: z.string(), approved: z.boolean() });
const refusal = (description: string) => ({ description, schema: errorBody });
const retryLater = (description: string) => ({ ...refusal(description), headers: { "Retry-After": "seconds to wait" } });
const idempotencyKeyHeader = z.string().max(200);

export const orderOperations: Operations = {
  "/orders": {
    post: {
      summary: "Place an order: starts its workflow",
      body: newOrder,
      headers: { "Idempotency-Key": idempotencyKeyHeader, traceparent: z.string() },
      responses: {
        202: {
          description: "the order's workflow started (or had started, for the same Idempotency-Key)",
          schema: accepted,
          headers: { Location: "the order's status URL" },
          links: { getOrder: { id: "$response.body#/instance_id" }, approveOrder: { id: "$response.body#/instance_id" } },
        },
        409: refusal("this Idempotency-Key was used for another order"),
        429: retryLater("too many orders from this client address in this window"),
        503: retryLater("too many orders at once, too many waiting for approval, or the sidecar was slow to start it"),
      },
    },
  },
  "/orders/{id}": {
    get: {
      operationId: "getOrder",
      summary: "An order's status",
      path: { id: z.string() },
      responses: { 200: { description: "the order", schema: orderView }, 404: refusal("no such order") },
    },
  },
  "/orders/{id}/approve": {
    post: {
      operationId: "approveOrder",
      summary: "Approve or reject an order waiting for approval (its sidecar's calls only: the dashboard's operator)",
      path: { id: z.string() },
      body: approval,
      security: ["appToken"],
      responses: {
        200: { description: "the decision was passed on to the order's workflow", schema: approvalAnswer },
        401: refusal("not the sidecar: the app API token is missing or wrong"),
        404: refusal("no such order"),
        409: refusal("the order is not waiting for approval"),
      },
    },
  },
  "/healthz": { get: { summary: "Whether the app answers", responses: { 200: { description: "it does", schema: z.object({ status: z.literal("ok") }) } } } },
};

export const orderApi = openApiDocument(
  { title: "order-processor", version: "1.0.0", description: "Place orders, read their status, approve or reject them" },
  orderOperations,
  { appToken: { type: "apiKey", in: "header", name: appTokenHeader, description: "APP_API_TOKEN: what the app's Dapr sidecar sends" } },
);

const sameOrder = (a: Order, b: Order) => a.customer === b.customer && a.item === b.item && a.total === b.total;

function unavailable(ctx: Context, message: string, details: Record<string, unknown> = {}): HttpError {
  ctx.set("Retry-After", "1");
  return new HttpError(503, message, details);
}

/**
 * `appToken` (APP_API_TOKEN): with it, an approval must come through the sidecar (the
 * dashboard's backend, notifications, calls it there for its logged-in operator, and
 * Dapr's access control lets only notifications' sidecar in); without it, approvals are open.
 */
export function orderRoutes(workflows: OrderWorkflows, policy: OrderPolicy, intake: IntakeSettings, appToken?: string): Router {
  const router = new Router();
  serveOpenApi(router, orderApi);
  const sidecarOnly = appTokenRequired(appToken);
  const fromSidecar = (ctx: Context) => appToken !== undefined && sameSecret(ctx.get(appTokenHeader), appToken);
  const perClient = intake.rateLimit === undefined || intake.rateLimit.points === 0 ? undefined : new WindowLimit(intake.rateLimit.points, intake.rateLimit.windowSeconds);
  const awaiting = new AwaitingApproval(intake.maxAwaitingApproval ?? Infinity, policy.approvalTimeoutSeconds);
  const isFinished = async (id: string) => {
    const view = await workflows.get(id);
    return view === undefined || finishedStatuses.has(view.status);
  };
  let startsInFlight = 0;
  // Requests with the same Idempotency-Key, one at a time in this process: the second
  // then finds the order the first placed. (Across replicas, WorkflowExists does.)
  const sameKey = new PerKeyQueue();

  const answerAccepted = (ctx: Context, id: string) => {
    ctx.status = 202;
    ctx.set("Location", `/orders/${id}`);
    ctx.body = { instance_id: id };
  };

  /** With a key: answers for the order that key placed, if any (Dapr would start a finished one anew). */
  async function replayed(ctx: Context, order: Order, key: string | undefined): Promise<boolean> {
    if (key === undefined) return false;
    const known = await knownOrder(ctx, order.id);
    if (known === undefined) return false;
    if (!sameOrder(known, order)) throw conflict("this Idempotency-Key was used for another order");
    answerAccepted(ctx, order.id);
    return true;
  }

  /**
   * The order under this id, if any. Just after its start (with a start time), the
   * sidecar shows a workflow without its input until it begins to run: ask again until
   * it shows, within the start timeout.
   */
  async function knownOrder(ctx: Context, id: string): Promise<Order | undefined> {
    const deadline = Date.now() + intake.startTimeoutMs;
    for (;;) {
      const view = await workflows.get(id);
      if (view === undefined) return undefined;
      if (view.details !== undefined) return view.details;
      if (Date.now() >= deadline) throw unavailable(ctx, "the order is being started: retry with the same Idempotency-Key", { instance_id: id });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function place(ctx: Context, order: Order, key: string | undefined, traceparent: string): Promise<void> {
    if (await replayed(ctx, order, key)) return;
    if (startsInFlight >= intake.maxStartsInFlight) throw unavailable(ctx, "too many orders at once: try again shortly");
    // Counted in before it starts (so parallel requests cannot all pass the check), out again if it does not.
    const mayWait = order.total >= policy.approvalThreshold;
    if (mayWait && !(await awaiting.admit(order.id, isFinished))) {
      ctx.set("Retry-After", "60");
      throw new HttpError(503, "too many orders are waiting for approval: try again later");
    }
    try {
      await start(ctx, order, key, traceparent);
    } catch (err) {
      if (mayWait && !(err instanceof HttpError && err.status === 503)) awaiting.forget(order.id); // a 503 may have been placed
      throw err;
    }
  }

  async function start(ctx: Context, order: Order, key: string | undefined, traceparent: string): Promise<void> {
    startsInFlight += 1;
    const start = workflows.start({ order, policy, traceparent }).finally(() => (startsInFlight -= 1));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), intake.startTimeoutMs)));
    try {
      if ((await Promise.race([start, timeout])) === "timeout") {
        start.catch(() => {}); // it may still succeed: the order is then placed, as the 503 says
        throw unavailable(ctx, "the order could not be started in time: it may have been placed; check it, or retry with the same Idempotency-Key", {
          instance_id: order.id,
        });
      }
    } catch (err) {
      if (err instanceof WorkflowExists && (await replayed(ctx, order, key))) return;
      throw err;
    } finally {
      clearTimeout(timer);
    }
    ordersPlaced.inc();
    answerAccepted(ctx, order.id);
  }

  router.post("/orders", async (ctx) => {
    if (perClient !== undefined && !fromSidecar(ctx)) {
      const wait = perClient.take(ctx.ip);
      if (wait > 0) {
        ctx.set("Retry-After", String(wait));
        throw new HttpError(429, `too many orders from this address: try again in ${wait} s`);
      }
    }
    const fields = parseBody(ctx, newOrder);
    const key = idempotencyKey(ctx);
    const order: Order = { id: key === undefined ? randomUUID() : orderIdForKey(key), ...fields };
    // The order's trace: the request's (through a sidecar, Dapr sends one), else a new one.
    const traceparent = validTraceparent(ctx.get("traceparent")) ?? newTraceparent(intake.traceSamplingRate ?? 1);
    ctx.state.logFields = { order_id: order.id, trace_id: traceIdOf(traceparent) };
    await (key === undefined ? place(ctx, order, key, traceparent) : sameKey.run(key, () => place(ctx, order, key, traceparent)));
  });

  // An id that is not an order id names no order: 404, without asking Dapr.
  const find = (id: string) => (isOrderId(id) ? workflows.get(id) : undefined);

  router.get("/orders/:id", async (ctx) => {
    const id = ctx.params.id;
    ctx.state.logFields = { order_id: id };
    const view = await find(id);
    if (view === undefined) throw notFound(`no order ${id}`);
    ctx.body = view;
  });

  router.post("/orders/:id/approve", sidecarOnly, async (ctx) => {
    const id = ctx.params.id;
    ctx.state.logFields = { order_id: id };
    const decision = parseBody(ctx, approval);
    const view = await find(id);
    if (view === undefined) throw notFound(`no order ${id}`);
    if (!view.awaiting_approval) throw conflict(`order ${id} is not waiting for approval (it is ${view.status})`);
    await workflows.approve(id, decision);
    awaiting.forget(id);
    ctx.body = { id, ...decision };
  });

  return router;
}
