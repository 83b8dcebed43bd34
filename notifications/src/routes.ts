// notifications' subscription routes. Dapr delivers topic "notifications" to
// POST /notifications, and what it could not deliver (the dead letters) to
// POST /notifications/dead-letters (see dapr-components/subscription.yaml), as CloudEvents.
//
// The answer tells Dapr what to do: 200, done (a new notification or a repeat);
// 400, the notification is invalid: Dapr does not retry it but sends it to the
// dead-letter topic; 500 (Redis is unavailable), Dapr delivers it again later
// (dapr-components/notifications-resiliency.yaml).
import { appTokenRequired, jsonBody, Router, traceIdOf, validTraceparent, type Logger } from "@dapr-orders/service-kit";
import type { DeadLetters } from "./dead-letters.js";
import type { EventHistory, StoredEvent } from "./history.js";
import { notificationsDeduplicated, notificationsDelivered } from "./metrics.js";
import { parseMessage, type Notification } from "./notification.js";

export interface SubscriptionOptions {
  history: Pick<EventHistory, "record">;
  /** Sends a new event to the pages. */
  publish: (event: StoredEvent) => void;
  deadLetters: DeadLetters;
  logger: Logger;
  /** APP_API_TOKEN, which the sidecar sends: with it, only the sidecar may deliver; undefined leaves the routes open. */
  appToken?: string | undefined;
}

export function notificationRoutes({ history, publish, deadLetters, logger, appToken }: SubscriptionOptions): Router {
  const router = new Router();
  const sidecarOnly = appTokenRequired(appToken);

  /** Keeps the notification once, and sends it to the pages if it is new. */
  async function keep(notification: Notification): Promise<StoredEvent | undefined> {
    const event = await history.record(notification, new Date().toISOString());
    if (event === undefined) {
      notificationsDeduplicated.inc();
      logger.info("repeated notification ignored", { order_id: notification.order_id, seq: notification.seq, type: notification.type });
    } else {
      notificationsDelivered.inc();
      publish(event);
    }
    return event;
  }

  router.post("/notifications", sidecarOnly, async (ctx) => {
    // Dapr wraps what order-processor published in a CloudEvent: its data is a list of
    // an order's notifications (or a single one), kept in their order.
    const cloudEvent = jsonBody(ctx);
    const data = dataOf(cloudEvent);
    ctx.state.logFields = { order_id: orderIdOf(data) };
    const notifications = parseMessage(data).map((n) => withTraceId(n, cloudEvent));
    ctx.state.logFields = { order_id: notifications[0]!.order_id, seq: notifications.map((n) => n.seq) };
    for (const notification of notifications) await keep(notification);
    ctx.body = { status: "SUCCESS" };
  });

  // A valid notification here was not delivered within the retries (notifications was
  // away longer than they last): it is kept now, late rather than never. Only what is
  // not a notification at all stays a dead letter.
  router.post("/notifications/dead-letters", sidecarOnly, async (ctx) => {
    const cloudEvent = jsonBody(ctx);
    const data = dataOf(cloudEvent);
    const order_id = orderIdOf(data);
    const event_id = typeof cloudEvent.id === "string" ? cloudEvent.id : undefined;
    ctx.state.logFields = { order_id };
    const valid = validOrUndefined(data);
    if (valid !== undefined) {
      logger.warn("notifications delivered late, through the dead-letter topic", { order_id, seq: valid.map((n) => n.seq), event_id });
      for (const notification of valid) await keep(withTraceId(notification, cloudEvent));
    } else {
      logger.error("notification could not be delivered (dead letter)", { order_id, event_id, data });
      await deadLetters.add({ time: new Date().toISOString(), order_id, event_id, data });
    }
    ctx.body = { status: "SUCCESS" };
  });

  return router;
}

/** The notification with the trace id of the CloudEvent's traceparent (Dapr's), when it has a valid one. */
function withTraceId(notification: Notification, cloudEvent: Record<string, unknown>): Notification {
  const traceparent = typeof cloudEvent.traceparent === "string" ? validTraceparent(cloudEvent.traceparent) : undefined;
  return traceparent === undefined ? notification : { ...notification, trace_id: traceIdOf(traceparent) };
}

function validOrUndefined(data: unknown): Notification[] | undefined {
  try {
    return parseMessage(data);
  } catch {
    return undefined;
  }
}

const dataOf = (body: Record<string, unknown>): unknown => ("data" in body ? body.data : body);

function orderIdOf(message: unknown): string | undefined {
  const data: unknown = Array.isArray(message) ? message[0] : message;
  const id = typeof data === "object" && data !== null ? (data as { order_id?: unknown }).order_id : undefined;
  return typeof id === "string" ? id : undefined;
}
