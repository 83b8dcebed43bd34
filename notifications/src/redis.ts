// Redis clients that ride out Redis being away: they start connecting at once and
// reconnect by themselves, waiting longer after each failed try (up to
// maxReconnectDelayMs). The app keeps running meanwhile; a lost connection is
// logged once, with a reminder every `reportEvery` failed tries, and its return once.
// A connection whose peer went silent without closing it (a network partition, the pod
// back at another address, Redis restarted elsewhere meanwhile) is dropped and made
// again: the client PINGs when idle, and a connection that receives and sends nothing
// for `silentPeerMs` is closed; its pending commands fail, they do not wait for ever.
import { createClient } from "redis";
import type { Logger } from "@dapr-orders/service-kit";

export interface RedisOptions {
  /** What the client is for, in its log lines. */
  name: string;
  /** REDIS_PASSWORD: sent with AUTH when the connection opens; none when empty or undefined. */
  password?: string | undefined;
  /** A Redis ACL user to log in as (with `password`); the default user when unset or empty. */
  username?: string | undefined;
  /**
   * Fail commands at once while disconnected instead of queueing them until the
   * connection is back (for requests that someone waits for).
   */
  failFast?: boolean;
  maxReconnectDelayMs?: number;
  reportEvery?: number;
  /**
   * How long a connection may stay silent (nothing sent or received; idle ones are
   * PINGed at a third of it) before it is dropped and made again. 0: never, for a
   * subscriber connection, which cannot PING; the kernel's keepalive finds its dead
   * peer instead, as nothing is ever outstanding on it.
   */
  silentPeerMs?: number;
}

export function connectRedis(hostPort: string, logger: Logger, options: RedisOptions) {
  const { name, password, username, failFast = false, maxReconnectDelayMs = 5000, reportEvery = 20, silentPeerMs = 15_000 } = options;
  const log = logger.child({ redis: hostPort, client: name });
  const client = createClient({
    url: `redis://${hostPort}`,
    ...(password === undefined || password === "" ? {} : { password }),
    ...(username === undefined || username === "" ? {} : { username }),
    disableOfflineQueue: failFast,
    ...(silentPeerMs > 0 ? { pingInterval: Math.round(silentPeerMs / 3) } : {}),
    socket: {
      connectTimeout: 5000,
      ...(silentPeerMs > 0 ? { socketTimeout: silentPeerMs } : {}),
      reconnectStrategy: (retries) => Math.min(100 * 2 ** Math.min(retries, 10), maxReconnectDelayMs),
    },
  });

  let failures = 0;
  client.on("error", (err: Error) => {
    failures += 1;
    if (failures === 1) log.warn("Redis unavailable, reconnecting", { err });
    else if (failures % reportEvery === 0) log.warn("Redis still unavailable, reconnecting", { err, attempts: failures });
  });
  client.on("ready", () => {
    if (failures > 0) log.info("Redis connection is back", { attempts: failures });
    else log.info("connected to Redis");
    failures = 0;
  });
  // Commands sent before the connection is up wait for it (or fail, with failFast).
  client.connect().catch((err: unknown) => log.error("Redis client stopped", { err }));
  return client;
}

export type RedisClient = ReturnType<typeof connectRedis>;

/** Closes the clients: connected ones after their pending commands, the others at once. */
export async function closeRedis(...clients: RedisClient[]): Promise<void> {
  await Promise.all(
    clients.map(async (client) => {
      if (client.isReady) await client.close();
      else if (client.isOpen) client.destroy();
    }),
  );
}
