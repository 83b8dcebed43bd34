// inventory's HTTP API. Called by order-processor (reserve, release) and by
// people (list, restock, clear), always through Dapr service invocation.
import { jsonBody, nonEmptyString, Router } from "@dapr-orders/service-kit";
import type { Stock } from "./stock.js";

export function inventoryRoutes(stock: Stock): Router {
  const router = new Router({ prefix: "/api/v1/inventory" });

  router.get("/", async (ctx) => {
    const items = await stock.list();
    ctx.body = items.length > 0 ? items : { message: "No inventory: POST /api/v1/inventory/restock to add some", items };
  });

  router.delete("/", async (ctx) => {
    await stock.clear();
    ctx.body = { message: "Inventory cleared" };
  });

  router.post("/restock", async (ctx) => {
    ctx.body = await stock.restock();
  });

  router.post("/reserve", async (ctx) => {
    const body = jsonBody(ctx);
    const id = nonEmptyString(body, "id");
    ctx.state.logFields = { order_id: id };
    ctx.body = await stock.reserve(id, nonEmptyString(body, "item"));
  });

  // The order's item, when given, is where a release of an order never seen is noted.
  router.post("/release", async (ctx) => {
    const body = jsonBody(ctx);
    const id = nonEmptyString(body, "id");
    ctx.state.logFields = { order_id: id };
    ctx.body = await stock.release(id, body.item === undefined ? undefined : nonEmptyString(body, "item"));
  });

  return router;
}
