// What the order's notifications say, step by step (docs/spec.md, "The order workflow"), as pure
// functions: the workflow and its activities both use them, so a step's activity
// can publish its own notifications and the workflow still knows what was said.
import type { Note, Notification, Order, OrderResult, OrderStep } from "./model.js";

export type { OrderStep } from "./model.js";

export const notes = {
  placed: (o: Order): Note => ({ type: "placed", message: `Processing order for ${o.customer}. Item: ${o.item}, Total: ${o.total}` }),
  reserved: (o: Order): Note => ({ type: "reserved", message: `Reserved inventory: ${o.item}` }),
  reserveFailed: (reason: string): Note => ({ type: "reserveFailed", message: `Failed to reserve inventory: ${reason}` }),
  awaitingApproval: (o: Order, threshold: number, deadline: string): Note => ({
    type: "awaitingApproval",
    message: `Waiting for approval: total ${o.total} is at or above ${threshold}. Deadline: ${deadline}`,
    deadline,
  }),
  expired: (): Note => ({ type: "expired", message: "Approval deadline expired." }),
  rejected: (approver: string): Note => ({ type: "rejected", message: `Order was rejected by ${approver}.`, approver }),
  approved: (approver: string): Note => ({ type: "approved", message: `Order was approved by ${approver}.`, approver }),
  paid: (): Note => ({ type: "paid", message: "Payment processed" }),
  paymentFailed: (reason: string): Note => ({ type: "paymentFailed", message: `Payment failed: ${reason}` }),
  shipped: (): Note => ({ type: "shipped", message: "Order submitted for shipping" }),
  completed: (o: Order): Note => ({
    type: "completed",
    message: `Order processed for ${o.customer}. Item: ${o.item}, Total: ${o.total}`,
  }),
  shippingFailed: (reason: string): Note => ({ type: "shippingFailed", message: `Shipping failed: ${reason}` }),
  refunded: (): Note => ({ type: "refunded", message: "Payment refunded" }),
  released: (o: Order): Note => ({ type: "released", message: `Released inventory: ${o.item}` }),
};

/** The app each step calls: named in the failure of a step that could not reach it. */
export const stepApp: Record<OrderStep, string> = {
  reserveInventory: "inventory",
  releaseInventory: "inventory",
  processPayment: "payments",
  refundPayment: "payments",
  shipOrder: "shipping",
};

/** The step that undoes a step, for those that take something (stock, money). */
export const undoOf: Partial<Record<OrderStep, OrderStep>> = {
  reserveInventory: "releaseInventory",
  processPayment: "refundPayment",
};

/** What a step says once its app answered. An undo that had nothing to undo says nothing. */
export function outcomeNotes(step: OrderStep, order: Order, result: OrderResult): Note[] {
  switch (step) {
    case "reserveInventory":
      return [result.success ? notes.reserved(order) : notes.reserveFailed(result.message)];
    case "processPayment":
      return [result.success ? notes.paid() : notes.paymentFailed(result.message)];
    case "shipOrder":
      return result.success ? [notes.shipped(), notes.completed(order)] : [notes.shippingFailed(result.message)];
    case "releaseInventory":
      return result.undone ? [notes.released(order)] : [];
    case "refundPayment":
      return result.undone ? [notes.refunded()] : [];
  }
}

/** Numbers notes for the order from `firstSeq` on. */
export function numbered(order: Order, firstSeq: number, list: Note[]): Notification[] {
  const { customer, item, total } = order;
  return list.map((note, i) => ({ order_id: order.id, seq: firstSeq + i, ...note, order: { customer, item, total } }));
}
