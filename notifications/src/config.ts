// notifications' settings, from the environment (defaults in docs/configuration.md), each
// parsed and range-checked: a value that does not fit stops the app at start.
import { appSettings, env, readSettings } from "@dapr-orders/service-kit";
import { seenTtlSeconds } from "./seen-ttl.js";
import { minTokenLength } from "./operator.js";

const common = appSettings(3001);

const s = readSettings({
  REDIS_HOST: env.string("localhost:6379"),
  REDIS_PASSWORD: env.string(""),
  REDIS_USERNAME: env.string(""),
  HISTORY_LENGTH: env.number(1000, { min: 1, max: 1_000_000, int: true }),
  DEAD_LETTERS_KEPT: env.number(100, { min: 1, max: 1_000_000, int: true }),
  OPERATOR_TOKEN: env.optional().refine((t) => t === undefined || t.length >= minTokenLength, `must be at least ${minTokenLength} characters (e.g. openssl rand -hex 32)`),
  OPERATOR_NAME: env.string("operator").refine((n) => n.trim() !== "" && n.length <= 100, "must be 1 to 100 characters"),
  DASHBOARD_URL: env.string(`http://localhost:${common.port}`),
  SESSION_TTL_SECONDS: env.number(12 * 60 * 60, { min: 60, int: true }),
  SECURE_COOKIE: env.flag(false),
  LOGIN_FAILURE_LIMIT: env.number(10, { min: 0, int: true }),
  LOGIN_FAILURE_WINDOW_SECONDS: env.number(15 * 60, { min: 1, int: true }),
  CONNECTION_LIMIT: env.number(60, { min: 0, int: true }),
  CONNECTION_WINDOW_SECONDS: env.number(60, { min: 1, int: true }),
  OPEN_CONNECTION_LIMIT: env.number(20, { min: 0, int: true }),
  DASHBOARD_ORDER_RATE_LIMIT: env.number(30, { min: 0, int: true }),
  DASHBOARD_ORDER_RATE_WINDOW_SECONDS: env.number(60, { min: 1, int: true }),
  ZIPKIN_UI_URL: env.string(""),
});

// How long notifications remembers the notifications it kept (checked against the workflow's waits).
export { seenTtlSeconds } from "./seen-ttl.js";

export const config = {
  /**
   * PORT, HOST (every interface when unset; 127.0.0.1 without an app token), the sidecar
   * and its API token (DAPR_API_TOKEN), APP_API_TOKEN (what the sidecar sends: the
   * subscription routes take requests from the sidecar only), ALLOWED_HOSTS (also
   * checked on the Socket.IO handshake) and TRUSTED_PROXY_HOPS (the client address
   * that the limits below count by).
   */
  ...common,
  /** host:port of the Redis that keeps the event history and links several instances (the sidecars' REDIS_HOST). */
  redisHost: s.REDIS_HOST,
  /** REDIS_PASSWORD: that Redis's password (the components read the same variable); empty for none. */
  redisPassword: s.REDIS_PASSWORD,
  /** REDIS_USERNAME: the Redis ACL user notifications logs in as (its keys: dashboard:*); empty: the default user. */
  redisUsername: s.REDIS_USERNAME,
  /** How many recent events the history keeps, and sends to a page that (re)connects. */
  historyLength: s.HISTORY_LENGTH,
  /** How long notifications remembers which notifications of an order it has kept (seenTtlSeconds above). */
  seenTtlSeconds: seenTtlSeconds(),
  /** How many dead letters (notifications Dapr could not deliver) the Redis list keeps. */
  deadLettersKept: s.DEAD_LETTERS_KEPT,
  /**
   * OPERATOR_TOKEN: what the operator signs in with, at least 24 characters; unset: a
   * random one, new at each start, printed in a login URL. Changing it ends every
   * session opened with the old one.
   */
  operatorToken: s.OPERATOR_TOKEN,
  /** OPERATOR_NAME: who approves when an API client sends the operator token itself (Authorization: Bearer). */
  operatorName: s.OPERATOR_NAME.trim(),
  /** DASHBOARD_URL: where people open the dashboard, for the printed login URL. */
  dashboardUrl: s.DASHBOARD_URL,
  /** How long an operator's session lasts, in seconds. */
  sessionTtlSeconds: s.SESSION_TTL_SECONDS,
  /** SECURE_COOKIE=true: the session cookie is Secure, named __Host-operator_session (the dashboard served over HTTPS). */
  secureCookie: s.SECURE_COOKIE,
  /** Wrong operator tokens a client address may send per window, before it is refused (429) for the rest of it; 0: no limit. */
  loginFailures: { points: s.LOGIN_FAILURE_LIMIT, durationSeconds: s.LOGIN_FAILURE_WINDOW_SECONDS },
  /** Socket.IO connections (each reads the history) a client address may open per window; 0: no limit. */
  connections: { points: s.CONNECTION_LIMIT, durationSeconds: s.CONNECTION_WINDOW_SECONDS },
  /** Socket.IO connections a client address may hold open at once, per instance; 0: no limit. */
  openConnections: s.OPEN_CONNECTION_LIMIT,
  /** Orders a client address may place through the dashboard (POST /api/orders) per window; 0: no limit. */
  orders: { points: s.DASHBOARD_ORDER_RATE_LIMIT, durationSeconds: s.DASHBOARD_ORDER_RATE_WINDOW_SECONDS },
  /**
   * ZIPKIN_UI_URL: the address of the Zipkin UI as the people watching reach it, e.g.
   * http://localhost:9411 (compose and npm start set it); each order's card then links
   * to its trace there. Empty (the default): tracing is off, and the cards have no link.
   */
  zipkinUiUrl: s.ZIPKIN_UI_URL.replace(/\/+$/, ""),
  /** The apps that the dashboard's actions go to, by Dapr app id. */
  apps: { orders: "order-processor", inventory: "inventory" },
};
