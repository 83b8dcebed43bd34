// A notification as order-processor publishes it (topic "notifications": each
// message a list of notifications of one order, or a single one), checked with the
// contract's schema (service-kit's notificationSchema): anything else is refused
// with a 400 that names the field. Pure: no HTTP, Redis or Dapr here.
import { badRequest, HttpError, notificationSchema, parse, type Notification as PublishedNotification } from "@dapr-orders/service-kit";

/** A notification as order-processor published it (service-kit's contract), and its trace id. */
export interface Notification extends PublishedNotification {
  /**
   * The order's trace id (32 hex digits): not the publisher's to say, but from the
   * CloudEvent's traceparent, which Dapr sets from the publish's trace context.
   */
  trace_id?: string;
}

/** At most this many notifications in one message (order-processor sends at most three: a step's). */
export const maxNotificationsPerMessage = 20;

/** The notifications in a message's `data`: a list of them, or a single one; each checked as parseNotification does. */
export function parseMessage(data: unknown): Notification[] {
  if (!Array.isArray(data)) return [parseNotification(data)];
  if (data.length === 0 || data.length > maxNotificationsPerMessage) {
    throw badRequest(`a message holds 1 to ${maxNotificationsPerMessage} notifications, not ${data.length}`);
  }
  return data.map((item, i) => {
    try {
      return parseNotification(item);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      throw new HttpError(err.status, `notification ${i + 1} of ${data.length}: ${err.message}`, err.details);
    }
  });
}

/** The notification in `data`, checked with the contract's schema; throws a 400 naming the first bad field. */
export function parseNotification(data: unknown): Notification {
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw badRequest("notification must be a JSON object", "notification");
  return parse(notificationSchema, data);
}
