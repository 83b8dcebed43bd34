// order-processor: the HTTP API, and the Dapr Workflow worker that runs the order
// workflow and its activities. The worker and the start of a workflow talk to this
// app's sidecar over gRPC (the SDK), everything else over its HTTP API (Sidecar).
import { DaprWorkflowClient, WorkflowRuntime } from "@dapr/dapr";
import { captureConsole, createApp, createLogger, daprStateStore, serve, Sidecar, workflowOptions } from "@dapr-orders/service-kit";
import { createActivities, daprInvoker, daprPublisher } from "./activities.js";
import { orderRoutes } from "./api.js";
import { config, outcomes as outcomeSettings } from "./config.js";
import { workflowName } from "./model.js";
import { daprOrderWorkflows } from "./orders.js";
import { OrderOutcomes, withOutcomes } from "./outcomes.js";
import { superviseWorkers } from "./worker.js";
import { orderProcessingWorkflow } from "./workflow.js";

const logger = createLogger("order-processor");
captureConsole(logger); // the SDK's workflow engine logs with console.*
// The sidecar's gRPC port, and its API token when it has one.
const grpc = workflowOptions(config.dapr, logger);
const sidecar = new Sidecar(config.dapr);
const outcomes = new OrderOutcomes(daprStateStore(sidecar, outcomeSettings.stateStore), outcomeSettings.ttlSeconds);
const activities = createActivities(daprInvoker(sidecar), daprPublisher(sidecar, config.pubsub), logger, outcomes);
// Several workers, so that as many activities run at once as the sidecar hands out (worker.ts).
const runtimes = Array.from({ length: config.workflowWorkers }, () => {
  const runtime = new WorkflowRuntime(grpc).registerWorkflowWithName(workflowName, orderProcessingWorkflow);
  for (const [name, activity] of Object.entries(activities)) runtime.registerActivityWithName(name, activity);
  return runtime;
});

const workflowClient = new DaprWorkflowClient(grpc);
const app = createApp({ logger, routes: orderRoutes(withOutcomes(daprOrderWorkflows(workflowClient, sidecar, logger), outcomes), config.policy, config.intake, config.appToken) });
const supervisor = superviseWorkers(runtimes, config.dapr, logger);
logger.info("settings", { workflow: workflowName, workflow_workers: config.workflowWorkers, ...config.policy, ...config.intake, record_ttl_seconds: outcomeSettings.ttlSeconds });
serve(app, {
  port: config.port,
  host: config.host,
  logger,
  onShutdown: async () => {
    supervisor.stop();
    await Promise.all(runtimes.map((runtime) => runtime.stop()));
    await workflowClient.stop();
    sidecar.close();
  },
});
