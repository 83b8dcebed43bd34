// The order workflow: the business process, step by step, as in README. It only
// decides; every side effect is an activity (activities.ts), called by its name.
// No clock, random or I/O here: the workflow is replayed from its history and must
// decide the same way each time.
//
// Compensation is a stack: each step that succeeded pushes what undoes it (reserve
// -> release, pay -> refund), and every unsuccessful end runs it newest first.
import type { Task, WorkflowActivityContext, WorkflowContext } from "@dapr/dapr";
import type { WorkflowSettings } from "./config.js";
import { approvalEvent, type Approval, type Notification, type Order, type OrderResult } from "./model.js";

export type Activity<Input, Output> = (ctx: WorkflowActivityContext, input: Input) => Promise<Output>;

export interface OrderActivities {
  notify: Activity<Notification, void>;
  reserveInventory: Activity<Order, OrderResult>;
  releaseInventory: Activity<Order, OrderResult>;
  processPayment: Activity<Order, OrderResult>;
  refundPayment: Activity<Order, OrderResult>;
  shipOrder: Activity<Order, OrderResult>;
}

/** The activities that take the order and answer with an OrderResult. */
type OrderStep = Exclude<keyof OrderActivities, "notify">;

type Steps<T> = AsyncGenerator<Task<any>, T, any>;

export function createOrderWorkflow(settings: WorkflowSettings) {
  return async function* orderProcessingWorkflow(ctx: WorkflowContext, order: Order): Steps<OrderResult> {
    const notify = (message: string) =>
      ctx.callActivity("notify" satisfies keyof OrderActivities, { order_id: order.id, message } satisfies Notification);
    const undo: { activity: OrderStep; done: string }[] = [];

    // Calls a step of the order; a step that throws (its service stayed unreachable
    // through the sidecar's retries) counts as an unsuccessful answer.
    async function* step(activity: OrderStep): Steps<OrderResult> {
      try {
        return yield ctx.callActivity(activity, order);
      } catch (err) {
        return { id: order.id, success: false, message: err instanceof Error ? err.message : String(err) };
      }
    }

    async function* giveUp(message: string): Steps<OrderResult> {
      yield notify(message);
      for (let next = undo.pop(); next !== undefined; next = undo.pop()) {
        yield ctx.callActivity(next.activity, order);
        yield notify(next.done);
      }
      return { id: order.id, success: false, message };
    }

    yield notify(`Processing order for ${order.customer}. Item: ${order.item}, Total: ${order.total}`);

    const reservation = yield* step("reserveInventory");
    if (!reservation.success) return yield* giveUp(`Failed to reserve inventory: ${reservation.message}`);
    yield notify(`Reserved inventory: ${order.item}`);
    undo.push({ activity: "releaseInventory", done: `Released inventory: ${order.item}` });

    if (order.total >= settings.approvalThreshold) {
      const now = ctx.getCurrentUtcDateTime().getTime();
      const deadline = new Date(now + settings.approvalTimeoutSeconds * 1000);
      yield notify(
        `Waiting for approval: total ${order.total} is at or above ${settings.approvalThreshold}. ` +
          `Deadline: ${deadline.toISOString()}`,
      );
      const approval = ctx.waitForExternalEvent(approvalEvent);
      const first = yield ctx.whenAny([approval, ctx.createTimer(deadline)]);
      if (first !== approval) return yield* giveUp("Approval deadline expired.");
      const { approver, approved } = approval.getResult() as Approval;
      if (!approved) return yield* giveUp(`Order was rejected by ${approver}.`);
      yield notify(`Order was approved by ${approver}.`);
    }

    const payment = yield* step("processPayment");
    if (!payment.success) return yield* giveUp(`Payment failed: ${payment.message}`);
    yield notify("Payment processed");
    undo.push({ activity: "refundPayment", done: "Payment refunded" });

    const shipment = yield* step("shipOrder");
    if (!shipment.success) {
      yield* giveUp(`Shipping failed: ${shipment.message}`);
      throw new Error(shipment.message); // the workflow fails, with the original error
    }
    yield notify("Order submitted for shipping");
    yield notify(`Order processed for ${order.customer}. Item: ${order.item}, Total: ${order.total}`);
    return { id: order.id, success: true, message: "Order processed" };
  };
}
