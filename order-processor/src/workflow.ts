// The order workflow: the business process, step by step, as in docs/workflow.md. It only
// decides; every side effect is an activity (activities.ts), called by its name.
// No clock, random or I/O here: the workflow is replayed from its history and must
// decide the same way each time. Its settings come with its input (OrderPolicy).
//
// Each step calls its app and publishes the step's own notifications. Steps with no
// decision between them run in one activity (runSteps), which stops at the first
// "no": so an order under the approval threshold costs one activity in all (reserve,
// pay, ship), and one at or above it two (reserve; then pay, ship once approved). The
// workflow numbers the notifications (seq) and passes the next number to each
// activity, and the order's trace context (from its input), which it passes on.
//
// An outage delays an order, it does not fail it: a step whose app cannot be
// reached is tried again (with the steps after it) after a durable timer
// (RetryPolicy), and only a real answer (out of stock, declined, shipping refused)
// or the end of that budget makes the order unsuccessful.
//
// Compensation is a stack: each step that took something (reserve -> release,
// pay -> refund) pushes what undoes it once it answered yes, or once it could not
// be reached (it may have taken effect, its answer lost); undo steps do nothing for
// an order with nothing to undo. Every unsuccessful end runs the stack newest first,
// each undo retried like any step. A notification that cannot be published never
// stops the order or its compensation.
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
  type RunInput,
  type RunOutcome,
} from "./model.js";
import { notes, numbered, outcomeNotes, stepApp, undoOf, type OrderStep } from "./notes.js";

export type Activity<Input, Output> = (ctx: WorkflowActivityContext, input: Input) => Promise<Output>;

export interface OrderActivities {
  /** Runs steps one after another, until one answers no or cannot be reached. */
  runSteps: Activity<RunInput, RunOutcome>;
  /** Publishes notifications that a step could not publish itself, or that no step carries. */
  notify: Activity<NotifyInput, void>;
}

/** A step's answer; `reached` is false when its app could not be reached within the retry budget. */
type StepResult = OrderResult & { step: OrderStep; reached: boolean };

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
   * Runs `steps` one after another in one activity, publishing `before` first, and
   * stops at the first that answers no. A step whose app cannot be reached is tried
   * again (with the steps after it) after a durable timer; once its budget is spent,
   * it counts as an unsuccessful answer. Returns the answer of each step that ran.
   */
  async function* run(steps: OrderStep[], ...before: Note[]): Steps<StepResult[]> {
    const results: StepResult[] = [];
    let input: RunInput = { order, steps, seq, before: numbered(order, seq, before), traceparent };
    seq += before.length;
    let failures = 0; // tries that did not reach the first step left
    for (;;) {
      let outcome: RunOutcome;
      try {
        outcome = yield ctx.callActivity("runSteps" satisfies keyof OrderActivities, input);
      } catch {
        outcome = { answered: [], numbered: 0, unpublished: [], unreached: true }; // the activity itself failed: try it all again
      }
      seq += outcome.numbered;
      if (outcome.unpublished.length > 0) yield* publish(outcome.unpublished);
      outcome.answered.forEach((answer, i) => results.push(answered(input.steps[i]!, answer, true)));
      if (!outcome.unreached) return results;

      const left = input.steps.slice(outcome.answered.length);
      failures = outcome.answered.length > 0 ? 1 : failures + 1; // a step that answered starts the budget again
      if (failures >= policy.retry.maxAttempts) {
        const result = { id: order.id, success: false, message: `${stepApp[left[0]!]} could not be reached` };
        yield* say(...outcomeNotes(left[0]!, order, result));
        return [...results, answered(left[0]!, result, false)];
      }
      yield ctx.createTimer(retryDelaySeconds(policy.retry, failures));
      input = { ...input, steps: left, seq, before: [] };
    }
  }

  /** A step's answer; a step that took something, or may have, pushes its undo. */
  function answered(step: OrderStep, result: OrderResult, reached: boolean): StepResult {
    const undoStep = undoOf[step];
    if (undoStep !== undefined && (result.success || !reached)) undo.push(undoStep);
    return { ...result, step, reached };
  }

  /** Undoes what was done, newest first, and ends unsuccessfully with `message`. */
  async function* giveUp(message: string): Steps<OrderResult> {
    for (let next = undo.pop(); next !== undefined; next = undo.pop()) yield* run([next]);
    return { id: order.id, success: false, message };
  }

  // Below the approval threshold nothing waits between the steps: one activity runs them all.
  const needsApproval = order.total >= policy.approvalThreshold;
  const afterReserve: OrderStep[] = ["processPayment", "shipOrder"];
  let results = yield* run(["reserveInventory", ...(needsApproval ? [] : afterReserve)], notes.placed(order));

  if (needsApproval && results[0]!.success) {
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
    results = yield* run(afterReserve);
  }

  const failed = results.find((r) => !r.success);
  if (failed === undefined) return { id: order.id, success: true, message: "Order processed" };
  // The order ends with what the failed step's notification said ("Payment failed: ...").
  const ending = yield* giveUp(outcomeNotes(failed.step, order, failed)[0]!.message);
  if (failed.step === "shipOrder") throw new Error(failed.message); // the workflow fails, with the original error
  return ending;
}
