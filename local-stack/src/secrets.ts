// The secrets of a run of the stack: each app's Dapr API token (its sidecar requires
// it, the app's Dapr clients send it) and app API token (the sidecar sends it to its
// app, the app's sidecar-only routes require it), and the password of the stack's
// Redis. Each comes from the environment when set there, else it is random, new at
// every start: nothing is written to disk, and nothing is the same from one run to the next.
import { randomBytes } from "node:crypto";

export interface AppSecrets {
  /** DAPR_API_TOKEN of the app's sidecar and of the app. */
  daprApiToken: string;
  /** APP_API_TOKEN of the app's sidecar and of the app. */
  appApiToken: string;
}

export interface StackSecrets {
  /**
   * REDIS_PASSWORD: the stack's own Redis requires it; the components and notifications
   * send it. Empty for a Redis of one's own (REDIS_HOST) without one.
   */
  redisPassword: string;
  /** By app id. */
  apps: Record<string, AppSecrets>;
}

/**
 * The variable that sets one of an app's tokens, e.g. ("order-processor", "APP_API_TOKEN")
 * -> ORDER_PROCESSOR_APP_API_TOKEN (docker-compose.yml reads the same names from .env).
 */
export function tokenVariable(appId: string, token: "DAPR_API_TOKEN" | "APP_API_TOKEN"): string {
  return `${appId.toUpperCase().replaceAll("-", "_")}_${token}`;
}

/** A random token: 32 bytes as 64 hex digits. */
export const randomToken = () => randomBytes(32).toString("hex");

/**
 * The run's secrets: those set in `env`, the others random; but the password of a
 * Redis the stack does not start itself (`ownRedis` false) is REDIS_PASSWORD or none.
 */
export function stackSecrets(appIds: string[], env: NodeJS.ProcessEnv, ownRedis: boolean, random = randomToken): StackSecrets {
  const given = (name: string) => (env[name] === undefined || env[name] === "" ? undefined : env[name]);
  const apps: Record<string, AppSecrets> = {};
  for (const appId of appIds) {
    apps[appId] = {
      daprApiToken: given(tokenVariable(appId, "DAPR_API_TOKEN")) ?? random(),
      appApiToken: given(tokenVariable(appId, "APP_API_TOKEN")) ?? random(),
    };
  }
  return { redisPassword: given("REDIS_PASSWORD") ?? (ownRedis ? random() : ""), apps };
}
