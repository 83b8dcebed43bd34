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
// Each activity is timed, and counts what it did (metrics.ts): an order's end and
// its wait for approval as their notifications are published, the undo steps run.
import type { DaprClient, WorkflowActivityContext } from "@dapr/dapr";
import { invoke, InvocationError, type Logger } from "@dapr-orders/service-kit";
import type { Notification, Order, OrderResult, StepInput, StepOutcome } from "./model.js";
import { compensations, countPublished, stepDuration } from "./metrics.js";
import { numbered, outcomeNotes, stepApp, type OrderStep } from "./notes.js";
import type { OrderActivities } from "./workflow.js";

export interface PubsubTarget {
  name: string;
  topic: string;
}

/** Where each step's request goes, in its app. */
const paths: Record<OrderStep, (order: Order) => string> = {
  reserveInventory: () => "api/v1/inventory/reserve",
  releaseInventory: () => "api/v1/inventory/release",
  processPayment: () => "api/v1/payments",
  refundPayment: (order) => `api/v1/payments/${encodeURIComponent(order.id)}/refund`,
  shipOrder: () => "api/v1/shipments",
};

export function createActivities(dapr: DaprClient, pubsub: PubsubTarget, logger: Logger): OrderActivities {
  async function publish(notification: Notification): Promise<void> {
    const { error } = await dapr.pubsub.publish(pubsub.name, pubsub.topic, notification);
    if (error !== undefined) throw new Error(`publishing to ${pubsub.name}/${pubsub.topic} failed: ${error.message}`);
    countPublished(notification);
  }

  /** Publishes each notification in turn; returns those that could not be published. */
  async function publishAll(list: Notification[]): Promise<Notification[]> {
    const failed: Notification[] = [];
    for (const notification of list) {
      try {
        await publish(notification);
      } catch (err) {
        logger.warn("notification not published: the workflow tries again", { order_id: notification.order_id, seq: notification.seq, err });
        failed.push(notification);
      }
    }
    return failed;
  }

  async function call(step: OrderStep, order: Order): Promise<OrderResult> {
    const appId = stepApp[step];
    const path = paths[step](order);
    try {
      const result = await invoke<OrderResult>(dapr, appId, path, order);
      logger.info(`${appId} answered`, { order_id: order.id, path, success: result.success, message: result.message });
      return result;
    } catch (err) {
      const refused = err instanceof InvocationError && err.status !== undefined && err.status >= 400 && err.status < 500;
      if (!refused) throw err; // unreachable or failing: the workflow tries again later
      logger.warn(`${appId} refused the request`, { order_id: order.id, path, err });
      return { id: order.id, success: false, message: `${appId} refused the request` };
    }
  }

  const step =
    (name: OrderStep) =>
    (_ctx: WorkflowActivityContext, { order, seq, before }: StepInput): Promise<StepOutcome> =>
      timed(name, async () => {
        const unpublished = await publishAll(before);
        const result = await call(name, order);
        if (name === "releaseInventory" || name === "refundPayment") compensations.inc({ step: name });
        const after = numbered(order, seq + before.length, outcomeNotes(name, order, result));
        unpublished.push(...(await publishAll(after)));
        return { result, numbered: after.length, unpublished };
      });

  return {
    reserveInventory: step("reserveInventory"),
    releaseInventory: step("releaseInventory"),
    processPayment: step("processPayment"),
    refundPayment: step("refundPayment"),
    shipOrder: step("shipOrder"),
    notify: (_ctx: WorkflowActivityContext, list: Notification[]) =>
      timed("notify", async () => {
        for (const notification of list) await publish(notification);
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
