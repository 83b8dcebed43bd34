// What the order's notifications say, step by step (docs/spec.md, "The order workflow"), as pure
// functions: the workflow and its activities both use them, so a step's activity
// can publish its own notifications and the workflow still knows what was said.
import type { ForwardStep, Note, Order, OrderStep, StepAnswer, UndoAnswer, UndoStep } from "./model.js";

export type { ForwardStep, OrderStep, UndoStep } from "./model.js";

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
  shipmentCancelled: (): Note => ({ type: "shipmentCancelled", message: "Shipment cancelled" }),
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
  cancelShipment: "shipping",
};

/** The step that undoes each step: it puts back what the step took (stock, money) or stops what it started (a shipment). */
export const undoOf: Record<ForwardStep, UndoStep> = {
  reserveInventory: "releaseInventory",
  processPayment: "refundPayment",
  shipOrder: "cancelShipment",
};

const undoSteps = new Set<OrderStep>(Object.values(undoOf));

export const isUndo = (step: OrderStep): step is UndoStep => undoSteps.has(step);

/** What a step says once its app answered. An undo that had nothing to undo says nothing. */
export function outcomeNotes(step: OrderStep, order: Order, result: StepAnswer | UndoAnswer): Note[] {
  const undone = "undone" in result && result.undone;
  switch (step) {
    case "reserveInventory":
      return [result.success ? notes.reserved(order) : notes.reserveFailed(result.message)];
    case "processPayment":
      return [result.success ? notes.paid() : notes.paymentFailed(result.message)];
    case "shipOrder":
      return result.success ? [notes.shipped(), notes.completed(order)] : [notes.shippingFailed(result.message)];
    case "releaseInventory":
      return undone ? [notes.released(order)] : [];
    case "refundPayment":
      return undone ? [notes.refunded()] : [];
    case "cancelShipment":
      return undone ? [notes.shipmentCancelled()] : [];
  }
}
