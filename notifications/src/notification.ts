// A notification as order-processor publishes it (topic "notifications": each
// message a list of notifications of one order, or a single one), and its strict
// check: anything else is refused with a 400 that names the field. Pure: no HTTP,
// Redis or Dapr here.
import { badRequest, HttpError, notificationTypes, type Notification as PublishedNotification, type NotificationType } from "@dapr-orders/service-kit";

/** A notification as order-processor published it (service-kit's contract), and its trace id. */
export interface Notification extends PublishedNotification {
  /**
   * The order's trace id (32 hex digits): not the publisher's to say, but from the
   * CloudEvent's traceparent, which Dapr sets from the publish's trace context.
   */
  trace_id?: string;
}

const isoTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

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

/** The notification in `data`, checked field by field; throws a 400 naming the first bad field. */
export function parseNotification(data: unknown): Notification {
  const body = object(data, "notification");
  const order_id = text(body, "order_id");
  const seq = sequenceNumber(body.seq);
  const type = body.type as NotificationType;
  if (!notificationTypes.includes(type)) throw badRequest(`type must be one of ${notificationTypes.join(", ")}`, "type");
  const message = text(body, "message");
  const order = object(body.order, "order");
  const notification: Notification = {
    order_id,
    seq,
    type,
    message,
    order: { customer: text(order, "customer", "order."), item: text(order, "item", "order."), total: total(order.total) },
  };
  const deadline = optional(body, "deadline", notification.type === "awaitingApproval");
  if (deadline !== undefined) {
    if (!isoTime.test(deadline) || Number.isNaN(Date.parse(deadline))) throw badRequest("deadline must be an ISO 8601 time", "deadline");
    notification.deadline = deadline;
  }
  const approver = optional(body, "approver", notification.type === "approved" || notification.type === "rejected");
  if (approver !== undefined) notification.approver = approver;
  return notification;
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest(`${field} must be a JSON object`, field);
  }
  return value as Record<string, unknown>;
}

/** A non-empty string, kept as it is (not trimmed). */
function text(body: Record<string, unknown>, field: string, prefix = ""): string {
  const value = body[field];
  const name = prefix + field;
  if (value === undefined) throw badRequest(`${name} is required`, name);
  if (typeof value !== "string" || value.trim() === "") throw badRequest(`${name} must be a non-empty string`, name);
  return value;
}

function optional(body: Record<string, unknown>, field: string, required: boolean): string | undefined {
  if (body[field] === undefined && !required) return undefined;
  return text(body, field);
}

function sequenceNumber(value: unknown): number {
  if (value === undefined) throw badRequest("seq is required", "seq");
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw badRequest("seq must be a whole number from 1", "seq");
  }
  return value;
}

function total(value: unknown): number {
  if (value === undefined) throw badRequest("order.total is required", "order.total");
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw badRequest("order.total must be a finite number greater than 0", "order.total");
  }
  return value;
}
