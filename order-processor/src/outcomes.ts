// An order's outcome, kept in a small record of its own after its workflow's state is
// gone. Dapr purges a finished workflow's state some time after its end (the sidecar
// Configuration's spec.workflow.stateRetentionPolicy); the outcome record
// ("outcome-<order id>" in the state store records-state) lives longer
// (RECORD_TTL_SECONDS after it is written, 30 days by default), so GET /orders/:id
// still answers for a purged order, and an Idempotency-Key that comes back still
// finds its order instead of starting it anew.
//
// The record is written by the activity that ends the order, before the workflow
// ends: so whenever the workflow's state is gone, the outcome is there (unless its
// time to live is over too: then the order is unknown, 404, and its Idempotency-Key
// places a new order).
//
// Reading an order: the workflow first, the outcome record when there is no workflow.
// A read of either that fails is an error (never taken for "no such order").
import { EtagMismatch, type StateStore } from "@dapr-orders/service-kit";
import type { Order, OrderResult } from "./model.js";
import { isPublicFailure, withheldFailureMessage, type OrderView, type OrderWorkflows } from "./orders.js";

/** How an order ended, as the workflow knows it at its end: what the activity that ends it records. */
export interface OrderEnding {
  order: Order;
  /** When the order's workflow started (ISO 8601). */
  created_time: string;
  /** The workflow ends with this result ("COMPLETED")... */
  result?: OrderResult | undefined;
  /** ...or fails with this error ("FAILED"): its type and message, as the workflow throws it. */
  failure?: { error_type: string; message: string } | undefined;
}

/** The outcome record, as stored. */
export interface OrderOutcome {
  id: string;
  details: Order;
  status: "COMPLETED" | "FAILED";
  created_time: string;
  /** When the outcome was recorded: the order's end. */
  last_updated_time: string;
  order_result?: OrderResult;
  failure?: { error_type: string; message: string };
}

export const outcomeKey = (id: string) => `outcome-${id}`;

/** The record of `ending`, written at `now`. */
export function outcomeOf({ order, created_time, result, failure }: OrderEnding, now: Date): OrderOutcome {
  return {
    id: order.id,
    details: order,
    status: failure === undefined ? "COMPLETED" : "FAILED",
    created_time,
    last_updated_time: now.toISOString(),
    ...(result === undefined ? {} : { order_result: result }),
    ...(failure === undefined ? {} : { failure }),
  };
}

/** What GET /orders/:id shows of an outcome: what it showed of the finished workflow. */
export function outcomeView({ failure, ...outcome }: OrderOutcome): OrderView {
  return {
    ...outcome,
    awaiting_approval: false,
    compensating: false,
    ...(failure === undefined
      ? {}
      : {
          failure_details: {
            message: isPublicFailure({ type: failure.error_type, message: failure.message }) ? failure.message : withheldFailureMessage,
            error_type: failure.error_type,
          },
        }),
  };
}

export class OrderOutcomes {
  constructor(
    private readonly store: StateStore,
    /** Each record expires this long after it is written. */
    private readonly ttlSeconds: number,
  ) {}

  /**
   * Records how the order ended, once: an activity that runs again finds the record
   * there and leaves it (both describe the same end). Throws when it could not write.
   */
  async record(ending: OrderEnding, now = new Date()): Promise<void> {
    try {
      await this.store.set(outcomeKey(ending.order.id), outcomeOf(ending, now), undefined, { ttlSeconds: this.ttlSeconds });
    } catch (err) {
      if (!(err instanceof EtagMismatch)) throw err;
    }
  }

  /** The order's outcome; undefined when there is none; throws when the read failed. */
  async find(id: string): Promise<OrderView | undefined> {
    const { value } = await this.store.get<OrderOutcome>(outcomeKey(id));
    return value === undefined ? undefined : outcomeView(value);
  }
}

/**
 * The order workflows, read through: an order whose workflow is gone (purged) is
 * answered from its outcome record. Starting and approving are the workflows'.
 */
export function withOutcomes(workflows: OrderWorkflows, outcomes: Pick<OrderOutcomes, "find">): OrderWorkflows {
  return {
    start: (input) => workflows.start(input),
    approve: (id, approval) => workflows.approve(id, approval),
    async get(id) {
      return (await workflows.get(id)) ?? (await outcomes.find(id));
    },
  };
}
