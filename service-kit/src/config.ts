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

function optional(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}
