// The baseline's order app: the project's order workflow for a small order, with
// nothing of the project's own code around it. One activity (as order-processor's
// runSteps) invokes inventory, payments and shipping in turn and publishes what each
// step says as one list (reserve: [placed, reserved]; pay: [paid]; ship: [shipped,
// completed]) to pubsub/notifications. The apps it calls answer at once (noop.ts).
// It talks to its sidecar as order-processor does: the workflow start (with a start
// time) and the worker over gRPC (the SDK), invocations, publishes and status reads
// over the sidecar's HTTP API (service-kit's Sidecar). The same API as
// order-processor for the bench: POST /orders and GET /orders/:id. No logging, no
// validation, no metrics: what Dapr alone costs for an order.
import { randomUUID } from "node:crypto";
import http from "node:http";
import { DaprWorkflowClient, LogLevel, WorkflowRuntime, type Task, type WorkflowActivityContext, type WorkflowContext } from "@dapr/dapr";
import { daprSettings, jsonOf, Sidecar } from "@dapr-orders/service-kit";
import { pollUntil } from "@dapr-orders/service-kit/poll";

const port = Number(process.env.APP_PORT ?? 3000);
const dapr = daprSettings();
const sidecar = new Sidecar(dapr);
// The SDK's workflow engine reports each work item with console.info: keep only its
// warnings and errors (among them "Work item queue full (100), dropping work item").
console.info = console.log = console.debug = () => {};

interface Order {
  id: string;
  customer: string;
  item: string;
  total: number;
}

/** The steps of a small order: the app each calls, and the notes its message carries. */
const steps = [
  { app: "inventory", path: "api/v1/inventory/reserve", notes: (o: Order) => [`Processing order for ${o.customer}`, `Reserved inventory: ${o.item}`] },
  { app: "payments", path: "api/v1/payments", notes: () => ["Payment processed"] },
  { app: "shipping", path: "api/v1/shipments", notes: (o: Order) => ["Order submitted for shipping", `Order processed for ${o.customer}`] },
];

async function ok(what: string, answer: Promise<{ ok: boolean; status: number; body: string }>): Promise<void> {
  const got = await answer;
  if (!got.ok) throw new Error(`${what} answered ${got.status}: ${got.body}`);
}

async function runSteps(_ctx: WorkflowActivityContext, order: Order): Promise<{ id: string; success: boolean; message: string }> {
  let seq = 1;
  for (const step of steps) {
    await ok(step.app, sidecar.call("POST", `/v1.0/invoke/${step.app}/method/${step.path}`, { body: order }));
    const { customer, item, total } = order;
    const list = step.notes(order).map((message) => ({ order_id: order.id, seq: seq++, type: "step", message, order: { customer, item, total } }));
    await ok("publish", sidecar.call("POST", "/v1.0/publish/pubsub/notifications", { body: list }));
  }
  return { id: order.id, success: true, message: "Order processed" };
}

// The SDK runs a workflow as an async generator whose yields give back what the task produced.
// eslint-disable-next-line @typescript-eslint/require-await
async function* orderWorkflow(ctx: WorkflowContext, order: Order): AsyncGenerator<Task<unknown>, unknown, unknown> {
  return yield ctx.callActivity("runSteps", order);
}

const sdk = { daprHost: dapr.host, daprPort: dapr.grpcPort, daprApiToken: dapr.apiToken, logger: { level: LogLevel.Warn } };
// As many workflow workers as order-processor runs (its WORKFLOW_WORKERS, worker.ts): the SDK's worker runs 10 work items at once.
const runtimes = Array.from({ length: Number(process.env.WORKFLOW_WORKERS ?? 4) }, () =>
  new WorkflowRuntime(sdk).registerWorkflowWithName("orderProcessingWorkflow", orderWorkflow).registerActivityWithName("runSteps", runSteps),
);
const workflows = new DaprWorkflowClient(sdk);
let ready = false;

/** The workflow's state over HTTP; Dapr may answer "transient" while it is written: try again (5 tries, 100 ms apart), as order-processor does. */
async function readState(id: string) {
  for (let attempt = 1; ; attempt++) {
    const answer = await sidecar.call("GET", `/v1.0/workflows/dapr/${id}`);
    if (answer.status === 200 || answer.status === 404) return answer;
    if (attempt >= 5 || !answer.body.includes("transient")) throw new Error(`status read answered ${answer.status}: ${answer.body}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const server = http.createServer((req, res) => {
  const answer = (status: number, body: unknown): void => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  const fail = (err: unknown) => answer(500, { error: String(err) });
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const url = req.url ?? "/";
    if (req.method === "GET" && url === "/healthz") return answer(ready ? 200 : 503, { ready });
    if (req.method === "POST" && url === "/orders") {
      const body = JSON.parse(Buffer.concat(chunks).toString() || "{}") as Omit<Order, "id">;
      const order: Order = { id: randomUUID(), customer: body.customer, item: body.item, total: body.total };
      workflows.scheduleNewWorkflow("orderProcessingWorkflow", order, order.id, new Date()).then(() => answer(202, { instance_id: order.id }), fail);
      return;
    }
    const match = /^\/orders\/([\w-]+)$/.exec(url);
    if (req.method === "GET" && match !== null) {
      readState(match[1]!).then((got) => {
        if (got.status === 404) return answer(404, { error: "no such order" });
        const state = jsonOf<{ instanceID: string; runtimeStatus: string; properties?: Record<string, string> }>(got);
        const output = state.properties?.["dapr.workflow.output"];
        answer(200, { id: state.instanceID, status: state.runtimeStatus, ...(output ? { order_result: JSON.parse(output) as unknown } : {}) });
      }, fail);
      return;
    }
    answer(404, { error: `no route for ${req.method} ${url}` });
  });
});

/** Polls `check` until it is true; exits the app at the deadline. */
function until(what: string, check: () => Promise<boolean>): Promise<void> {
  return pollUntil(what, check).catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}

/** Once listening: waits for the sidecar, then starts the workflow workers and waits until the sidecar has them. */
async function startWorkers(): Promise<void> {
  // The sidecar waits for this port; the workflow workers wait for the sidecar.
  await until("the sidecar answers", async () => (await sidecar.call("GET", "/v1.0/healthz")).status === 204);
  await Promise.all(runtimes.map((runtime) => runtime.start()));
  await until("the sidecar has our workflow workers", async () => {
    const metadata = jsonOf<{ workflows?: { connectedWorkers?: number } }>(await sidecar.call("GET", "/v1.0/metadata"));
    return (metadata.workflows?.connectedWorkers ?? 0) >= runtimes.length;
  });
  ready = true;
  process.stdout.write(`baseline orders app on :${port}\n`);
}

server.listen(port, () => void startWorkers());
process.on("SIGTERM", () => process.exit(0)); // nothing to finish: the workflow state is the sidecar's
