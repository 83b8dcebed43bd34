// The notifications the order workflow sends, as SPEC and order-processor's
// workflow word them, and an assertion on a whole sequence of them.
import { expect } from "chai";
import type { NewOrder } from "./http.js";
import type { OrderEvent } from "./notifications.js";
import { settings } from "./target.js";

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export const say = {
  processing: (o: NewOrder) => `Processing order for ${o.customer}. Item: ${o.item}, Total: ${o.total}`,
  reserved: (o: NewOrder) => `Reserved inventory: ${o.item}`,
  outOfStock: (o: NewOrder) => `Failed to reserve inventory: Out of stock: ${o.item}`,
  /** Its deadline (an ISO time) is the first group. */
  waiting: (o: NewOrder) =>
    new RegExp(
      `^Waiting for approval: total ${escape(String(o.total))} is at or above ${settings.approvalThreshold}\\. ` +
        `Deadline: (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z)$`,
    ),
  approved: (approver: string) => `Order was approved by ${approver}.`,
  rejected: (approver: string) => `Order was rejected by ${approver}.`,
  expired: "Approval deadline expired.",
  paid: "Payment processed",
  declined: (o: NewOrder) => `Payment failed: Payment declined: ${o.total} is over the card limit of ${settings.cardLimit}`,
  notShipped: (o: NewOrder) => `Shipping failed: No courier delivers to ${o.customer}`,
  refunded: "Payment refunded",
  released: (o: NewOrder) => `Released inventory: ${o.item}`,
  submitted: "Order submitted for shipping",
  processed: (o: NewOrder) => `Order processed for ${o.customer}. Item: ${o.item}, Total: ${o.total}`,
};

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
 * The events' messages are exactly `expected` (a RegExp stands for a message that
 * must match it), in that order; each event has an ISO 8601 time.
 */
export function expectMessages(events: OrderEvent[], expected: (string | RegExp)[]): void {
  const actual = events.map((e) => e.message);
  // Where a pattern matches, show the message itself, so that the diff points at real differences.
  const shown = expected.map((e, i) => (typeof e === "string" ? e : e.test(actual[i] ?? "") ? actual[i] : `/${e.source}/`));
  expect(actual, "notifications received, in order").to.deep.equal(shown);
  for (const event of events) expect(new Date(event.time).toISOString()).to.equal(event.time);
}

/** The deadline that the "Waiting for approval" notification announces. */
export function announcedDeadline(events: OrderEvent[], order: NewOrder): Date {
  const event = events.find((e) => say.waiting(order).test(e.message));
  if (event === undefined) throw new Error(`no "Waiting for approval" notification in ${JSON.stringify(events)}`);
  return new Date(say.waiting(order).exec(event.message)![1]!);
}
