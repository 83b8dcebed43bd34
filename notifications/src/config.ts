// notifications' settings, from the environment (defaults in docs/configuration.md).
import { appApiToken, appHost, appPort, daprSettings, envNumber, envString, longestWaitSeconds, workflowWaits } from "@dapr-orders/service-kit";

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

export const config = {
  port: appPort(3001),
  /** HOST: the address to listen on; every interface when unset. */
  host: appHost(),
  /** Where the sidecar listens, and its API token (DAPR_API_TOKEN) that the Dapr client sends. */
  dapr: daprSettings(),
  /** APP_API_TOKEN: what the sidecar sends with its calls; when set, the subscription routes take requests from the sidecar only. */
  appToken: appApiToken(),
  /** host:port of the Redis that keeps the event history and links several instances (the sidecars' REDIS_HOST). */
  redisHost: envString("REDIS_HOST", "localhost:6379"),
  /** REDIS_PASSWORD: that Redis's password (the components read the same variable); empty for none. */
  redisPassword: envString("REDIS_PASSWORD", ""),
  /** How many recent events the history keeps, and sends to a page that (re)connects. */
  historyLength: envNumber("HISTORY_LENGTH", 1000),
  /** How long notifications remembers which notifications of an order it has kept (seenTtlSeconds above). */
  seenTtlSeconds: seenTtlSeconds(),
  /** How many dead letters (notifications Dapr could not deliver) the Redis list keeps. */
  deadLettersKept: envNumber("DEAD_LETTERS_KEPT", 100),
  /** OPERATOR_TOKEN: what the operator signs in with; unset: a random one, new at each start, printed in a login URL. */
  operatorToken: envString("OPERATOR_TOKEN", "") || undefined,
  /** OPERATOR_NAME: who approves when an API client sends the operator token itself (Authorization: Bearer). */
  operatorName: envString("OPERATOR_NAME", "operator"),
  /** DASHBOARD_URL: where people open the dashboard, for the printed login URL. */
  dashboardUrl: envString("DASHBOARD_URL", `http://localhost:${appPort(3001)}`),
  /** How long an operator's session lasts, in seconds. */
  sessionTtlSeconds: envNumber("SESSION_TTL_SECONDS", 12 * 60 * 60),
  /** Wrong operator tokens a client address may send per window, before it is refused (429) for the rest of it. */
  loginFailures: { points: envNumber("LOGIN_FAILURE_LIMIT", 10), durationSeconds: envNumber("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60) },
  /** Socket.IO connections (each reads the history) a client address may open per window. */
  connections: { points: envNumber("CONNECTION_LIMIT", 60), durationSeconds: envNumber("CONNECTION_WINDOW_SECONDS", 60) },
  /**
   * ZIPKIN_UI_URL: the address of the Zipkin UI as the people watching reach it, e.g.
   * http://localhost:9411 (compose and npm start set it); each order's card then links
   * to its trace there. Empty (the default): tracing is off, and the cards have no link.
   */
  zipkinUiUrl: envString("ZIPKIN_UI_URL", "").replace(/\/+$/, ""),
  /** The apps that the dashboard's actions go to, by Dapr app id. */
  apps: { orders: "order-processor", inventory: "inventory" },
};
