// payments' HTTP API, called by order-processor through Dapr service invocation:
// with an app API token, every route takes requests from this app's sidecar only.
import { appTokenRequired, isOrderId, notFound, orderSchema, parseBody, Router } from "@dapr-orders/service-kit";
import type { Payments } from "./payments.js";

// order-processor sends the whole order; a charge needs its id, customer and total.
const charge = orderSchema.partial({ item: true });
const refund = orderSchema.partial();

/** `appToken`: APP_API_TOKEN, which the sidecar sends; undefined leaves every route open. */
export function paymentRoutes(payments: Payments, appToken: string | undefined): Router {
  const router = new Router({ prefix: "/api/v1/payments" });
  router.use(appTokenRequired(appToken));

  router.post("/", async (ctx) => {
    const { id, customer, total } = parseBody(ctx, charge);
    ctx.state.logFields = { order_id: id };
    ctx.body = await payments.charge({ id, customer, total });
    ctx.status = 201;
  });

  // The body (the order, as order-processor sends it) is checked, not needed: the id says which payment.
  // An id that is not an order id names no order: 404.
  router.post("/:id/refund", async (ctx) => {
    const id = ctx.params.id;
    ctx.state.logFields = { order_id: id };
    parseBody(ctx, refund);
    if (!isOrderId(id)) throw notFound(`no payment for order ${id}`);
    ctx.body = await payments.refund(id);
  });

  router.get("/:id", async (ctx) => {
    const id = ctx.params.id;
    ctx.state.logFields = { order_id: id };
    const payment = isOrderId(id) ? await payments.find(id) : undefined;
    if (payment === undefined) throw notFound(`no payment for order ${id}`);
    ctx.body = payment;
  });

  return router;
}
