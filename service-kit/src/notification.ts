// The notification contract between order-processor, which publishes notifications to
// topic "notifications", and notifications, which checks each one, keeps it and sends it
// to the dashboard's pages. The dashboard reads `type` (never `message`) and orders an
// order's notifications by `seq`.

/** The step names a notification can carry. */
export const notificationTypes = [
  "placed",
  "reserved",
  "reserveFailed",
  "awaitingApproval",
  "expired",
  "rejected",
  "approved",
  "paid",
  "paymentFailed",
  "shipped",
  "shippingFailed",
  "refunded",
  "released",
  "completed",
] as const;

export type NotificationType = (typeof notificationTypes)[number];

/** A notification before it is numbered: what a step says. */
export interface Note {
  type: NotificationType;
  /** The text docs/spec.md gives the step, as it is. */
  message: string;
  /** ISO 8601; on "awaitingApproval". */
  deadline?: string;
  /** On "approved" and "rejected". */
  approver?: string;
}

/**
 * A notification as published. (order_id, seq) is its identity: an activity may
 * publish it more than once, and a repeat is the same notification.
 */
export interface Notification extends Note {
  /** The workflow instance id. */
  order_id: string;
  /** 1, 2, 3... per order, in the order the workflow's steps emit them. */
  seq: number;
  order: { customer: string; item: string; total: number };
}
