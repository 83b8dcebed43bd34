// shipping's HTTP API, called by order-processor through Dapr service invocation:
// with an app API token, every route takes requests from this app's sidecar only.
import { appTokenRequired, isOrderId, notFound, orderSchema, parseBody, Router } from "@dapr-orders/service-kit";
import type { Shipping } from "./shipping.js";

// order-processor sends the whole order; a shipment needs its id, customer and item.
const shipment = orderSchema.partial({ total: true });
const cancel = orderSchema.partial();

/** `appToken`: APP_API_TOKEN, which the sidecar sends; undefined leaves every route open. */
export function shippingRoutes(shipping: Shipping, appToken: string | undefined): Router {
  const router = new Router({ prefix: "/api/v1/shipments" });
  router.use(appTokenRequired(appToken));

  router.post("/", async (ctx) => {
    const { id, customer, item } = parseBody(ctx, shipment);
    ctx.state.logFields = { order_id: id };
    ctx.body = await shipping.schedule({ id, customer, item });
    ctx.status = 201;
  });

  // The body (the order, as order-processor sends it) is checked; the id says which shipment.
  // An id that is not an order id names no order: 404.
  router.post("/:id/cancel", async (ctx) => {
    const id = ctx.params.id;
    ctx.state.logFields = { order_id: id };
    const { customer, item } = parseBody(ctx, cancel);
    if (!isOrderId(id)) throw notFound(`no shipment for order ${id}`);
    ctx.body = await shipping.cancel({ id, customer, item });
  });

  router.get("/:id", async (ctx) => {
    const id = ctx.params.id;
    ctx.state.logFields = { order_id: id };
    const shipment = isOrderId(id) ? await shipping.find(id) : undefined;
    if (shipment === undefined) throw notFound(`no shipment for order ${id}`);
    ctx.body = shipment;
  });

  return router;
}
