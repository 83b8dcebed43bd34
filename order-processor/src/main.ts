// order-processor: the HTTP API, and the Dapr Workflow worker that runs the order
// workflow and its activities. Both talk to this app's sidecar over gRPC.
import { DaprWorkflowClient, WorkflowRuntime } from "@dapr/dapr";
import { captureConsole, createApp, createDaprClient, createLogger, serve, workflowOptions } from "@dapr-orders/service-kit";
import { createActivities, daprPublisher } from "./activities.js";
import { orderRoutes } from "./api.js";
import { config } from "./config.js";
import { workflowName } from "./model.js";
import { daprOrderWorkflows } from "./orders.js";
import { superviseWorker } from "./worker.js";
import { orderProcessingWorkflow } from "./workflow.js";

const logger = createLogger("order-processor");
captureConsole(logger); // the SDK's workflow engine logs with console.*
// The sidecar's gRPC port, and its API token when it has one.
const sidecar = workflowOptions(config.dapr, logger);

const runtime = new WorkflowRuntime(sidecar).registerWorkflowWithName(workflowName, orderProcessingWorkflow);
const activities = createActivities(createDaprClient(config.dapr, logger), daprPublisher(config.dapr, config.pubsub), logger);
for (const [name, activity] of Object.entries(activities)) runtime.registerActivityWithName(name, activity);

const workflowClient = new DaprWorkflowClient(sidecar);
const app = createApp({ logger, routes: orderRoutes(daprOrderWorkflows(workflowClient, logger), config.policy, config.intake, config.appToken) });
const supervisor = superviseWorker(runtime, config.dapr, logger);
logger.info("settings", { workflow: workflowName, ...config.policy, ...config.intake });
serve(app, {
  port: config.port,
  host: config.host,
  logger,
  onShutdown: async () => {
    supervisor.stop();
    await runtime.stop();
    await workflowClient.stop();
  },
});
