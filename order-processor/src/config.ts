// order-processor's settings, from the environment (defaults in brackets in README).
import { appPort, daprSettings, envNumber } from "@dapr-orders/service-kit";

export const config = {
  port: appPort(3000),
  dapr: daprSettings(),
  workflow: {
    /** Orders with a total at or above this wait for a person's approval. */
    approvalThreshold: envNumber("APPROVAL_THRESHOLD", 1000),
    /** How long an order waits for approval before it is given up. */
    approvalTimeoutSeconds: envNumber("APPROVAL_TIMEOUT_SECONDS", 24 * 60 * 60),
  },
  pubsub: { name: "pubsub", topic: "notifications" },
};

export type WorkflowSettings = typeof config.workflow;
