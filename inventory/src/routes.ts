// inventory's HTTP API. Called by order-processor (reserve, release) and by the
// dashboard (restock, clear), always through Dapr service invocation: with an app
// API token those routes take requests from this app's sidecar only. Anyone may
// read the stock; an order's reservation record is for the sidecar only.
import { appTokenRequired, isOrderId, notFound, orderSchema, parseBody, Router, z } from "@dapr-orders/service-kit";
import type { Stock } from "./stock.js";

// order-processor sends the whole order; reserve needs its id and item, release its id.
const reservation = orderSchema.partial({ customer: true, total: true });
const release = orderSchema.partial({ customer: true, item: true, total: true });
const noFields = z.strictObject({});

/** `appToken`: APP_API_TOKEN, which the sidecar sends; undefined leaves every route open. */
export function inventoryRoutes(stock: Stock, appToken: string | undefined): Router {
  const router = new Router({ prefix: "/api/v1/inventory" });
  const sidecarOnly = appTokenRequired(appToken);

  router.get("/", async (ctx) => {
    const items = await stock.list();
    ctx.body = items.length > 0 ? items : { message: "No inventory: POST /api/v1/inventory/restock to add some", items };
  });

  router.delete("/", sidecarOnly, async (ctx) => {
    await stock.clear();
    ctx.body = { message: "Inventory cleared" };
  });

  router.post("/restock", sidecarOnly, async (ctx) => {
    parseBody(ctx, noFields);
    ctx.body = await stock.restock();
  });

  router.post("/reserve", sidecarOnly, async (ctx) => {
    const { id, item } = parseBody(ctx, reservation);
    ctx.state.logFields = { order_id: id };
    ctx.body = await stock.reserve(id, item);
  });

  // The order's item, when given, is where a release of an order never seen is noted.
  router.post("/release", sidecarOnly, async (ctx) => {
    const { id, item } = parseBody(ctx, release);
    ctx.state.logFields = { order_id: id };
    ctx.body = await stock.release(id, item);
  });

  // The order's record: its status and what it did to the stock ({kind: "take" | "return"}).
  router.get("/reservations/:id", sidecarOnly, async (ctx) => {
    const id = ctx.params.id;
    ctx.state.logFields = { order_id: id };
    const record = isOrderId(id) ? await stock.find(id) : undefined;
    if (record === undefined) throw notFound(`no reservation for order ${id}`);
    const { order_id, item, status, effects } = record;
    ctx.body = { order_id, item, status, effects };
  });

  return router;
}
