// Reading configuration from environment variables, with defaults. Each service
// gathers all of its settings in its own src/config.ts through these.

export function envString(name: string, fallback: string, env = process.env): string {
  const value = env[name];
  return value === undefined || value === "" ? fallback : value;
}

export function envNumber(name: string, fallback: number, env = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
  return value;
}

export function envList(name: string, fallback: string[], env = process.env): string[] {
  const raw = env[name];
  if (raw === undefined) return fallback;
  return raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** The app's HTTP port: PORT, else APP_PORT (which the Dapr CLI sets), else `fallback`. */
export function appPort(fallback: number, env = process.env): number {
  return envNumber("PORT", envNumber("APP_PORT", fallback, env), env);
}

/**
 * The address the app listens on: HOST (e.g. 127.0.0.1 to take requests from this
 * machine only), else undefined: every interface, IPv4 and IPv6, as a container needs.
 */
export function appHost(env = process.env): string | undefined {
  return optional("HOST", env);
}

/** Where this app's Dapr sidecar listens (the same variables daprd and the Dapr CLI set), and its API token. */
export interface DaprSettings {
  host: string;
  httpPort: string;
  grpcPort: string;
  /** DAPR_API_TOKEN: the sidecar's API token, which the app's Dapr clients send; unset when the sidecar needs none. */
  apiToken?: string;
}

export function daprSettings(env = process.env): DaprSettings {
  const apiToken = optional("DAPR_API_TOKEN", env);
  return {
    host: envString("DAPR_HOST", "127.0.0.1", env),
    httpPort: envString("DAPR_HTTP_PORT", "3500", env),
    grpcPort: envString("DAPR_GRPC_PORT", "50001", env),
    ...(apiToken === undefined ? {} : { apiToken }),
  };
}

/**
 * APP_API_TOKEN: the token the app's sidecar sends with every call it makes to the
 * app (header `dapr-api-token`); routes that only the sidecar may call require it
 * (appTokenRequired). Unset: those routes are open.
 */
export function appApiToken(env = process.env): string | undefined {
  return optional("APP_API_TOKEN", env);
}

/** 30 days: RECORD_TTL_SECONDS's default. */
export const defaultRecordTtlSeconds = 30 * 24 * 60 * 60;

/**
 * RECORD_TTL_SECONDS: how long an order's records live after their last write
 * (payments' and shipping's records, inventory's reservations, order-processor's
 * outcome), in whole seconds; 30 days by default.
 *
 * Why "after the last write" is safe: a record is written by every call that changes
 * it, and each such write starts its time to live again. While its order can still be
 * retried, the order's calls to one app are never further apart than the wait for
 * approval (APPROVAL_TIMEOUT_SECONDS, 24 h by default) plus a step's retry budget (a
 * few minutes), and an undo is tried again at most a minute apart until it is done.
 * So a record outlives every retry of its order as long as this time to live is longer
 * than the approval wait and its retries (order-processor checks that at start, with
 * the same variable) and no outage of its app lasts longer than the rest: about 29 days
 * with the defaults. Starting the time to live at the order's end instead would take
 * one more call to each app per order; the outage it would cover is one that the
 * order's "compensating" status and the undo retry metric show for weeks first.
 * Records must not outlive the order's outcome (order-processor's record, same time to
 * live, written last): once the outcome is gone, an Idempotency-Key that comes back
 * starts a new order with the same id, which must find no old records.
 */
export function recordTtlSeconds(env = process.env): number {
  const value = envNumber("RECORD_TTL_SECONDS", defaultRecordTtlSeconds, env);
  if (!Number.isInteger(value) || value < 1) throw new Error(`RECORD_TTL_SECONDS must be a whole number of seconds, at least 1, got "${env.RECORD_TTL_SECONDS}"`);
  return value;
}

function optional(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}
