// The baseline's order app: the order workflow's shape before issue 8 (eight
// activities for a small order: notify, reserve, notify, pay, notify, ship, notify,
// notify), each activity making the same Dapr call as then (a publish to
// pubsub/notifications, or a service invocation), to an app that does nothing
// (noop.ts). The same API as order-processor for the bench: POST /orders and
// GET /orders/:id. No logging per request, no validation: the cost of Dapr alone.
import { randomUUID } from "node:crypto";
import http from "node:http";
import {
  CommunicationProtocolEnum,
  DaprClient,
  DaprWorkflowClient,
  HttpMethod,
  LogLevel,
  WorkflowRuntime,
  WorkflowRuntimeStatus,
  type Task,
  type WorkflowActivityContext,
  type WorkflowContext,
} from "@dapr/dapr";
import { pollUntil } from "@dapr-orders/service-kit/poll";

const port = Number(process.env.APP_PORT ?? 3000);
const daprHost = "127.0.0.1";
const daprHttpPort = process.env.DAPR_HTTP_PORT ?? "3500";
const daprGrpcPort = process.env.DAPR_GRPC_PORT ?? "50001";
const noopApp = process.env.NOOP_APP_ID ?? "bench-noop";
// The sidecar's API token (local-stack gives every sidecar one, as to the real apps).
const daprApiToken = process.env.DAPR_API_TOKEN || undefined;
const sdkLogger = { level: LogLevel.Warn };
// The SDK's workflow engine reports each work item with console.info (about 45 lines
// an order): as order-processor does, keep only its warnings and errors (among them
// "Work item queue full (100), dropping work item").
console.info = console.log = console.debug = () => {};

interface Order {
  id: string;
  customer: string;
  item: string;
  total: number;
}
interface Result {
  id: string;
  success: boolean;
  message: string;
}

const dapr = new DaprClient({
  daprHost,
  daprPort: daprHttpPort,
  communicationProtocol: CommunicationProtocolEnum.HTTP,
  daprApiToken,
  logger: sdkLogger,
});
const invoke = (path: string) => async (_ctx: WorkflowActivityContext, order: Order) =>
  (await dapr.invoker.invoke(noopApp, path, HttpMethod.POST, order)) as Result;
const activities = {
  async notify(_ctx: WorkflowActivityContext, notification: { order_id: string; message: string }) {
    const { error } = await dapr.pubsub.publish("pubsub", "notifications", notification);
    if (error !== undefined) throw error;
  },
  reserveInventory: invoke("api/v1/inventory/reserve"),
  processPayment: invoke("api/v1/payments"),
  shipOrder: invoke("api/v1/shipments"),
};

// The SDK runs a workflow as an async generator whose yields give back what the task produced (any).
// eslint-disable-next-line @typescript-eslint/require-await, @typescript-eslint/no-explicit-any
async function* orderWorkflow(ctx: WorkflowContext, order: Order): AsyncGenerator<Task<any>, Result, any> {
  const notify = (message: string) => ctx.callActivity("notify", { order_id: order.id, message });
  yield notify(`Processing order for ${order.customer}. Item: ${order.item}, Total: ${order.total}`);
  const reservation = (yield ctx.callActivity("reserveInventory", order)) as Result;
  if (!reservation.success) return reservation;
  yield notify(`Reserved inventory: ${order.item}`);
  const payment = (yield ctx.callActivity("processPayment", order)) as Result;
  if (!payment.success) return payment;
  yield notify("Payment processed");
  const shipment = (yield ctx.callActivity("shipOrder", order)) as Result;
  if (!shipment.success) return shipment;
  yield notify("Order submitted for shipping");
  yield notify(`Order processed for ${order.customer}. Item: ${order.item}, Total: ${order.total}`);
  return { id: order.id, success: true, message: "Order processed" };
}

const sidecar = { daprHost, daprPort: daprGrpcPort, daprApiToken, logger: sdkLogger };
const runtime = new WorkflowRuntime(sidecar).registerWorkflowWithName("orderProcessingWorkflow", orderWorkflow);
for (const [name, activity] of Object.entries(activities)) runtime.registerActivityWithName(name, activity);
const workflows = new DaprWorkflowClient(sidecar);
let ready = false;

/**
 * The workflow's state. Dapr may answer a read with a "transient store read failure"
 * while the workflow is being written: try again, as order-processor does (5 tries, 100 ms apart).
 */
async function readState(id: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await workflows.getWorkflowState(id, true);
    } catch (err) {
      if (attempt >= 5 || !String(err).includes("transient")) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const server = http.createServer((req, res) => {
  const answer = (status: number, body: unknown) => {
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
      workflows.scheduleNewWorkflow("orderProcessingWorkflow", order, order.id).then(() => answer(202, { instance_id: order.id }), fail);
      return;
    }
    const match = /^\/orders\/([\w-]+)$/.exec(url);
    if (req.method === "GET" && match !== null) {
      readState(match[1]!).then((state) => {
        if (state === undefined) return answer(404, { error: "no such order" });
        answer(200, {
          id: state.instanceId,
          status: WorkflowRuntimeStatus[state.runtimeStatus],
          ...(state.serializedOutput ? { order_result: JSON.parse(state.serializedOutput) as unknown } : {}),
        });
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

const sidecarUrl = `http://${daprHost}:${daprHttpPort}/v1.0`;
/** Once listening: waits for the sidecar, then starts the workflow worker and waits until the sidecar has it. */
async function startWorker(): Promise<void> {
  // The sidecar waits for this port; the workflow worker waits for the sidecar.
  await until("the sidecar answers", async () => (await fetch(`${sidecarUrl}/healthz`)).status === 204);
  await runtime.start();
  await until("the sidecar has our workflow worker", async () => {
    const answer = await fetch(`${sidecarUrl}/metadata`, { headers: daprApiToken === undefined ? {} : { "dapr-api-token": daprApiToken } });
    const metadata = (await answer.json()) as { workflows?: { connectedWorkers?: number } };
    return (metadata.workflows?.connectedWorkers ?? 0) > 0;
  });
  ready = true;
  process.stdout.write(`baseline orders app on :${port}, invoking ${noopApp}\n`);
}

server.listen(port, () => void startWorker());
process.on("SIGTERM", () => process.exit(0)); // nothing to finish: the workflow state is the sidecar's
