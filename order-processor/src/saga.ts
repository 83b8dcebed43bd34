// How the order workflow runs its steps, undoes them and publishes its notifications:
// what workflow.ts calls so that it reads as the business process. One OrderSaga per
// run of the workflow, driven by it (each method is a generator the workflow
// delegates to with yield*). Deterministic: it decides from its input and from what
// the activities answered, never from a clock, random or I/O.
//
// - Steps run through activity "runSteps", several in one activity when nothing
//   waits between them. Each step's undo is registered before the step runs: a step
//   may take effect even if its answer is lost. The undos of steps never tried (after
//   a "no") are dropped; an undo has nothing to do for an order it did not touch.
// - A step whose app cannot be reached is tried again (with the steps after it) after
//   a durable timer, doubling up to a cap; after policy.retry.maxAttempts tries it
//   counts as a "no": "<app> could not be reached".
// - Undo steps, newest first, are tried until each is done: no attempt limit. The
//   order's custom status says "compensating" meanwhile.
// - Notifications go through the order's outbox (outbox.ts): what the order says
//   outside a step goes out with the next activity; publish() sends what is held now,
//   trying until it is published, as before the wait for approval and at the end.
import type { Task, WorkflowContext } from "@dapr/dapr";
import type { OrderActivities } from "./activities.js";
import { compensatingStatus, type ForwardStep, type Note, type NotifyInput, type OrderInput, type OrderResult, type OrderStep, type RetryPolicy, type RunInput, type RunOutcome, type StepAnswer, type UndoStep } from "./model.js";
import { outcomeNotes, stepApp, undoOf } from "./notes.js";
import { emptyOutbox, withNotes, type Outbox } from "./outbox.js";

export type Steps<T> = AsyncGenerator<Task<any>, T, any>;

/** The step that said no (or could not be reached), and its answer. */
export interface Failure {
  step: ForwardStep;
  answer: StepAnswer;
}

/** The wait before try `attempt + 1`, after `attempt` failed tries: doubling, capped. */
export function retryDelaySeconds(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.firstDelaySeconds * 2 ** (attempt - 1), policy.maxDelaySeconds);
}

const activity = (name: keyof OrderActivities) => name;

export class OrderSaga {
  private outbox: Outbox = emptyOutbox;
  /** The undos of the steps tried, the newest last. */
  private readonly undos: UndoStep[] = [];

  constructor(
    private readonly ctx: WorkflowContext,
    private readonly input: OrderInput,
  ) {}

  /** Says the notes: they go out with the next activity. */
  say(...notes: Note[]): void {
    this.outbox = withNotes(this.outbox, this.input.order, notes);
  }

  /** Publishes what the order said, trying until it is published. */
  async *publish(): Steps<void> {
    for (let attempt = 1; this.outbox.held.length > 0; attempt++) {
      try {
        const input: NotifyInput = { outbox: this.outbox, traceparent: this.input.traceparent };
        this.outbox = yield this.ctx.callActivity(activity("notify"), input);
      } catch {
        yield this.ctx.createTimer(retryDelaySeconds(this.input.policy.retry, attempt));
      }
    }
  }

  /**
   * Runs the steps one after another, each with its undo registered first; returns
   * the first that said no (or could not be reached within the retry budget), or
   * undefined when every one was done.
   */
  async *run(steps: ForwardStep[]): Steps<Failure | undefined> {
    const { order, policy } = this.input;
    this.undos.push(...steps.map((step) => undoOf[step]));
    let left = steps;
    for (let failures = 0; ; ) {
      const outcome = yield* this.runSteps(left);
      const answers = outcome?.answers ?? [];
      const failed = answers.findIndex((a) => !a.success);
      if (failed >= 0) {
        this.forget(left.length - failed - 1); // the steps after a "no" never ran
        return { step: left[failed]!, answer: answers[failed]! };
      }
      if (outcome !== undefined && !outcome.tryAgain) return undefined;

      left = left.slice(answers.length);
      failures = answers.length > 0 ? 1 : failures + 1; // a step that answered starts the budget again
      if (failures >= policy.retry.maxAttempts) {
        const step = left[0]!;
        const answer = { id: order.id, success: false, message: `${stepApp[step]} could not be reached` };
        this.say(...outcomeNotes(step, order, answer));
        this.forget(left.length - 1); // it may have taken effect; those after it never ran
        return { step, answer };
      }
      yield this.ctx.createTimer(retryDelaySeconds(policy.retry, failures));
    }
  }

  /** Undoes every step tried, newest first, each tried until it is done; then ends the order unsuccessfully with `message`. */
  async *giveUp(message: string): Steps<OrderResult> {
    this.ctx.setCustomStatus(compensatingStatus);
    let left: OrderStep[] = this.undos.splice(0).reverse();
    for (let attempt = 1; left.length > 0; attempt++) {
      const outcome = yield* this.runSteps(left);
      left = outcome !== undefined && !outcome.tryAgain ? [] : left.slice(outcome?.answers.length ?? 0);
      if (outcome !== undefined && outcome.answers.length > 0) attempt = 1; // an undo done: the next one starts with a short wait
      if (left.length > 0) yield this.ctx.createTimer(retryDelaySeconds(this.input.policy.retry, attempt));
    }
    this.ctx.setCustomStatus("");
    return yield* this.end({ id: this.input.order.id, success: false, message });
  }

  /** Ends the order with `result`, once everything it said is published. */
  async *end(result: OrderResult): Steps<OrderResult> {
    yield* this.publish();
    return result;
  }

  /** One run of activity runSteps; undefined when the activity itself failed (its steps are tried again, the outbox kept). */
  private async *runSteps(steps: OrderStep[]): Steps<RunOutcome | undefined> {
    const input: RunInput = { order: this.input.order, steps, outbox: this.outbox, traceparent: this.input.traceparent };
    try {
      const outcome: RunOutcome = yield this.ctx.callActivity(activity("runSteps"), input);
      this.outbox = outcome.outbox;
      return outcome;
    } catch {
      return undefined;
    }
  }

  /** Drops the undos of the last `count` steps registered: they never ran. */
  private forget(count: number): void {
    this.undos.splice(this.undos.length - count, count);
  }
}
