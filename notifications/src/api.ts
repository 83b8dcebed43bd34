// The dashboard's actions: the page calls these, and each goes on to the app that
// owns it through notifications' Dapr sidecar (backend.ts). Placing an order and
// reading the inventory are open to anyone (placing an order a limited number of times
// per client address and window: 429 with Retry-After past it); approving or
// rejecting, restocking and clearing need the operator (operator.ts), whose name an
// approval carries. A 400, 404, 409 or 503 of the other app comes back with the same
// status and its error; any other failure (the app or Dapr failed, refused
// notifications, or could not be reached) is a 502 with a short public message,
// logged in full.
import type { Context, Middleware } from "koa";
import { customerName, HttpError, InvocationError, isOrderId, itemName, notFound, orderTotal, parseBody, Router, z, type Logger } from "@dapr-orders/service-kit";
import type { RateLimit } from "./operator.js";
import type { StoreSize } from "./store-size.js";

export interface StockItem {
  name: string;
  quantity: number;
}

/** The other apps, as the dashboard uses them. */
export interface Backend {
  /** POST /orders of order-processor: its instance id. */
  /** POST /orders of order-processor, passing the page's Idempotency-Key on: a retry places nothing new. */
  placeOrder(order: Record<string, unknown>, idempotencyKey?: string): Promise<{ instance_id: string }>;
  /** POST /orders/:id/approve of order-processor. */
  decide(id: string, decision: { approver: string; approved: boolean }): Promise<unknown>;
  /** GET /api/v1/inventory of inventory. */
  stock(): Promise<StockItem[]>;
  /** POST /api/v1/inventory/restock of inventory. */
  restock(): Promise<StockItem[]>;
  /** DELETE /api/v1/inventory of inventory. */
  clear(): Promise<unknown>;
}

export interface DashboardOptions {
  backend: Backend;
  /** Lets the operator's requests through, with ctx.state.operator set to their name (Operator.required). */
  operatorRequired: Middleware;
  logger: Logger;
  /** ZIPKIN_UI_URL: where the page links an order's trace; empty when tracing is off. */
  zipkinUiUrl?: string;
  /** Counts the orders each client address places; no limit when unset. */
  orderLimit?: RateLimit;
  /** How big the state's Redis is (store-size.ts), for GET /api/store. */
  storeSize?: () => Promise<StoreSize>;
}

/** A body with nothing to say: `{}` (restock takes no settings: any field is a 400). */
export const nothing = z.strictObject({});

/** An order as the page sends it: order-processor's fields, checked here too. */
export const newOrder = z.strictObject({ customer: customerName, item: itemName, total: orderTotal });

/** An approval as the page sends it: the decision only; the approver is the operator. */
export const decision = z.strictObject({ approved: z.boolean() });

export function dashboardRoutes({ backend, operatorRequired, logger, zipkinUiUrl = "", orderLimit, storeSize }: DashboardOptions): Router {
  const router = new Router({ prefix: "/api" });
  const passErrors = <T>(ctx: Context, call: Promise<T>) => passOn(ctx, call, logger);

  // Where the page links each order's trace: the Zipkin UI, or null (tracing off: no links).
  router.get("/tracing", (ctx) => {
    ctx.body = { zipkin_url: zipkinUiUrl === "" ? null : zipkinUiUrl };
  });

  // The store's size: used memory, its limit, keys (503 when Redis does not answer).
  router.get("/store", async (ctx) => {
    if (storeSize === undefined) throw new HttpError(404, "the store's size is not known here");
    try {
      ctx.body = await storeSize();
    } catch (err) {
      logger.warn("reading the store's size failed", { err });
      throw new HttpError(503, "Redis did not answer: try again later");
    }
  });

  router.post("/orders", async (ctx) => {
    const wait = (await orderLimit?.take(ctx.ip)) ?? 0;
    if (wait > 0) {
      ctx.set("Retry-After", String(wait));
      throw new HttpError(429, `too many orders from this address: try again in ${wait} s`);
    }
    const { customer, item, total } = parseBody(ctx, newOrder);
    const key = ctx.get("Idempotency-Key") || undefined; // order-processor checks it
    const { instance_id } = await passErrors(ctx, backend.placeOrder({ customer, item, total }, key));
    ctx.state.logFields = { order_id: instance_id };
    ctx.status = 202;
    ctx.body = { instance_id };
  });

  router.post("/orders/:id/approve", operatorRequired, async (ctx) => {
    const id = ctx.params.id;
    const approver = ctx.state.operator as string;
    ctx.state.logFields = { order_id: id, operator: approver };
    const { approved } = parseBody(ctx, decision);
    // An id that is not an order id names no order (as at order-processor): not passed on,
    // since Dapr cannot carry every string in a path (a control character is its 500).
    if (!isOrderId(id)) throw notFound(`no order ${id}`);
    ctx.body = await passErrors(ctx, backend.decide(id, { approver, approved }));
  });

  router.get("/inventory", async (ctx) => {
    ctx.body = { items: await passErrors(ctx, backend.stock()) };
  });

  router.post("/inventory/restock", operatorRequired, async (ctx) => {
    ctx.state.logFields = { operator: ctx.state.operator };
    parseBody(ctx, nothing);
    ctx.body = { items: await passErrors(ctx, backend.restock()) };
  });

  router.delete("/inventory", operatorRequired, async (ctx) => {
    ctx.state.logFields = { operator: ctx.state.operator };
    await passErrors(ctx, backend.clear());
    ctx.body = { items: [] };
  });

  return router;
}

/** What the apps answer on purpose, with their own error, and the page may show. */
const passedOn = new Set([400, 404, 409, 503]);

/** The other app's 400, 404 or 409 as ours, with its error; anything else as a 502 that says only which app failed. */
async function passOn<T>(ctx: Context, call: Promise<T>, logger: Logger): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (!(err instanceof InvocationError)) throw err;
    if (err.status !== undefined && passedOn.has(err.status) && err.appError !== undefined) {
      if (err.status === 503) ctx.set("Retry-After", "5");
      throw new HttpError(err.status, err.appError);
    }
    logger.error("a dashboard action failed", { err: err.message, ...ctx.state.logFields });
    throw new HttpError(502, `${err.publicMessage}: try again later`);
  }
}
