// The dashboard's actions: the page calls these, and each goes on to the app that
// owns it through notifications' Dapr sidecar (backend.ts). An answer of 4xx from
// that app comes back with the same status and its error; an app that cannot be
// reached (or fails) is a 502.
import { HttpError, InvocationError, jsonBody, Router } from "@dapr-orders/service-kit";

export interface StockItem {
  name: string;
  quantity: number;
}

/** The other apps, as the dashboard uses them. */
export interface Backend {
  /** POST /orders of order-processor: its instance id. */
  placeOrder(order: Record<string, unknown>): Promise<{ instance_id: string }>;
  /** POST /orders/:id/approve of order-processor. */
  decide(id: string, decision: Record<string, unknown>): Promise<unknown>;
  /** GET /api/v1/inventory of inventory. */
  stock(): Promise<StockItem[]>;
  /** POST /api/v1/inventory/restock of inventory. */
  restock(): Promise<StockItem[]>;
}

export function dashboardRoutes(backend: Backend): Router {
  const router = new Router({ prefix: "/api" });

  router.post("/orders", async (ctx) => {
    // order-processor validates the order: its 400 names the field.
    const { customer, item, total } = jsonBody(ctx);
    const { instance_id } = await passErrors(backend.placeOrder({ customer, item, total }));
    ctx.state.logFields = { order_id: instance_id };
    ctx.status = 202;
    ctx.body = { instance_id };
  });

  router.post("/orders/:id/approve", async (ctx) => {
    const id = ctx.params.id;
    ctx.state.logFields = { order_id: id };
    const { approver, approved } = jsonBody(ctx);
    ctx.body = await passErrors(backend.decide(id, { approver, approved }));
  });

  router.get("/inventory", async (ctx) => {
    ctx.body = { items: await passErrors(backend.stock()) };
  });

  router.post("/inventory/restock", async (ctx) => {
    ctx.body = { items: await passErrors(backend.restock()) };
  });

  return router;
}

/** The other app's 4xx as ours, with its error; anything else it or Dapr answers (or no answer) as a 502. */
async function passErrors<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (!(err instanceof InvocationError)) throw err;
    const app = err.target.split("/")[0];
    if (err.status !== undefined && err.status >= 400 && err.status < 500) {
      throw new HttpError(err.status, err.message.replace(/^.*? answered \d+: /, ""));
    }
    throw new HttpError(502, `${app} cannot be reached: ${err.message}`);
  }
}
