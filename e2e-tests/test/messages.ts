// The notifications the order workflow sends, as docs/spec.md and order-processor's
// workflow word them, each with its type, and an assertion on a whole sequence of
// them: the messages, their types and seq 1..n, in order.
import { expect } from "chai";
import type { NewOrder } from "./http.js";
import type { NotificationType, OrderEvent } from "./notifications.js";
import { settings } from "./target.js";

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The type of each message that `say` made: expectMessages expects it. */
const types = new Map<string | RegExp, NotificationType>();

function typed<M extends string | RegExp>(type: NotificationType, message: M): M {
  types.set(message, type);
  return message;
}

export const say = {
  processing: (o: NewOrder) => typed("placed", `Processing order for ${o.customer}. Item: ${o.item}, Total: ${o.total}`),
  reserved: (o: NewOrder) => typed("reserved", `Reserved inventory: ${o.item}`),
  outOfStock: (o: NewOrder) => typed("reserveFailed", `Failed to reserve inventory: Out of stock: ${o.item}`),
  /** Its deadline (an ISO time) is the first group. */
  waiting: (o: NewOrder) =>
    typed(
      "awaitingApproval",
      new RegExp(
        `^Waiting for approval: total ${escape(String(o.total))} is at or above ${settings.approvalThreshold}\\. ` +
          `Deadline: (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z)$`,
      ),
    ),
  approved: (approver: string) => typed("approved", `Order was approved by ${approver}.`),
  rejected: (approver: string) => typed("rejected", `Order was rejected by ${approver}.`),
  expired: typed("expired", "Approval deadline expired."),
  paid: typed("paid", "Payment processed"),
  declined: (o: NewOrder) =>
    typed("paymentFailed", `Payment failed: Payment declined: ${o.total} is over the card limit of ${settings.cardLimit}`),
  notShipped: (o: NewOrder) => typed("shippingFailed", `Shipping failed: No courier delivers to ${o.customer}`),
  refunded: typed("refunded", "Payment refunded"),
  released: (o: NewOrder) => typed("released", `Released inventory: ${o.item}`),
  submitted: typed("shipped", "Order submitted for shipping"),
  processed: (o: NewOrder) => typed("completed", `Order processed for ${o.customer}. Item: ${o.item}, Total: ${o.total}`),
};

/** The type of a message that `say` made. */
export function typeOf(expected: string | RegExp): NotificationType {
  const type = types.get(expected);
  if (type === undefined) throw new Error(`${String(expected)} is not a message of the catalogue (say): its type is unknown`);
  return type;
}

/** The full sequence of an order that goes straight through. */
export const straightThrough = (o: NewOrder) => [say.processing(o), say.reserved(o), say.paid, say.submitted, say.processed(o)];

/** The full sequence of an order that waits for approval and is rejected. */
export const rejected = (o: NewOrder, approver: string) => [
  say.processing(o),
  say.reserved(o),
  say.waiting(o),
  say.rejected(approver),
  say.released(o),
];

/** The full sequence of an order that waits for approval, is approved, and goes through. */
export const approvedAndShipped = (o: NewOrder, approver: string) => [
  say.processing(o),
  say.reserved(o),
  say.waiting(o),
  say.approved(approver),
  say.paid,
  say.submitted,
  say.processed(o),
];

/**
 * The events (one order's, by seq) are exactly `expected` (made by `say`; a RegExp
 * stands for a message that must match it): the messages and their types in that
 * order, with seq 1..n, so nothing missing, repeated or out of order. Each event has
 * an ISO 8601 time and carries the order (`order`, when given), a deadline that its
 * message announces on "awaitingApproval", and on "approved" and "rejected" the
 * approver its message names.
 */
export function expectMessages(events: OrderEvent[], expected: (string | RegExp)[], order?: NewOrder): void {
  const actual = events.map((e) => e.message);
  // Where a pattern matches, show the message itself, so that the diff points at real differences.
  const shown = expected.map((e, i) => (typeof e === "string" ? e : e.test(actual[i] ?? "") ? actual[i] : `/${e.source}/`));
  expect(actual, "notifications received, by seq").to.deep.equal(shown);
  expect(events.map((e) => e.type), "their types").to.deep.equal(expected.map(typeOf));
  expect(events.map((e) => e.seq), "their seq").to.deep.equal(expected.map((_, i) => i + 1));
  const carried = order ?? events[0]?.order;
  for (const event of events) {
    const what = `${event.type} (seq ${event.seq})`;
    expect(new Date(event.time).toISOString(), `time of ${what}`).to.equal(event.time);
    expect(event.order, `order of ${what}`).to.deep.equal({ customer: carried!.customer, item: carried!.item, total: carried!.total });
    if (event.type === "awaitingApproval") {
      expect(new Date(event.deadline!).toISOString(), `deadline of ${what}`).to.equal(event.deadline);
      expect(event.message, `the deadline in the message of ${what}`).to.match(new RegExp(`Deadline: ${escape(event.deadline!)}$`));
    }
    if (event.type === "approved" || event.type === "rejected") {
      expect(event.message, `approver of ${what}`).to.equal(`Order was ${event.type} by ${event.approver}.`);
    }
  }
}

/** The deadline that the "awaitingApproval" notification announces (its `deadline`). */
export function announcedDeadline(events: OrderEvent[], order: NewOrder): Date {
  const event = events.find((e) => e.type === "awaitingApproval");
  if (event?.deadline === undefined) throw new Error(`no "awaitingApproval" notification with a deadline in ${JSON.stringify(events)}`);
  const inMessage = say.waiting(order).exec(event.message)?.[1];
  expect(inMessage, "the deadline its message announces").to.equal(event.deadline);
  return new Date(event.deadline);
}
