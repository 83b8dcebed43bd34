// order-processor's HTTP API: place an order (starts its workflow), read its
// status, approve or reject it.
//
// Placing an order answers quickly whatever the load: 202 once the workflow is
// started, or 503 with Retry-After when too many starts are under way or the
// sidecar is slow to start one. With an Idempotency-Key, the order's id comes from
// the key, so a client that retries (after a timeout, a 503 or a 5xx) gets the same
// order and never starts a second one.
import { createHash, randomUUID } from "node:crypto";
import type { Context } from "koa";
import {
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
  orderTotal,
  parseBody,
  PerKeyQueue,
  Router,
  traceIdOf,
  validTraceparent,
  z,
} from "@dapr-orders/service-kit";
import type { Order, OrderPolicy } from "./model.js";
import { ordersPlaced } from "./metrics.js";
import { WorkflowExists, type OrderWorkflows } from "./orders.js";

export interface IntakeSettings {
  maxStartsInFlight: number;
  startTimeoutMs: number;
  /** How many of the orders that come without a trace context (0 to 1) start a sampled trace; 1 when unset. */
  traceSamplingRate?: number;
}

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
  const router = new Router({ prefix: "/orders" });
  const sidecarOnly = appTokenRequired(appToken);
  let startsInFlight = 0;
  // Requests with the same Idempotency-Key, one at a time in this process: the second
  // then finds the order the first placed. (Across replicas, WorkflowExists does.)
  const sameKey = new PerKeyQueue();

  const accepted = (ctx: Context, id: string) => {
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
    accepted(ctx, order.id);
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
    accepted(ctx, order.id);
  }

  router.post("/", async (ctx) => {
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

  router.get("/:id", async (ctx) => {
    const id = ctx.params.id;
    ctx.state.logFields = { order_id: id };
    const view = await find(id);
    if (view === undefined) throw notFound(`no order ${id}`);
    ctx.body = view;
  });

  router.post("/:id/approve", sidecarOnly, async (ctx) => {
    const id = ctx.params.id;
    ctx.state.logFields = { order_id: id };
    const decision = parseBody(ctx, approval);
    const view = await find(id);
    if (view === undefined) throw notFound(`no order ${id}`);
    if (!view.awaiting_approval) throw conflict(`order ${id} is not waiting for approval (it is ${view.status})`);
    await workflows.approve(id, decision);
    ctx.body = { id, ...decision };
  });

  return router;
}
