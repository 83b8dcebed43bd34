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

/** Where this app's Dapr sidecar listens (the same variables daprd and the Dapr CLI set). */
export interface DaprSettings {
  host: string;
  httpPort: string;
  grpcPort: string;
}

export function daprSettings(env = process.env): DaprSettings {
  return {
    host: envString("DAPR_HOST", "127.0.0.1", env),
    httpPort: envString("DAPR_HTTP_PORT", "3500", env),
    grpcPort: envString("DAPR_GRPC_PORT", "50001", env),
  };
}
