// SEEN_TTL_SECONDS, apart from config.ts (which reads every setting when loaded) so that
// it can be tested on its own.
import { envNumber, longestWaitSeconds, workflowWaits } from "@dapr-orders/service-kit";

/**
 * SEEN_TTL_SECONDS: how long notifications remembers which notifications of an order
 * it has kept (to ignore repeats), counted from the order's latest one. It must
 * outlast anything that can still publish one of them again: the order workflow's
 * longest wait (APPROVAL_TIMEOUT_SECONDS, then a retry's delay,
 * STEP_RETRY_MAX_DELAY_SECONDS: give notifications the same values as
 * order-processor). Default: that wait and one day more, for outages and restarts
 * during which an activity is run again. Shorter than the wait: refused at start.
 */
export function seenTtlSeconds(env = process.env): number {
  const longest = longestWaitSeconds(workflowWaits(env));
  const ttl = envNumber("SEEN_TTL_SECONDS", longest + 24 * 60 * 60, env);
  if (ttl < longest) {
    throw new Error(
      `SEEN_TTL_SECONDS (${ttl}) must be at least the order workflow's longest wait, APPROVAL_TIMEOUT_SECONDS + STEP_RETRY_MAX_DELAY_SECONDS (${longest}): ` +
        "a notification published again after it would be shown twice",
    );
  }
  return ttl;
}
