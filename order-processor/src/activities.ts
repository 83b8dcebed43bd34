// The workflow's activities: the only places where the order workflow touches the
// world. runSteps runs steps one after another: each calls another app through the
// Dapr sidecar (service invocation) and publishes its own notifications (pub/sub) as
// one message, so a small order needs one activity and three messages in all.
// notify publishes what no step carries.
//
// An activity runs at least once: the workflow may run it again after a crash or a
// lost answer. That is safe: the other apps answer the same way when asked twice for
// one order, and a notification published twice keeps its (order_id, seq) identity,
// so the dashboard keeps it once.
//
// A step's outcome is either an answer (2xx, or a 4xx: a request the app refuses
// for good) or a failure (the app or its sidecar could not be reached, or failed):
// the run stops there, says so, and the workflow tries that step again later.
//
// The order's trace context (W3C traceparent) comes with each activity's input, as
// the workflow got it with its own: the activities send it with their calls and
// publishes, so that Dapr puts every call, and every delivery of a notification, in
// the order's trace. Their log lines carry its trace id.
//
// Each step and each notify is timed, and counts what it did (metrics.ts): an order's
// end and its wait for approval as their notifications are published, the undo steps run.
import type { WorkflowActivityContext } from "@dapr/dapr";
import { invoke, InvocationError, publishEvent, traceFields, type Logger, type Sidecar } from "@dapr-orders/service-kit";
import type { Notification, NotifyInput, Order, OrderResult, RunInput, RunOutcome } from "./model.js";
import { compensations, countPublished, stepDuration } from "./metrics.js";
import { numbered, outcomeNotes, stepApp, type OrderStep } from "./notes.js";
import type { OrderActivities } from "./workflow.js";

export interface PubsubTarget {
  name: string;
  topic: string;
}

/**
 * Publishes notifications of one order as one message, with the order's trace
 * context when there is one; throws if it was not published.
 */
export type Publisher = (notifications: Notification[], traceparent: string | undefined) => Promise<void>;

/** Calls a step's app (service invocation), with the order's trace context; throws InvocationError for a non-2xx answer. */
export type Invoker = (appId: string, path: string, order: Order, traceparent: string | undefined) => Promise<OrderResult>;

/** Invokes through the sidecar, with the traceparent header. */
export function daprInvoker(sidecar: Sidecar): Invoker {
  return (appId, path, order, traceparent) =>
    invoke<OrderResult>(sidecar, appId, path, order, "POST", traceparent === undefined ? undefined : { traceparent });
}

/** Publishes through the sidecar's HTTP API, with the traceparent header (Dapr puts it in the CloudEvent). */
export function daprPublisher(sidecar: Sidecar, pubsub: PubsubTarget): Publisher {
  return (notifications, traceparent) =>
    publishEvent(sidecar, pubsub.name, pubsub.topic, notifications, traceparent === undefined ? {} : { traceparent });
}

/** Where each step's request goes, in its app. */
const paths: Record<OrderStep, (order: Order) => string> = {
  reserveInventory: () => "api/v1/inventory/reserve",
  releaseInventory: () => "api/v1/inventory/release",
  processPayment: () => "api/v1/payments",
  refundPayment: (order) => `api/v1/payments/${encodeURIComponent(order.id)}/refund`,
  shipOrder: () => "api/v1/shipments",
};

export function createActivities(invoker: Invoker, publisher: Publisher, logger: Logger): OrderActivities {
  async function publish(notifications: Notification[], traceparent: string | undefined): Promise<void> {
    if (notifications.length === 0) return;
    await publisher(notifications, traceparent);
    notifications.forEach(countPublished);
  }

  /** Publishes the notifications as one message; returns them if that failed (the workflow tries again), else none. */
  async function tryPublish(notifications: Notification[], traceparent: string | undefined): Promise<Notification[]> {
    try {
      await publish(notifications, traceparent);
      return [];
    } catch (err) {
      const { order_id } = notifications[0]!;
      logger.warn("notifications not published: the workflow tries again", { order_id, seq: notifications.map((n) => n.seq), ...traceFields(traceparent), err });
      return notifications;
    }
  }

  async function call(step: OrderStep, order: Order, traceparent: string | undefined): Promise<OrderResult> {
    const appId = stepApp[step];
    const path = paths[step](order);
    const log = { order_id: order.id, ...traceFields(traceparent), path };
    try {
      const result = await invoker(appId, path, order, traceparent);
      logger.info(`${appId} answered`, { ...log, success: result.success, message: result.message });
      return result;
    } catch (err) {
      const refused = err instanceof InvocationError && err.status !== undefined && err.status >= 400 && err.status < 500;
      if (!refused) throw err; // unreachable or failing: the workflow tries again later
      logger.warn(`${appId} refused the request`, { ...log, err });
      return { id: order.id, success: false, message: `${appId} refused the request` };
    }
  }

  /**
   * Runs the steps in turn until one answers no or cannot be reached. Each step
   * publishes what it says as one message: `before` goes with the first step's.
   */
  async function runSteps(_ctx: WorkflowActivityContext, { order, steps, seq, before, traceparent }: RunInput): Promise<RunOutcome> {
    const answered: OrderResult[] = [];
    const unpublished: Notification[] = [];
    const first = seq + before.length; // the steps' notifications are numbered from here
    let next = first;
    let said = before; // not published yet
    for (const step of steps) {
      let result: OrderResult;
      try {
        result = await timed(step, () => call(step, order, traceparent));
      } catch (err) {
        logger.warn(`${stepApp[step]} could not be reached: the workflow tries again later`, { order_id: order.id, ...traceFields(traceparent), step, err });
        unpublished.push(...(await tryPublish(said, traceparent)));
        return { answered, numbered: next - first, unpublished, unreached: true };
      }
      if (step === "releaseInventory" || step === "refundPayment") compensations.inc({ step });
      const after = numbered(order, next, outcomeNotes(step, order, result));
      next += after.length;
      unpublished.push(...(await tryPublish([...said, ...after], traceparent)));
      said = [];
      answered.push(result);
      if (!result.success) break;
    }
    return { answered, numbered: next - first, unpublished, unreached: false };
  }

  return {
    runSteps,
    notify: (_ctx: WorkflowActivityContext, input: NotifyInput | Notification[]) =>
      timed("notify", async (): Promise<void> => {
        // A notify given the list alone (no trace context) publishes it untraced.
        const { notifications, traceparent } = Array.isArray(input) ? { notifications: input, traceparent: undefined } : input;
        await publish(notifications, traceparent);
      }),
  };
}

/**
 * Runs a step or a notify, timing it by step and outcome: "success" or "failure" as
 * its app answered (a notify that published everything is a success), "error" when
 * it threw (the workflow tries again later).
 */
async function timed<T extends OrderResult | void>(step: string, work: () => Promise<T>): Promise<T> {
  const done = stepDuration.startTimer({ step });
  try {
    const value = await work();
    done({ outcome: value === undefined || value.success ? "success" : "failure" });
    return value;
  } catch (err) {
    done({ outcome: "error" });
    throw err;
  }
}
