// The order workflow: the business process, step by step, as in README. It only
// decides; every side effect is an activity (activities.ts), called by its name.
// No clock, random or I/O here: the workflow is replayed from its history and must
// decide the same way each time. Its settings come with its input (OrderPolicy).
//
// Each step's activity calls its app and publishes the step's own notifications,
// so a small order costs three activities: reserve, pay, ship. The workflow numbers
// the notifications (seq) and passes the next number to each step, and the order's
// trace context (from its input) to each activity, which passes it on.
//
// An outage delays an order, it does not fail it: a step whose app cannot be
// reached is tried again after a durable timer (RetryPolicy), and only a real
// answer (out of stock, declined, shipping refused) or the end of that budget
// makes the order unsuccessful.
//
// Compensation is a stack: each step pushes what undoes it before it runs (reserve
// -> release, pay -> refund), so a step that took effect but whose answer was lost
// is undone too; undo steps do nothing for an order with nothing to undo. A real
// "no" pops the undo again. Every unsuccessful end runs the stack newest first, each
// undo retried like any step. A notification that cannot be published never stops
// the order or its compensation.
import type { Task, WorkflowActivityContext, WorkflowContext } from "@dapr/dapr";
import {
  approvalEvent,
  awaitingApprovalStatus,
  type Approval,
  type Note,
  type Notification,
  type NotifyInput,
  type OrderInput,
  type OrderResult,
  type RetryPolicy,
  type StepInput,
  type StepOutcome,
} from "./model.js";
import { notes, numbered, outcomeNotes, stepApp, type OrderStep } from "./notes.js";

export type Activity<Input, Output> = (ctx: WorkflowActivityContext, input: Input) => Promise<Output>;

export type OrderActivities = Record<OrderStep, Activity<StepInput, StepOutcome>> & {
  /** Publishes notifications that a step could not publish itself, or that no step carries. */
  notify: Activity<NotifyInput, void>;
};

type Steps<T> = AsyncGenerator<Task<any>, T, any>;

/** The wait before try `attempt + 1`, after `attempt` failed tries: doubling, capped. */
export function retryDelaySeconds(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.firstDelaySeconds * 2 ** (attempt - 1), policy.maxDelaySeconds);
}

export async function* orderProcessingWorkflow(ctx: WorkflowContext, { order, policy, traceparent }: OrderInput): Steps<OrderResult> {
  let seq = 1;
  const undo: OrderStep[] = [];

  /** Runs the task until it succeeds, with a durable timer between tries; throws once the budget is spent. */
  async function* retrying<T>(task: () => Task<T>): Steps<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return yield task();
      } catch (err) {
        if (attempt >= policy.retry.maxAttempts) throw err;
        yield ctx.createTimer(retryDelaySeconds(policy.retry, attempt));
      }
    }
  }

  /** Publishes notes (numbered from seq); if they cannot be published within the budget, goes on. */
  async function* say(...list: Note[]): Steps<void> {
    const batch = numbered(order, seq, list);
    seq += batch.length;
    yield* publish(batch);
  }

  async function* publish(batch: Notification[]): Steps<void> {
    try {
      const input: NotifyInput = { notifications: batch, traceparent };
      yield* retrying(() => ctx.callActivity("notify" satisfies keyof OrderActivities, input));
    } catch {
      // The order goes on: the dashboard misses these notifications, the order's status does not.
    }
  }

  /**
   * Calls a step, publishing `before` first and the step's outcome after. An app that
   * stays unreachable through the whole budget counts as an unsuccessful answer.
   */
  async function* step(activity: OrderStep, ...before: Note[]): Steps<OrderResult & { reached: boolean }> {
    const input: StepInput = { order, seq, before: numbered(order, seq, before), traceparent };
    seq += before.length;
    try {
      const outcome: StepOutcome = yield* retrying(() => ctx.callActivity(activity, input));
      seq += outcome.numbered;
      if (outcome.unpublished.length > 0) yield* publish(outcome.unpublished);
      return { ...outcome.result, reached: true };
    } catch {
      const result = { id: order.id, success: false, message: `${stepApp[activity]} could not be reached` };
      yield* say(...outcomeNotes(activity, order, result));
      return { ...result, reached: false };
    }
  }

  /** Undoes what was done, newest first, and ends unsuccessfully with `message`. */
  async function* giveUp(message: string): Steps<OrderResult> {
    for (let next = undo.pop(); next !== undefined; next = undo.pop()) yield* step(next);
    return { id: order.id, success: false, message };
  }

  undo.push("releaseInventory");
  const reservation = yield* step("reserveInventory", notes.placed(order));
  if (!reservation.success) {
    if (reservation.reached) undo.pop(); // a real "no" took nothing
    return yield* giveUp(notes.reserveFailed(reservation.message).message);
  }

  if (order.total >= policy.approvalThreshold) {
    const now = ctx.getCurrentUtcDateTime().getTime();
    const deadline = new Date(now + policy.approvalTimeoutSeconds * 1000);
    // The status goes with this turn's actions, before the notification is published:
    // whoever reads the notification finds the order taking a decision.
    ctx.setCustomStatus(awaitingApprovalStatus);
    yield* say(notes.awaitingApproval(order, policy.approvalThreshold, deadline.toISOString()));
    const approval = ctx.waitForExternalEvent(approvalEvent);
    const first = yield ctx.whenAny([approval, ctx.createTimer(deadline)]);
    ctx.setCustomStatus("");
    const decision = first === approval ? (approval.getResult() as Approval) : undefined; // undefined: the deadline passed
    const said =
      decision === undefined
        ? notes.expired()
        : decision.approved
          ? notes.approved(decision.approver)
          : notes.rejected(decision.approver);
    yield* say(said);
    if (!decision?.approved) return yield* giveUp(said.message);
  }

  undo.push("refundPayment");
  const payment = yield* step("processPayment");
  if (!payment.success) {
    if (payment.reached) undo.pop(); // declined: nothing was charged
    return yield* giveUp(notes.paymentFailed(payment.message).message);
  }

  const shipment = yield* step("shipOrder");
  if (!shipment.success) {
    yield* giveUp(notes.shippingFailed(shipment.message).message);
    throw new Error(shipment.message); // the workflow fails, with the original error
  }
  return { id: order.id, success: true, message: "Order processed" };
}
