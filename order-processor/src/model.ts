// The shapes that travel between the API, the workflow, its activities and the
// other services. Field names are the wire format (snake_case where docs/spec.md says so).
import type { OrderRequest, StepAnswer, UndoAnswer } from "@dapr-orders/service-kit";
import type { OrderEnding } from "./outcomes.js";
import type { Outbox } from "./outbox.js";

export type { OrderEnding } from "./outcomes.js";

/** An order; its id is the workflow instance id: one order, one workflow. It is also the request of every step (service-kit's orderSchema). */
export type Order = OrderRequest;

export type { StepAnswer, UndoAnswer } from "@dapr-orders/service-kit";

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
   * its calls and publishes, so the order is one trace. Optional: an input without
   * it still runs, its calls then carrying no trace context.
   */
  traceparent?: string | undefined;
}

/** What the workflow ends with: the answer of its last step, or why it failed (service-kit's step answer). */
export type OrderResult = StepAnswer;

/** The payload of the external event "approval". */
export interface Approval {
  approver: string;
  approved: boolean;
}

/** The steps that do something for the order, each calling another app, which answers with a StepAnswer. */
export type ForwardStep = "reserveInventory" | "processPayment" | "shipOrder";

/** The steps that undo one (release, refund, cancel the shipment), each answering with an UndoAnswer. */
export type UndoStep = "releaseInventory" | "refundPayment" | "cancelShipment";

export type OrderStep = ForwardStep | UndoStep;

// The notifications, as published to topic "notifications": service-kit's contract.
export type { Note, Notification, NotificationType } from "@dapr-orders/service-kit";

/** The input of activity "runSteps": steps to run one after another, and the order's notifications on their way out. */
export interface RunInput {
  order: Order;
  steps: OrderStep[];
  /** What the order has said so far; what it holds goes out with the first step's notifications. */
  outbox: Outbox;
  /** The order's trace context (OrderInput). */
  traceparent?: string | undefined;
  /** How the order ends if every step answers yes: then the activity records it (outcomes.ts). */
  ending?: OrderEnding | undefined;
}

/** What activity "runSteps" did. */
export interface RunOutcome {
  /** The answers of the steps that answered, in the order of the input's steps: the run stops after a forward step's "no". */
  answers: (StepAnswer | UndoAnswer)[];
  /**
   * True when the run stopped at a step that is to be tried again (the one after the
   * answered ones): its app could not be reached or answered nonsense, or, for an
   * undo, did not answer that it was done.
   */
  tryAgain: boolean;
  /** The outbox after the run: what it still holds could not be published. */
  outbox: Outbox;
  /** True when it recorded the input's `ending`: the order's outcome is written. */
  recorded?: boolean;
}

/** The input of activity "notify": the outbox whose notifications to publish, and the order's trace context (OrderInput). */
export interface NotifyInput {
  outbox: Outbox;
  traceparent?: string | undefined;
}

/**
 * How the workflow fails when shipping failed (docs/spec.md): with shipping's answer as its
 * message. Its name is the failure's error_type in the workflow's state; GET
 * /orders/:id shows the text of this failure only (orders.ts).
 */
export class ShippingFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShippingFailed";
  }
}

export const approvalEvent = "approval";
/** The workflow's custom status while it waits for the approval event. */
export const awaitingApprovalStatus = "awaiting-approval";
/** The workflow's custom status while it undoes what it did (until every undo step is done). */
export const compensatingStatus = "compensating";
export const workflowName = "orderProcessingWorkflow";
