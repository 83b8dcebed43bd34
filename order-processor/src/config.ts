// order-processor's settings, from the environment (defaults in docs/configuration.md).
import { appApiToken, appHost, appPort, daprSettings, envNumber, workflowWaits } from "@dapr-orders/service-kit";
import type { OrderPolicy } from "./model.js";
import { workersFor } from "./worker.js";

function wholeAtLeastOne(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, got ${value}`);
  return value;
}

// APPROVAL_TIMEOUT_SECONDS and STEP_RETRY_MAX_DELAY_SECONDS: read in service-kit, where
// notifications reads them too (its memory of notifications must outlast these waits).
const waits = workflowWaits();

export const config = {
  port: appPort(3000),
  /** HOST: the address to listen on; every interface when unset. */
  host: appHost(),
  /** Where the sidecar listens, and its API token (DAPR_API_TOKEN) that every Dapr client here sends. */
  dapr: daprSettings(),
  /** APP_API_TOKEN: what the sidecar sends with its calls; when set, approvals take requests from the sidecar only. */
  appToken: appApiToken(),
  /** What each new order's workflow decides by: it is copied into the order's input when the order is placed. */
  policy: {
    approvalThreshold: envNumber("APPROVAL_THRESHOLD", 1000),
    approvalTimeoutSeconds: waits.approvalTimeoutSeconds,
    // 1, 2, 4 ... 60, 60 s between tries: about 4 minutes of outage before a forward step
    // (reserve, pay, ship) gives up. Undo steps and notifications use the same delays
    // and never give up.
    retry: {
      maxAttempts: envNumber("STEP_RETRY_ATTEMPTS", 10),
      firstDelaySeconds: envNumber("STEP_RETRY_FIRST_DELAY_SECONDS", 1),
      maxDelaySeconds: waits.maxRetryDelaySeconds,
    },
  } satisfies OrderPolicy,
  intake: {
    /** Orders being started at once; past this, POST /orders answers 503 with Retry-After. */
    maxStartsInFlight: envNumber("MAX_STARTS_IN_FLIGHT", 1000),
    /** How long POST /orders waits for the sidecar to start the workflow before a 503. */
    startTimeoutMs: envNumber("START_TIMEOUT_MS", 5000),
    /**
     * TRACE_SAMPLING_RATE (0 to 1): how many of the orders that arrive without a trace
     * context (straight on this port, not through a sidecar) start a sampled trace.
     * Keep it equal to the sidecars' Configuration (spec.tracing.samplingRate, 1 in
     * this repository), which decides for the rest.
     */
    traceSamplingRate: envNumber("TRACE_SAMPLING_RATE", 1),
  },
  pubsub: { name: "pubsub", topic: "notifications" },
  /**
   * WORKFLOW_WORKERS: workflow workers, each with its own stream of work items from the
   * sidecar and 10 at once (worker.ts). By default enough for 40 at once: the sidecar's
   * maxConcurrentActivityInvocations in dapr-components/local-config.yaml.
   */
  workflowWorkers: wholeAtLeastOne("WORKFLOW_WORKERS", envNumber("WORKFLOW_WORKERS", workersFor(40))),
};
