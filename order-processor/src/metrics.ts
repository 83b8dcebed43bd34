// order-processor's metrics (GET /metrics, service-kit's metrics.ts). Each is
// counted where its event happens once: an order placed in POST /orders (api.ts),
// everything else in the activities (activities.ts), never in the workflow, which
// is replayed. An order's end is counted when the activity publishes the
// notification that tells it (completed, or why it failed); an activity that runs
// again after a crash may count it again, as it publishes again.
import { counter, failureTypes, histogram, type FailureType, type NotificationType } from "@dapr-orders/service-kit";
import type { Notification } from "./model.js";
import { undoOf } from "./notes.js";

export const ordersPlaced = counter(
  "orders_placed_total",
  "Orders accepted by POST /orders (202) that started a workflow; a repeated Idempotency-Key is not counted again",
);

export const ordersCompleted = counter("orders_completed_total", "Orders that ended successfully: reserved, paid and shipped");

export const ordersFailed = counter("orders_failed_total", "Orders that ended unsuccessfully, by reason", ["reason"]);

export const compensations = counter(
  "orders_compensations_total",
  "Undo steps (releaseInventory, refundPayment, cancelShipment) that undid something (put the unit or the money back, cancelled a shipment), by step",
  ["step"],
);

/**
 * Alert on its rate: an undo that could not be done (its app unreachable, failing, or
 * not done) is tried again until it is, and its order shows "compensating" meanwhile.
 */
export const undoRetries = counter(
  "orders_undo_retries_total",
  "Tries of an undo step (releaseInventory, refundPayment, cancelShipment) that did not undo and are tried again later, by step",
  ["step"],
);

export const approvalWaits = counter("orders_approval_waits_total", "Orders that started to wait for a person's approval");

export const stepDuration = histogram(
  "orders_step_duration_seconds",
  "How long each workflow activity took, by step (reserveInventory... notify) and outcome (success, failure: the app said no, error: tried again later)",
  ["step", "outcome"],
);

/** The reason an order failed, by the notification that says so (service-kit's failure types, each). */
const failureReasons: Record<FailureType, string> = {
  reserveFailed: "reservation_failed",
  expired: "approval_expired",
  rejected: "approval_rejected",
  paymentFailed: "payment_failed",
  shippingFailed: "shipping_failed",
};

// Every series from the start at 0, so that a rate over a scrape's first increase is right.
for (const type of failureTypes) ordersFailed.inc({ reason: failureReasons[type] }, 0);
for (const step of Object.values(undoOf)) {
  compensations.inc({ step }, 0);
  undoRetries.inc({ step }, 0);
}

const isFailure = (type: NotificationType): type is FailureType => (failureTypes as readonly NotificationType[]).includes(type);

/** Counts what a notification just published tells: an order's end, or its wait for approval. */
export function countPublished(notification: Notification): void {
  if (isFailure(notification.type)) ordersFailed.inc({ reason: failureReasons[notification.type] });
  else if (notification.type === "completed") ordersCompleted.inc();
  else if (notification.type === "awaitingApproval") approvalWaits.inc();
}
