// shipping's HTTP API, called by order-processor through Dapr service invocation.
import { jsonBody, nonEmptyString, notFound, Router } from "@dapr-orders/service-kit";
import type { Shipping } from "./shipping.js";

export function shippingRoutes(shipping: Shipping): Router {
  const router = new Router({ prefix: "/api/v1/shipments" });

  router.post("/", async (ctx) => {
    const body = jsonBody(ctx);
    const id = nonEmptyString(body, "id");
    ctx.state.logFields = { order_id: id };
    const request = { id, customer: nonEmptyString(body, "customer"), item: nonEmptyString(body, "item") };
    ctx.body = await shipping.schedule(request);
    ctx.status = 201;
  });

  router.get("/:id", async (ctx) => {
    const id = ctx.params.id;
    ctx.state.logFields = { order_id: id };
    const shipment = await shipping.find(id);
    if (shipment === undefined) throw notFound(`no shipment for order ${id}`);
    ctx.body = shipment;
  });

  return router;
}
