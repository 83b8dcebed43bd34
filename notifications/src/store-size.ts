// How big the Redis that holds the system's state is: its used memory, its memory
// limit (maxmemory; 0 when it has none) and its keys. notifications already talks to
// that Redis (its history, sessions and limits live there), so it reports it: as
// gauges on GET /metrics and on the dashboard (GET /api/store). With finished
// orders purged and their records expiring, these level off under a steady load;
// a used memory that nears the limit means writes are about to be refused (the
// limit's policy is noeviction: Redis never drops a key an order still needs).
import { gauge } from "@dapr-orders/service-kit";
import type { RedisClient } from "./redis.js";

export interface StoreSize {
  used_memory_bytes: number;
  /** 0: no limit. */
  max_memory_bytes: number;
  keys: number;
}

/** used_memory and maxmemory from the text of INFO memory; throws if either is missing. */
export function memoryOf(info: string): Pick<StoreSize, "used_memory_bytes" | "max_memory_bytes"> {
  const field = (name: string) => {
    const match = new RegExp(`^${name}:(\\d+)\\r?$`, "m").exec(info);
    if (match === null) throw new Error(`Redis's INFO memory has no ${name}`);
    return Number(match[1]);
  };
  return { used_memory_bytes: field("used_memory"), max_memory_bytes: field("maxmemory") };
}

/** Reads the store's size (INFO memory and DBSIZE); throws when Redis does not answer. */
export function redisStoreSize(client: Pick<RedisClient, "info" | "dbSize">): () => Promise<StoreSize> {
  return async () => {
    const [info, keys] = await Promise.all([client.info("memory"), client.dbSize()]);
    return { ...memoryOf(String(info)), keys: Number(keys) };
  };
}

/** The gauges of GET /metrics, read at each scrape (one read for the three). */
export function storeSizeGauges(read: () => Promise<StoreSize>): void {
  let pending: Promise<StoreSize> | undefined;
  const once = () => (pending ??= read().finally(() => setImmediate(() => (pending = undefined))));
  gauge("orders_redis_used_memory_bytes", "Memory that Redis (the state stores, pub/sub and the dashboard's history) uses", async (g) =>
    g.set((await once()).used_memory_bytes),
  );
  gauge("orders_redis_max_memory_bytes", "Redis's memory limit (maxmemory, noeviction); 0 when it has none", async (g) =>
    g.set((await once()).max_memory_bytes),
  );
  gauge("orders_redis_keys", "Keys in Redis's database", async (g) => g.set((await once()).keys));
}
