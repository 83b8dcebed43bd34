// The shapes that travel between the API, the workflow, its activities and the
// other services. Field names are the wire format (snake_case where docs/spec.md says so).
import type { Notification } from "@dapr-orders/service-kit";

export interface Order {
  /** The workflow instance id: one order, one workflow. */
  id: string;
  customer: string;
  item: string;
  total: number;
}

/**
 * The settings an order's workflow decides by. They are taken once, when the order
 * is placed, and travel in the workflow's input: a replay (or a restart with other
 * settings while the order waits for approval) decides the same way.
 */
export interface OrderPolicy {
  /** Orders with a total at or above this wait for a person's approval. */
  approvalThreshold: number;
  /** How long an order waits for approval before it is given up. */
  approvalTimeoutSeconds: number;
  /** How a step whose service cannot be reached is tried again (durable timers between tries). */
  retry: RetryPolicy;
}

export interface RetryPolicy {
  /** Tries of one step in all, the first included. */
  maxAttempts: number;
  /** The wait after the first failed try; it doubles after each one, up to maxDelaySeconds. */
  firstDelaySeconds: number;
  maxDelaySeconds: number;
}

/** The workflow's input. */
export interface OrderInput {
  order: Order;
  policy: OrderPolicy;
  /**
   * The order's trace context (a W3C traceparent): that of the request that placed
   * it, or a new one. The workflow hands it to every activity, which sends it with
   * its calls and publishes, so the order is one trace. Absent in orders placed
   * before tracing.
   */
  traceparent?: string | undefined;
}

/** What inventory, payments and shipping answer, and what the workflow ends with. */
export interface OrderResult {
  id: string;
  success: boolean;
  message: string;
  /** Undo steps (release, refund): whether the unit or the money went back. */
  undone?: boolean;
}

/** The payload of the external event "approval". */
export interface Approval {
  approver: string;
  approved: boolean;
}

/** The steps that call another app for the order, each answering with an OrderResult (notes.ts). */
export type OrderStep = "reserveInventory" | "releaseInventory" | "processPayment" | "refundPayment" | "shipOrder";

// The notifications, as published to topic "notifications": service-kit's contract.
export type { Note, Notification, NotificationType } from "@dapr-orders/service-kit";

/** The input of activity "runSteps": steps to run one after another, and notifications to publish first. */
export interface RunInput {
  order: Order;
  steps: OrderStep[];
  /** The sequence number of the first notification: `before` is numbered from it, the steps' own come after. */
  seq: number;
  /** Notifications to publish before the first step (already numbered from seq). */
  before: Notification[];
  /** The order's trace context (OrderInput). */
  traceparent?: string | undefined;
}

/** What activity "runSteps" did. */
export interface RunOutcome {
  /** The answers of the steps that were reached, in the order of the input's steps: the run stops after the first "no". */
  answered: OrderResult[];
  /** How many notifications the steps numbered (after the input's `before`). */
  numbered: number;
  /** Notifications that could not be published (the workflow publishes them again). */
  unpublished: Notification[];
  /** True when the run stopped at a step whose app could not be reached: the step after the answered ones. */
  unreached: boolean;
}

/** The input of activity "notify": notifications to publish, and the order's trace context (OrderInput). */
export interface NotifyInput {
  notifications: Notification[];
  traceparent?: string | undefined;
}

export const approvalEvent = "approval";
/** The workflow's custom status while it waits for the approval event. */
export const awaitingApprovalStatus = "awaiting-approval";
export const workflowName = "orderProcessingWorkflow";
