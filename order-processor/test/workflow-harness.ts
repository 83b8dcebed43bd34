// Drives the order workflow's generator step by step without Dapr, with the real
// activities (activities.ts) on an invoker and a publisher of our own: invocations
// answer from a script, publishes are recorded (or fail, as the script says).
// Timers fire at once; whenAny([approval, deadline]) is settled by the script.
// While the workflow runs (not its activities), the clock and Math.random throw: a
// workflow must not read them (it is replayed from its history).
import type { WorkflowContext } from "@dapr/dapr";
import { memoryLogger } from "@dapr-orders/service-kit/testing";
import { InvocationError } from "@dapr-orders/service-kit";
import { createActivities, type Invoker, type OrderActivities, type Publisher } from "../src/activities.js";
import type { Approval, Notification, Order, OrderInput, OrderPolicy, OrderResult, OrderStep, StepAnswer, UndoAnswer } from "../src/model.js";
import { orderProcessingWorkflow } from "../src/workflow.js";

type Step =
  | { kind: "activity"; name: string; input: unknown }
  | { kind: "timer"; fireAt: Date }
  | { kind: "event"; name: string }
  | { kind: "any"; tasks: FakeTask[] };

class FakeTask {
  result: unknown;
  constructor(readonly step: Step) {}
  getResult() {
    return this.result;
  }
}

export interface Script {
  /**
   * The app's answer to a step (success by default); throw to make the call fail as
   * an unreachable app does. `attempt` counts the step's calls, from 1.
   */
  answer?(step: OrderStep, attempt: number): unknown;
  /** True to make this run of the activity fail before it does anything (as a crash of its worker does); `run` counts its runs, from 1. */
  activityFails?(name: string, run: number): boolean;
  /** Throw to make publishing this notification fail. */
  publish?(notification: Notification): void;
  /** For whenAny([approval, timer]): the approval, or "timeout" when the timer fires first. */
  approval?: Approval | "timeout";
}

export interface Run {
  /** Activities in call order. */
  activities: string[];
  /** The steps whose app was called, in call order (each try). */
  calls: OrderStep[];
  /** What was published, in publish order (repeats included). */
  published: Notification[];
  /** The seqs of each message published, in publish order. */
  messages: number[][];
  /** The traceparent each publish and each call was sent with. */
  publishedTraceparents: (string | undefined)[];
  callTraceparents: (string | undefined)[];
  timers: Date[];
  events: string[];
  customStatus: string[];
  /** Activities and custom statuses, in the order the workflow asked for them. */
  trace: string[];
  result?: OrderResult;
  error?: Error;
}

export const startTime = new Date("2026-01-02T03:04:05.000Z");

export const defaultPolicy: OrderPolicy = {
  approvalThreshold: 1000,
  approvalTimeoutSeconds: 60,
  retry: { maxAttempts: 4, firstDelaySeconds: 1, maxDelaySeconds: 60 },
};

const stepOf = (appId: string, path: string): OrderStep =>
  appId === "inventory"
    ? path.endsWith("/reserve") ? "reserveInventory" : "releaseInventory"
    : appId === "payments"
      ? path.endsWith("/refund") ? "refundPayment" : "processPayment"
      : path.endsWith("/cancel") ? "cancelShipment" : "shipOrder";

/** The step each undo undoes. */
const undoes: Partial<Record<OrderStep, OrderStep>> = { releaseInventory: "reserveInventory", refundPayment: "processPayment", cancelShipment: "shipOrder" };

/**
 * The apps, as they behave: by default a step succeeds, and an undo undoes (once)
 * what its step took for the order, answering `undone: false` when it took nothing.
 */
function scriptedInvoker(script: Script, run: Run): Invoker {
  const attempts = new Map<OrderStep, number>();
  const took = new Set<OrderStep>();
  return async (appId, path, order, traceparent) => {
    const step = stepOf(appId, path);
    run.calls.push(step);
    run.callTraceparents.push(traceparent);
    const attempt = (attempts.get(step) ?? 0) + 1;
    attempts.set(step, attempt);
    const scripted = script.answer?.(step, attempt);
    const undone = undoes[step];
    const answer: StepAnswer | UndoAnswer = (scripted as StepAnswer | undefined) ?? {
      id: order.id,
      success: true,
      message: "ok",
      ...(undone === undefined ? {} : { undone: took.delete(undone) }),
    };
    if (undone === undefined && (answer as Partial<StepAnswer>).success === true) took.add(step);
    return scripted ?? answer;
  };
}

/** An app's refusal, as invoke() reports it: a 4xx answer. */
export const refusal = (status: number, appError: string) =>
  new InvocationError("app/path", status, `app/path answered ${status}: ${appError}`, appError);

/** Records what is published (each message, and each notification with its trace context), or fails as the script says. */
function scriptedPublisher(script: Script, run: Run): Publisher {
  return async (notifications, traceparent) => {
    notifications.forEach((n) => script.publish?.(n)); // a notification that fails fails its message
    run.messages.push(notifications.map((n) => n.seq));
    for (const notification of notifications) {
      run.published.push(notification);
      run.publishedTraceparents.push(traceparent);
    }
  };
}

function fakeContext(instanceId: string, run: Run): WorkflowContext {
  const context = {
    getWorkflowInstanceId: () => instanceId,
    getCurrentUtcDateTime: () => startTime,
    isReplaying: () => false,
    callActivity: (activity: string, input?: unknown) => new FakeTask({ kind: "activity", name: activity, input }),
    createTimer: (fireAt: Date | number) =>
      new FakeTask({ kind: "timer", fireAt: fireAt instanceof Date ? fireAt : new Date(startTime.getTime() + fireAt * 1000) }),
    waitForExternalEvent: (name: string) => new FakeTask({ kind: "event", name }),
    whenAny: (tasks: FakeTask[]) => new FakeTask({ kind: "any", tasks }),
    setCustomStatus: (status: string) => {
      run.customStatus.push(status);
      run.trace.push(`status:${status}`);
    },
  };
  return context as unknown as WorkflowContext;
}

/** The trace context of the orders that the harness runs. */
export const orderTraceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

export async function runWorkflow(order: Order, script: Script = {}, policy: OrderPolicy = defaultPolicy): Promise<Run> {
  const run: Run = {
    activities: [],
    calls: [],
    published: [],
    messages: [],
    publishedTraceparents: [],
    callTraceparents: [],
    timers: [],
    events: [],
    customStatus: [],
    trace: [],
  };
  const activities = createActivities(scriptedInvoker(script, run), scriptedPublisher(script, run), memoryLogger());
  const runs = new Map<string, number>();
  const input: OrderInput = { order, policy, traceparent: orderTraceparent };
  const generator = orderProcessingWorkflow(fakeContext(order.id, run), input);
  let answer: { value?: unknown; error?: unknown } = {};
  for (;;) {
    let next: IteratorResult<unknown, OrderResult>;
    try {
      next = await withoutClock(() => ("error" in answer ? generator.throw(answer.error) : generator.next(answer.value)));
    } catch (err) {
      run.error = err as Error;
      return run;
    }
    if (next.done) {
      run.result = next.value;
      return run;
    }
    answer = await settle(next.value as FakeTask, script, run, activities, runs);
  }
}

async function settle(task: FakeTask, script: Script, run: Run, activities: OrderActivities, runs: Map<string, number>): Promise<{ value?: unknown; error?: unknown }> {
  const { step } = task;
  switch (step.kind) {
    case "activity": {
      run.activities.push(step.name);
      run.trace.push(`activity:${step.name}`);
      const count = (runs.get(step.name) ?? 0) + 1;
      runs.set(step.name, count);
      if (script.activityFails?.(step.name, count)) return { error: new Error(`activity ${step.name} failed (its worker crashed)`) };
      const activity = activities[step.name as keyof OrderActivities] as (ctx: unknown, input: unknown) => Promise<unknown>;
      try {
        // The activity gets its input as JSON, as it would from the sidecar.
        return { value: await activity({}, JSON.parse(JSON.stringify(step.input))) };
      } catch (error) {
        return { error };
      }
    }
    case "timer":
      run.timers.push(step.fireAt);
      return { value: undefined };
    case "any": {
      const event = step.tasks.find((t) => t.step.kind === "event")!;
      const timer = step.tasks.find((t) => t.step.kind === "timer")!;
      if (event.step.kind === "event") run.events.push(event.step.name);
      if (timer.step.kind === "timer") run.timers.push(timer.step.fireAt);
      if (script.approval === undefined) throw new Error("the workflow waits for approval but the script has none");
      if (script.approval === "timeout") return { value: timer };
      event.result = script.approval;
      return { value: event };
    }
    default:
      throw new Error(`the workflow yielded a bare ${step.kind} task; it should wait on it with whenAny`);
  }
}

async function withoutClock<T>(fn: () => Promise<T>): Promise<T> {
  const RealDate = globalThis.Date;
  const { random } = Math;
  const forbidden = (): never => {
    throw new Error("the workflow read the clock or Math.random");
  };
  globalThis.Date = new Proxy(RealDate, {
    construct: (target, args) => (args.length === 0 ? forbidden() : Reflect.construct(target, args)),
    get: (target, prop) => (prop === "now" ? forbidden : Reflect.get(target, prop)),
  });
  Math.random = forbidden;
  try {
    return await fn();
  } finally {
    globalThis.Date = RealDate;
    Math.random = random;
  }
}
