// shipping's HTTP API, called by order-processor through Dapr service invocation.
import { jsonBody, nonEmptyString, Router } from "@dapr-orders/service-kit";
import type { Shipping } from "./shipping.js";

export function shippingRoutes(shipping: Shipping): Router {
  const router = new Router({ prefix: "/api/v1/shipments" });

  router.post("/", (ctx) => {
    const body = jsonBody(ctx);
    const id = nonEmptyString(body, "id");
    ctx.state.logFields = { order_id: id };
    ctx.status = 201;
    ctx.body = shipping.schedule({ id, customer: nonEmptyString(body, "customer"), item: nonEmptyString(body, "item") });
  });

  return router;
}
