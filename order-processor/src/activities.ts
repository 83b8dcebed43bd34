// The workflow's activities: the only places where the order workflow touches the
// world. Each calls another app through the Dapr sidecar (service invocation), or
// publishes a notification (pub/sub). The other apps answer the same way when asked
// twice for one order, so the at-least-once activities of Dapr Workflow are safe.
import type { DaprClient, WorkflowActivityContext } from "@dapr/dapr";
import { invoke, type Logger } from "@dapr-orders/service-kit";
import type { Notification, Order, OrderResult } from "./model.js";
import type { OrderActivities } from "./workflow.js";

export interface PubsubTarget {
  name: string;
  topic: string;
}

export function createActivities(dapr: DaprClient, pubsub: PubsubTarget, logger: Logger): OrderActivities {
  const call = (appId: string, path: (order: Order) => string) => async (_ctx: WorkflowActivityContext, order: Order) => {
    const target = path(order);
    const result = await invoke<OrderResult>(dapr, appId, target, order);
    logger.info(`${appId} answered`, { order_id: order.id, path: target, success: result.success, message: result.message });
    return result;
  };

  return {
    async notify(_ctx: WorkflowActivityContext, notification: Notification) {
      const { error } = await dapr.pubsub.publish(pubsub.name, pubsub.topic, notification);
      if (error !== undefined) throw new Error(`publishing to ${pubsub.name}/${pubsub.topic} failed: ${error.message}`);
      logger.info("notified", { order_id: notification.order_id, message: notification.message });
    },
    reserveInventory: call("inventory", () => "api/v1/inventory/reserve"),
    releaseInventory: call("inventory", () => "api/v1/inventory/release"),
    processPayment: call("payments", () => "api/v1/payments"),
    refundPayment: call("payments", (order) => `api/v1/payments/${order.id}/refund`),
    shipOrder: call("shipping", () => "api/v1/shipments"),
  };
}
