// Drives the order workflow's generator step by step without Dapr: each task it
// yields is answered from a script (activity results, which of approval or timer
// comes first), and every call is recorded. While the workflow runs, the clock and
// Math.random throw: a workflow must not read them (it is replayed from history).
import type { WorkflowContext } from "@dapr/dapr";
import type { Approval, Notification, Order, OrderResult } from "../src/model.js";

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
  /** The answer of an activity; throw to make the activity fail. */
  activity(name: string, input: any): unknown;
  /** For whenAny([approval, timer]): the approval, or "timeout" when the timer fires first. */
  approval?: Approval | "timeout";
}

export interface Run {
  /** Activities in call order, notifications included. */
  calls: { name: string; input: any }[];
  notifications: string[];
  timers: Date[];
  events: string[];
  result?: OrderResult;
  error?: Error;
}

export const startTime = new Date("2026-01-02T03:04:05.000Z");

function fakeContext(instanceId: string): WorkflowContext {
  const context = {
    getWorkflowInstanceId: () => instanceId,
    getCurrentUtcDateTime: () => startTime,
    isReplaying: () => false,
    callActivity: (activity: string, input?: unknown) => new FakeTask({ kind: "activity", name: activity, input }),
    createTimer: (fireAt: Date) => new FakeTask({ kind: "timer", fireAt }),
    waitForExternalEvent: (name: string) => new FakeTask({ kind: "event", name }),
    whenAny: (tasks: FakeTask[]) => new FakeTask({ kind: "any", tasks }),
  };
  return context as unknown as WorkflowContext;
}

type Workflow = (ctx: WorkflowContext, order: Order) => AsyncGenerator<unknown, OrderResult, any>;

export async function runWorkflow(workflow: Workflow, order: Order, script: Script): Promise<Run> {
  const run: Run = { calls: [], notifications: [], timers: [], events: [] };
  const generator = workflow(fakeContext(order.id), order);
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
    answer = settle(next.value as FakeTask, script, run);
  }
}

function settle(task: FakeTask, script: Script, run: Run): { value?: unknown; error?: unknown } {
  const { step } = task;
  switch (step.kind) {
    case "activity":
      run.calls.push({ name: step.name, input: step.input });
      if (step.name === "notify") run.notifications.push((step.input as Notification).message);
      try {
        return { value: script.activity(step.name, step.input) };
      } catch (error) {
        return { error };
      }
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
