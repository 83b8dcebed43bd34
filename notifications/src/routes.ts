// notifications' HTTP API: Dapr delivers the topic "notifications" to
// POST /notifications (see dapr-components/subscription.yaml), as CloudEvents.
import { jsonBody, jsonObject, nonEmptyString, Router } from "@dapr-orders/service-kit";
import type { OrderEvent } from "./history.js";

/**
 * `record` keeps the event and sends it to the pages; when it fails (Redis is
 * unavailable) the answer is a 500 and Dapr delivers the event again later.
 */
export function notificationRoutes(record: (event: OrderEvent) => Promise<void>): Router {
  const router = new Router();

  router.post("/notifications", async (ctx) => {
    // Dapr wraps what order-processor published in a CloudEvent: the notification is its data.
    const body = jsonBody(ctx);
    const notification = jsonObject(body.data ?? body);
    const event = {
      order_id: nonEmptyString(notification, "order_id"),
      message: nonEmptyString(notification, "message"),
      time: new Date().toISOString(),
    };
    ctx.state.logFields = { order_id: event.order_id };
    await record(event);
    ctx.body = { status: "SUCCESS" };
  });

  return router;
}
