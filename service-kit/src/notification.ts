// The notification contract between order-processor, which publishes notifications to
// topic "notifications", and notifications, which checks each one with this schema,
// keeps it and sends it to the dashboard's pages. The types come from the schema, so
// the publisher's and the receiver's idea of a notification cannot drift apart. The
// dashboard reads `type` (never `message`) and orders an order's notifications by `seq`;
// its own copy of the type list (notifications/public/board.js, plain JavaScript for the
// browser) is held to this one by a unit test.
import { z } from "zod";
import { customerName, itemName, orderTotal } from "./schemas.js";

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
  "shipmentCancelled",
  "refunded",
  "released",
  "completed",
] as const;

export type NotificationType = (typeof notificationTypes)[number];

/** The types that end an order unsuccessfully: the notification that says why. */
export const failureTypes = ["reserveFailed", "expired", "rejected", "paymentFailed", "shippingFailed"] as const satisfies readonly NotificationType[];

export type FailureType = (typeof failureTypes)[number];

/** A string with something in it besides spaces, kept as it is (not trimmed). */
const someText = z.string().refine((s) => s.trim() !== "", "must be a non-empty string");

const isoTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * A notification as published. (order_id, seq) is its identity: an activity may
 * publish it more than once, and a repeat is the same notification. Fields it does
 * not know are dropped, not refused (a newer publisher may add some).
 */
export const notificationSchema = z
  .object({
    /** The workflow instance id (an order id as order-processor makes them; any non-empty text is kept by it). */
    order_id: someText,
    /** 1, 2, 3... per order, in the order the workflow's steps emit them. */
    seq: z.number().int("must be a whole number from 1").min(1, "must be a whole number from 1"),
    type: z.enum(notificationTypes, `must be one of ${notificationTypes.join(", ")}`),
    /** The text docs/spec.md gives the step, as it is. */
    message: someText,
    order: z.object({ customer: customerName, item: itemName, total: orderTotal }),
    /** ISO 8601; on "awaitingApproval". */
    deadline: someText
      .refine((s) => isoTime.test(s) && !Number.isNaN(Date.parse(s)), "must be an ISO 8601 time")
      .optional(),
    /** On "approved" and "rejected". */
    approver: someText.optional(),
  })
  .superRefine((n, ctx) => {
    if (n.type === "awaitingApproval" && n.deadline === undefined) ctx.addIssue({ code: "custom", path: ["deadline"], message: "is required" });
    if ((n.type === "approved" || n.type === "rejected") && n.approver === undefined) {
      ctx.addIssue({ code: "custom", path: ["approver"], message: "is required" });
    }
  });

export type Notification = z.infer<typeof notificationSchema>;

/** A notification before it is numbered: what a step says. */
export type Note = Omit<Notification, "order_id" | "seq" | "order">;
