// payments' HTTP API, called by order-processor through Dapr service invocation.
import { jsonBody, nonEmptyString, notFound, positiveNumber, Router } from "@dapr-orders/service-kit";
import type { Payments } from "./payments.js";

export function paymentRoutes(payments: Payments): Router {
  const router = new Router({ prefix: "/api/v1/payments" });

  router.post("/", async (ctx) => {
    const body = jsonBody(ctx);
    const id = nonEmptyString(body, "id");
    ctx.state.logFields = { order_id: id };
    const request = { id, customer: nonEmptyString(body, "customer"), total: positiveNumber(body, "total") };
    ctx.body = await payments.charge(request);
    ctx.status = 201;
  });

  router.post("/:id/refund", async (ctx) => {
    const id = ctx.params.id;
    ctx.state.logFields = { order_id: id };
    ctx.body = await payments.refund(id);
  });

  router.get("/:id", async (ctx) => {
    const id = ctx.params.id;
    ctx.state.logFields = { order_id: id };
    const payment = await payments.find(id);
    if (payment === undefined) throw notFound(`no payment for order ${id}`);
    ctx.body = payment;
  });

  return router;
}
