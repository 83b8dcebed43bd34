// order-processor's settings, from the environment (defaults in docs/configuration.md),
// each parsed and range-checked: a value that does not fit stops the app at start.
import { appSettings, env, maxOrderTotal, readSettings, recordTtlSeconds, workflowWaits } from "@dapr-orders/service-kit";
import type { OrderPolicy } from "./model.js";
import { workersFor } from "./worker.js";

const s = readSettings({
  APPROVAL_THRESHOLD: env.number(1000, { min: 0, max: maxOrderTotal }),
  APPROVAL_TIMEOUT_SECONDS: env.number(24 * 60 * 60, { min: 1, int: true }),
  STEP_RETRY_ATTEMPTS: env.number(10, { min: 1, max: 1000, int: true }),
  STEP_RETRY_FIRST_DELAY_SECONDS: env.number(1, { min: 0 }),
  STEP_RETRY_MAX_DELAY_SECONDS: env.number(60, { min: 0 }),
  MAX_STARTS_IN_FLIGHT: env.number(1000, { min: 1, int: true }),
  START_TIMEOUT_MS: env.number(5000, { min: 1, int: true }),
  TRACE_SAMPLING_RATE: env.number(1, { min: 0, max: 1 }),
  ORDER_RATE_LIMIT: env.number(60, { min: 0, int: true }),
  ORDER_RATE_WINDOW_SECONDS: env.number(60, { min: 1, int: true }),
  MAX_AWAITING_APPROVAL: env.number(100, { min: 1, int: true }),
  WORKFLOW_WORKERS: env.number(workersFor(40), { min: 1, int: true }),
});

// APPROVAL_TIMEOUT_SECONDS and STEP_RETRY_MAX_DELAY_SECONDS: read in service-kit, where
// notifications reads them too (its memory of notifications must outlast these waits).
// Checked above; the same values.
const waits = workflowWaits();

export const config = {
  /**
   * PORT, HOST (every interface when unset; 127.0.0.1 without an app token), the sidecar
   * and its API token (DAPR_API_TOKEN), APP_API_TOKEN (what the sidecar sends: approvals
   * take requests from the sidecar only), ALLOWED_HOSTS and TRUSTED_PROXY_HOPS.
   */
  ...appSettings(3000),
  /** What each new order's workflow decides by: it is copied into the order's input when the order is placed. */
  policy: {
    approvalThreshold: s.APPROVAL_THRESHOLD,
    approvalTimeoutSeconds: waits.approvalTimeoutSeconds,
    // 1, 2, 4 ... 60, 60 s between tries: about 4 minutes of outage before a forward step
    // (reserve, pay, ship) gives up. Undo steps and notifications use the same delays
    // and never give up.
    retry: {
      maxAttempts: s.STEP_RETRY_ATTEMPTS,
      firstDelaySeconds: s.STEP_RETRY_FIRST_DELAY_SECONDS,
      maxDelaySeconds: waits.maxRetryDelaySeconds,
    },
  } satisfies OrderPolicy,
  intake: {
    /** Orders being started at once; past this, POST /orders answers 503 with Retry-After. */
    maxStartsInFlight: s.MAX_STARTS_IN_FLIGHT,
    /** How long POST /orders waits for the sidecar to start the workflow before a 503. */
    startTimeoutMs: s.START_TIMEOUT_MS,
    /**
     * TRACE_SAMPLING_RATE (0 to 1): how many of the orders that arrive without a trace
     * context (straight on this port, not through a sidecar) start a sampled trace.
     * Keep it equal to the sidecars' Configuration (spec.tracing.samplingRate, 1 in
     * this repository), which decides for the rest.
     */
    traceSamplingRate: s.TRACE_SAMPLING_RATE,
    /**
     * ORDER_RATE_LIMIT orders per client address in ORDER_RATE_WINDOW_SECONDS (60 in 60 s);
     * past it, POST /orders answers 429 with Retry-After. 0: no limit (load tests).
     * Orders that come through the sidecar (the dashboard's) are not counted here:
     * notifications counts them per client of its own.
     */
    rateLimit: { points: s.ORDER_RATE_LIMIT, windowSeconds: s.ORDER_RATE_WINDOW_SECONDS },
    /**
     * MAX_AWAITING_APPROVAL: orders at or above the approval threshold that this
     * instance lets wait for approval at once (each holds a unit of stock while it
     * waits); past it, such an order is answered 503 with Retry-After.
     */
    maxAwaitingApproval: s.MAX_AWAITING_APPROVAL,
  },
  pubsub: { name: "pubsub", topic: "notifications" },
  /**
   * WORKFLOW_WORKERS: workflow workers, each with its own stream of work items from the
   * sidecar and 10 at once (worker.ts). By default enough for 40 at once: the sidecar's
   * maxConcurrentActivityInvocations in dapr-components/local-config.yaml.
   */
  workflowWorkers: s.WORKFLOW_WORKERS,
};

/**
 * The longest an order waits between two calls to one app while everything answers:
 * the wait for approval, plus a forward step's tries and the timers between them.
 */
export function longestCallGapSeconds({ approvalTimeoutSeconds, retry }: OrderPolicy): number {
  let retries = 0;
  for (let attempt = 1; attempt < retry.maxAttempts; attempt++) retries += Math.min(retry.firstDelaySeconds * 2 ** (attempt - 1), retry.maxDelaySeconds);
  return approvalTimeoutSeconds + retries;
}

/**
 * RECORD_TTL_SECONDS (the same in every app) must outlive an order's longest wait, or
 * a record could expire while its order can still be retried (service-kit's config.ts).
 */
export function checkedRecordTtl(ttlSeconds: number, policy: OrderPolicy): number {
  const wait = longestCallGapSeconds(policy);
  if (ttlSeconds <= wait) {
    throw new Error(`RECORD_TTL_SECONDS (${ttlSeconds}) must be longer than an order's longest wait: APPROVAL_TIMEOUT_SECONDS and a step's retries, ${wait} s`);
  }
  return ttlSeconds;
}

/** Each order's outcome record (outcomes.ts), kept after its workflow's state is purged. */
export const outcomes = {
  stateStore: "records-state",
  /** RECORD_TTL_SECONDS: how long an outcome lives after the order's end (30 days by default). */
  ttlSeconds: checkedRecordTtl(recordTtlSeconds(), config.policy),
};
