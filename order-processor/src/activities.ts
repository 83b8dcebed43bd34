// The workflow's activities: the only places where the order workflow touches the
// world. runSteps runs steps one after another: each calls another app through the
// Dapr sidecar (service invocation) and publishes its own notifications (pub/sub) as
// one message, so a small order needs one activity and three messages in all.
// notify publishes what the order said outside any step.
//
// An activity runs at least once: the workflow may run it again after a crash or a
// lost answer. That is safe: the other apps answer the same way when asked twice for
// one order (service-kit's contracts.ts), and a notification published twice keeps
// its (order_id, seq) identity, so the dashboard keeps it once.
//
// A step's outcome is either an answer (2xx, or a 4xx: a request the app refuses
// for good) or a failure (the app or its sidecar could not be reached, failed, or
// answered something that is not an answer): the run stops there, says so, and the
// workflow tries that step again later. An undo step that did not answer that it is
// done is tried again later too: an undo never gives up.
//
// The order's trace context (W3C traceparent) comes with each activity's input, as
// the workflow got it with its own: the activities send it with their calls and
// publishes, so that Dapr puts every call, and every delivery of a notification, in
// the order's trace. Their log lines carry its trace id.
//
// Each step and each notify is timed, and counts what it did (metrics.ts): an order's
// end and its wait for approval as their notifications are published, the undo steps
// run, and those to be tried again.
import type { WorkflowActivityContext } from "@dapr/dapr";
import { invoke, InvocationError, publishEvent, stepAnswerSchema, traceFields, undoAnswerSchema, type Logger, type Sidecar } from "@dapr-orders/service-kit";
import type { Notification, NotifyInput, Order, OrderStep, RunInput, RunOutcome, StepAnswer, UndoAnswer } from "./model.js";
import { compensations, countPublished, stepDuration, undoRetries } from "./metrics.js";
import { isUndo, outcomeNotes, stepApp } from "./notes.js";
import { emptied, withNotes, type Outbox } from "./outbox.js";

export type Activity<Input, Output> = (ctx: WorkflowActivityContext, input: Input) => Promise<Output>;

/** The activities of the order workflow, by the name it calls them. */
export interface OrderActivities {
  /** Runs steps one after another, until one answers no or is to be tried again. */
  runSteps: Activity<RunInput, RunOutcome>;
  /** Publishes what the outbox holds; throws if it could not (the workflow tries again). */
  notify: Activity<NotifyInput, Outbox>;
}

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
export type Invoker = (appId: string, path: string, order: Order, traceparent: string | undefined) => Promise<unknown>;

/** Invokes through the sidecar, with the traceparent header. */
export function daprInvoker(sidecar: Sidecar): Invoker {
  return (appId, path, order, traceparent) =>
    invoke<unknown>(sidecar, appId, path, order, "POST", traceparent === undefined ? undefined : { traceparent });
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
  cancelShipment: (order) => `api/v1/shipments/${encodeURIComponent(order.id)}/cancel`,
};

/** An app's answer that is not the contract's answer for the step: the step's outcome is unknown. */
export class UnexpectedAnswer extends Error {
  constructor(appId: string, problem: string) {
    super(`${appId} answered something that is not an answer: ${problem}`);
    this.name = "UnexpectedAnswer";
  }
}

export function createActivities(invoker: Invoker, publisher: Publisher, logger: Logger): OrderActivities {
  /** Publishes what the outbox holds as one message; returns the emptied outbox, or throws. */
  async function publish(outbox: Outbox, traceparent: string | undefined): Promise<Outbox> {
    if (outbox.held.length === 0) return outbox;
    await publisher(outbox.held, traceparent);
    outbox.held.forEach(countPublished);
    return emptied(outbox);
  }

  /** Publishes what the outbox holds; if that fails, keeps it held (it goes out with the next message). */
  async function tryPublish(outbox: Outbox, traceparent: string | undefined): Promise<Outbox> {
    try {
      return await publish(outbox, traceparent);
    } catch (err) {
      const { order_id } = outbox.held[0]!;
      logger.warn("notifications not published: they go out with the next message", { order_id, seq: outbox.held.map((n) => n.seq), ...traceFields(traceparent), err });
      return outbox;
    }
  }

  /** The step's answer, checked against its contract; throws when its app could not be reached, failed, or answered nonsense. */
  async function call(step: OrderStep, order: Order, traceparent: string | undefined): Promise<StepAnswer | UndoAnswer> {
    const appId = stepApp[step];
    const path = paths[step](order);
    const log = { order_id: order.id, ...traceFields(traceparent), path };
    let body: unknown;
    try {
      body = await invoker(appId, path, order, traceparent);
    } catch (err) {
      const refused = err instanceof InvocationError && err.status !== undefined && err.status >= 400 && err.status < 500;
      if (!refused) throw err; // unreachable or failing: the workflow tries again later
      logger.warn(`${appId} refused the request`, { ...log, err });
      return { id: order.id, success: false, message: `${appId} refused the request`, ...(isUndo(step) ? { undone: false } : {}) };
    }
    const checked = (isUndo(step) ? undoAnswerSchema : stepAnswerSchema).safeParse(body);
    if (!checked.success) throw new UnexpectedAnswer(appId, checked.error.issues.map((i) => `${i.path.join(".") || "answer"} ${i.message}`).join("; "));
    if (checked.data.id !== order.id) throw new UnexpectedAnswer(appId, `the answer is for order ${checked.data.id}`);
    logger.info(`${appId} answered`, { ...log, success: checked.data.success, message: checked.data.message });
    return checked.data;
  }

  /**
   * Runs the steps in turn until a forward step answers no, or a step is to be tried
   * again. Each step publishes what it says, with what the outbox held, as one message.
   */
  async function runSteps(_ctx: WorkflowActivityContext, { order, steps, outbox: given, traceparent }: RunInput): Promise<RunOutcome> {
    const answers: (StepAnswer | UndoAnswer)[] = [];
    let outbox = given;
    for (const step of steps) {
      let answer: StepAnswer | UndoAnswer;
      try {
        answer = await timed(step, () => call(step, order, traceparent));
      } catch (err) {
        logger.warn(`${stepApp[step]} could not be reached: the workflow tries again later`, { order_id: order.id, ...traceFields(traceparent), step, err });
        if (isUndo(step)) undoRetries.inc({ step });
        return { answers, tryAgain: true, outbox: await tryPublish(outbox, traceparent) };
      }
      if (isUndo(step) && !answer.success) {
        logger.warn(`${stepApp[step]} did not undo: the workflow tries again later`, { order_id: order.id, ...traceFields(traceparent), step, message: answer.message });
        undoRetries.inc({ step });
        return { answers, tryAgain: true, outbox: await tryPublish(outbox, traceparent) };
      }
      if ("undone" in answer && answer.undone) compensations.inc({ step });
      outbox = await tryPublish(withNotes(outbox, order, outcomeNotes(step, order, answer)), traceparent);
      answers.push(answer);
      if (!answer.success) break;
    }
    return { answers, tryAgain: false, outbox };
  }

  return {
    runSteps,
    notify: (_ctx: WorkflowActivityContext, { outbox, traceparent }: NotifyInput) => timed("notify", () => publish(outbox, traceparent)),
  };
}

/**
 * Runs a step or a notify, timing it by step and outcome: "success" or "failure" as
 * its app answered (a notify that published is a success), "error" when it threw
 * (the workflow tries again later).
 */
async function timed<T>(step: string, work: () => Promise<T>): Promise<T> {
  const done = stepDuration.startTimer({ step });
  try {
    const value = await work();
    const answer = value as Partial<StepAnswer>;
    done({ outcome: answer.success === false ? "failure" : "success" });
    return value;
  } catch (err) {
    done({ outcome: "error" });
    throw err;
  }
}
