// The workflow's activities: the only places where the order workflow touches the
// world. Each step calls another app through the Dapr sidecar (service invocation)
// and publishes its own notifications (pub/sub), so an order needs few activities.
//
// An activity runs at least once: the workflow may run it again after a crash or a
// lost answer. That is safe: the other apps answer the same way when asked twice for
// one order, and a notification published twice keeps its (order_id, seq) identity,
// so the dashboard keeps it once.
//
// A step's outcome is either an answer (2xx, or a 4xx: a request the app refuses
// for good) or a throw (the app or its sidecar could not be reached, or failed): the
// workflow tries a throw again later.
//
// The order's trace context (W3C traceparent) comes with each activity's input, as
// the workflow got it with its own: the activities send it with their calls and
// publishes, so that Dapr puts every call, and every delivery of a notification, in
// the order's trace. Their log lines carry its trace id.
//
// Each activity is timed, and counts what it did (metrics.ts): an order's end and
// its wait for approval as their notifications are published, the undo steps run.
import type { DaprClient, WorkflowActivityContext } from "@dapr/dapr";
import { invoke, InvocationError, publishEvent, traceFields, type DaprSettings, type Logger } from "@dapr-orders/service-kit";
import type { Notification, NotifyInput, Order, OrderResult, StepInput, StepOutcome } from "./model.js";
import { compensations, countPublished, stepDuration } from "./metrics.js";
import { numbered, outcomeNotes, stepApp, type OrderStep } from "./notes.js";
import type { OrderActivities } from "./workflow.js";

export interface PubsubTarget {
  name: string;
  topic: string;
}

/** Publishes one notification, with the order's trace context when there is one; throws if it was not published. */
export type Publisher = (notification: Notification, traceparent: string | undefined) => Promise<void>;

/** Publishes through the sidecar's HTTP API, with the traceparent header (Dapr puts it in the CloudEvent). */
export function daprPublisher(dapr: DaprSettings, pubsub: PubsubTarget): Publisher {
  return (notification, traceparent) =>
    publishEvent(dapr, pubsub.name, pubsub.topic, notification, traceparent === undefined ? {} : { traceparent });
}

/** Where each step's request goes, in its app. */
const paths: Record<OrderStep, (order: Order) => string> = {
  reserveInventory: () => "api/v1/inventory/reserve",
  releaseInventory: () => "api/v1/inventory/release",
  processPayment: () => "api/v1/payments",
  refundPayment: (order) => `api/v1/payments/${encodeURIComponent(order.id)}/refund`,
  shipOrder: () => "api/v1/shipments",
};

export function createActivities(dapr: DaprClient, publisher: Publisher, logger: Logger): OrderActivities {
  async function publish(notification: Notification, traceparent: string | undefined): Promise<void> {
    await publisher(notification, traceparent);
    countPublished(notification);
  }

  /** Publishes each notification in turn; returns those that could not be published. */
  async function publishAll(list: Notification[], traceparent: string | undefined): Promise<Notification[]> {
    const failed: Notification[] = [];
    for (const notification of list) {
      try {
        await publish(notification, traceparent);
      } catch (err) {
        const { order_id, seq } = notification;
        logger.warn("notification not published: the workflow tries again", { order_id, seq, ...traceFields(traceparent), err });
        failed.push(notification);
      }
    }
    return failed;
  }

  async function call(step: OrderStep, order: Order, traceparent: string | undefined): Promise<OrderResult> {
    const appId = stepApp[step];
    const path = paths[step](order);
    const headers = traceparent === undefined ? undefined : { traceparent };
    const log = { order_id: order.id, ...traceFields(traceparent), path };
    try {
      const result = await invoke<OrderResult>(dapr, appId, path, order, undefined, headers);
      logger.info(`${appId} answered`, { ...log, success: result.success, message: result.message });
      return result;
    } catch (err) {
      const refused = err instanceof InvocationError && err.status !== undefined && err.status >= 400 && err.status < 500;
      if (!refused) throw err; // unreachable or failing: the workflow tries again later
      logger.warn(`${appId} refused the request`, { ...log, err });
      return { id: order.id, success: false, message: `${appId} refused the request` };
    }
  }

  const step =
    (name: OrderStep) =>
    (_ctx: WorkflowActivityContext, { order, seq, before, traceparent }: StepInput): Promise<StepOutcome> =>
      timed(name, async () => {
        const unpublished = await publishAll(before, traceparent);
        const result = await call(name, order, traceparent);
        if (name === "releaseInventory" || name === "refundPayment") compensations.inc({ step: name });
        const after = numbered(order, seq + before.length, outcomeNotes(name, order, result));
        unpublished.push(...(await publishAll(after, traceparent)));
        return { result, numbered: after.length, unpublished };
      });

  return {
    reserveInventory: step("reserveInventory"),
    releaseInventory: step("releaseInventory"),
    processPayment: step("processPayment"),
    refundPayment: step("refundPayment"),
    shipOrder: step("shipOrder"),
    notify: (_ctx: WorkflowActivityContext, input: NotifyInput | Notification[]) =>
      timed("notify", async () => {
        // A notify that an order scheduled before tracing came has the list alone.
        const { notifications, traceparent } = Array.isArray(input) ? { notifications: input, traceparent: undefined } : input;
        for (const notification of notifications) await publish(notification, traceparent);
      }),
  };
}

/**
 * Runs an activity, timing it by step and outcome: "success" or "failure" as its
 * app answered (a notify that published everything is a success), "error" when it
 * threw (the workflow tries again later).
 */
async function timed<T extends { result: OrderResult } | void>(step: string, work: () => Promise<T>): Promise<T> {
  const done = stepDuration.startTimer({ step });
  try {
    const value = await work();
    done({ outcome: value === undefined || value.result.success ? "success" : "failure" });
    return value;
  } catch (err) {
    done({ outcome: "error" });
    throw err;
  }
}
