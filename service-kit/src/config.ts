// Reading configuration from environment variables, with defaults. Each service
// gathers all of its settings in its own src/config.ts: a zod schema of its
// variables (readSettings, with the field helpers of `env`), and the settings every
// app shares (appSettings: port, address, sidecar, app token, allowed hosts, proxy).
// A value that does not fit stops the app at start, naming the variable.
import { isIP } from "node:net";
import { z } from "zod";

/** Field helpers for readSettings: each takes its default (used when the variable is unset or empty). */
export const env = {
  /** A number within [min, max]; `int` for whole numbers only. */
  number: (fallback: number, { min = -Infinity, max = Infinity, int = false } = {}) => {
    let schema = z.coerce.number<string>({ error: "must be a number" }).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
    if (int) schema = schema.int("must be a whole number");
    return schema.default(fallback);
  },
  string: (fallback: string) => z.string().default(fallback),
  /** A comma-separated list (spaces around the commas ignored). */
  list: (fallback: string[]) =>
    z
      .string()
      .transform((raw) => raw.split(",").map((s) => s.trim()).filter((s) => s !== ""))
      .default(fallback),
  /** true/false (also 1/0, yes/no, on/off). */
  flag: (fallback: boolean) => z.stringbool({ error: "must be true or false" }).default(fallback),
  /** Unset or empty: undefined. */
  optional: () => z.string().optional(),
};

/**
 * The variables named by `shape`'s keys, parsed by its schemas (an empty variable
 * counts as unset); throws an Error naming the first variable that does not fit.
 */
export function readSettings<S extends z.ZodRawShape>(shape: S, source: NodeJS.ProcessEnv = process.env): z.output<z.ZodObject<S>> {
  const values = Object.fromEntries(Object.keys(shape).map((name) => [name, source[name] === "" ? undefined : source[name]]));
  const result = z.object(shape).safeParse(values);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0]);
  throw new Error(`${name} ${issue.message}, got "${source[name]}"`);
}

export function envString(name: string, fallback: string, source = process.env): string {
  const value = source[name];
  return value === undefined || value === "" ? fallback : value;
}

export function envNumber(name: string, fallback: number, source = process.env): number {
  return readSettings({ [name]: env.number(fallback) }, source)[name] as number;
}

export function envList(name: string, fallback: string[], source = process.env): string[] {
  const raw = source[name];
  if (raw === undefined) return fallback;
  return raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** The app's HTTP port: PORT, else APP_PORT (which the Dapr CLI sets), else `fallback`. */
export function appPort(fallback: number, source = process.env): number {
  const { PORT, APP_PORT } = readSettings({ PORT: port(), APP_PORT: port() }, source);
  return PORT ?? APP_PORT ?? fallback;
}

const port = () => z.coerce.number<string>().int("must be a whole number").min(1, "must be a port (1 to 65535)").max(65535, "must be a port (1 to 65535)").optional();

/**
 * INSECURE_NO_APP_TOKEN=true: run without APP_API_TOKEN, the sidecar-only routes open
 * to whoever reaches the port; the app then listens on a loopback address only.
 */
export const insecureVariable = "INSECURE_NO_APP_TOKEN";

/**
 * APP_API_TOKEN: the token the app's sidecar sends with every call it makes to the
 * app (header `dapr-api-token`); routes that only the sidecar may call require it
 * (appTokenRequired). Required: without it the app refuses to start, unless
 * INSECURE_NO_APP_TOKEN=true says to run with those routes open (undefined then).
 */
export function appApiToken(source = process.env): string | undefined {
  const { APP_API_TOKEN, [insecureVariable]: insecure } = readSettings({ APP_API_TOKEN: env.optional(), [insecureVariable]: env.flag(false) }, source);
  if (APP_API_TOKEN !== undefined) return APP_API_TOKEN;
  if (insecure) return undefined;
  throw new Error(
    "APP_API_TOKEN is not set: set it to the token this app's Dapr sidecar sends (the sidecar's APP_API_TOKEN), " +
      `or set ${insecureVariable}=true to run without one, with the sidecar-only routes open, on 127.0.0.1 only`,
  );
}

/**
 * The address the app listens on: HOST (e.g. 127.0.0.1 to take requests from this
 * machine only), else undefined: every interface, IPv4 and IPv6, as a container needs.
 * Without an app token (INSECURE_NO_APP_TOKEN) it must be a loopback address, 127.0.0.1 by default.
 */
export function appHost(source = process.env): string | undefined {
  const host = source.HOST === "" ? undefined : source.HOST;
  if (appApiToken(source) !== undefined) return host;
  if (host === undefined) return "127.0.0.1";
  if (!isLoopback(host)) throw new Error(`HOST must be a loopback address (127.0.0.1, ::1) without APP_API_TOKEN (${insecureVariable}), got "${host}"`);
  return host;
}

export const isLoopback = (host: string) => host === "localhost" || host === "::1" || (isIP(host) === 4 && host.startsWith("127."));

/** Where this app's Dapr sidecar listens (the same variables daprd and the Dapr CLI set), and its API token. */
export interface DaprSettings {
  host: string;
  httpPort: string;
  grpcPort: string;
  /** DAPR_API_TOKEN: the sidecar's API token, which the app's Dapr clients send; unset when the sidecar needs none. */
  apiToken?: string;
}

export function daprSettings(source = process.env): DaprSettings {
  const s = readSettings(
    { DAPR_HOST: env.string("127.0.0.1"), DAPR_HTTP_PORT: port(), DAPR_GRPC_PORT: port(), DAPR_API_TOKEN: env.optional() },
    source,
  );
  return {
    host: s.DAPR_HOST,
    httpPort: String(s.DAPR_HTTP_PORT ?? 3500),
    grpcPort: String(s.DAPR_GRPC_PORT ?? 50001),
    ...(s.DAPR_API_TOKEN === undefined ? {} : { apiToken: s.DAPR_API_TOKEN }),
  };
}

/**
 * The host names a request may name in its Host header besides IP addresses (which
 * a DNS rebinding attack cannot use): localhost, and the names compose and the
 * chart give the apps. ALLOWED_HOSTS replaces the list; "*" allows any name.
 */
export const defaultAllowedHosts = [
  "localhost",
  ...["order-processor", "notifications", "inventory", "payments", "shipping"].flatMap((app) => [app, `${app}-net`]),
];

/** What the Koa app factory (createApp) needs of the environment. */
export interface WebSettings {
  /** ALLOWED_HOSTS: host names (without port) a request's Host header may name; IP addresses always may. */
  allowedHosts: string[];
  /**
   * TRUSTED_PROXY_HOPS: how many proxies in front of the app append to X-Forwarded-For
   * (0, the default: none, the client is the socket's peer). With 1, the client is the
   * header's last address, which the one proxy wrote; what comes before it is the
   * client's own say and is ignored.
   */
  trustedProxyHops: number;
}

export function webSettings(source = process.env): WebSettings {
  const s = readSettings({ ALLOWED_HOSTS: env.list(defaultAllowedHosts), TRUSTED_PROXY_HOPS: env.number(0, { min: 0, max: 10, int: true }) }, source);
  return { allowedHosts: s.ALLOWED_HOSTS.map((h) => h.toLowerCase()), trustedProxyHops: s.TRUSTED_PROXY_HOPS };
}

/** The settings every app has: where it listens, its sidecar, its app token, and what createApp needs. */
export interface AppSettings {
  port: number;
  host: string | undefined;
  dapr: DaprSettings;
  appToken: string | undefined;
  web: WebSettings;
}

export function appSettings(defaultPort: number, source = process.env): AppSettings {
  return {
    port: appPort(defaultPort, source),
    host: appHost(source),
    dapr: daprSettings(source),
    appToken: appApiToken(source),
    web: webSettings(source),
  };
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
export function recordTtlSeconds(source = process.env): number {
  return readSettings({ RECORD_TTL_SECONDS: env.number(defaultRecordTtlSeconds, { min: 1, int: true }) }, source).RECORD_TTL_SECONDS;
}
