// payments' HTTP API, called by order-processor through Dapr service invocation.
import { jsonBody, nonEmptyString, notFound, positiveNumber, Router } from "@dapr-orders/service-kit";
import type { Payments } from "./payments.js";

export function paymentRoutes(payments: Payments): Router {
  const router = new Router({ prefix: "/api/v1/payments" });

  router.post("/", (ctx) => {
    const body = jsonBody(ctx);
    const id = nonEmptyString(body, "id");
    ctx.state.logFields = { order_id: id };
    ctx.status = 201;
    ctx.body = payments.charge({ id, customer: nonEmptyString(body, "customer"), total: positiveNumber(body, "total") });
  });

  router.post("/:id/refund", (ctx) => {
    const id = ctx.params.id;
    ctx.state.logFields = { order_id: id };
    const result = payments.refund(id);
    if (result === undefined) throw notFound(`no payment for order ${id}`);
    ctx.body = result;
  });

  return router;
}
