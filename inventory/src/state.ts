// The StateStore of stock.ts on top of the Dapr state API (store "inventory-state").
import { StateConcurrencyEnum, StateConsistencyEnum, type DaprClient } from "@dapr/dapr";
import { EtagMismatch, type StateStore, type Versioned } from "./stock.js";

interface BulkItem {
  key: string;
  data?: unknown;
  etag?: string;
}

// Write only if the ETag still matches: Dapr's "first-write" concurrency.
const compareAndSet = {
  concurrency: StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE,
  consistency: StateConsistencyEnum.CONSISTENCY_STRONG,
};

export function daprStateStore(client: DaprClient, storeName: string): StateStore {
  const getBulk = async (keys: string[]) =>
    ((await client.state.getBulk(storeName, keys)) as BulkItem[]).filter(
      (item) => item.data !== undefined && item.data !== "",
    );

  return {
    async get<T>(key: string): Promise<Versioned<T>> {
      const [item] = await getBulk([key]);
      return { value: item?.data as T | undefined, etag: item?.etag };
    },

    async getMany<T>(keys: string[]): Promise<Map<string, T>> {
      return new Map((await getBulk(keys)).map((item) => [item.key, item.data as T]));
    },

    async set<T>(key: string, value: T, etag?: string): Promise<void> {
      const { error } = await client.state.save(storeName, [
        etag === undefined
          ? { key, value }
          : { key, value, etag, options: compareAndSet },
      ]);
      if (error === undefined) return;
      if (statusOf(error) === 409) throw new EtagMismatch(key);
      throw new Error(`saving ${key} to ${storeName} failed: ${error.message}`);
    },

    async delete(key: string): Promise<void> {
      const { error } = await client.state.delete(storeName, key);
      if (error !== undefined) throw new Error(`deleting ${key} from ${storeName} failed: ${error.message}`);
    },
  };
}

// The SDK's errors carry the HTTP answer as JSON in their message.
function statusOf(error: Error): number | undefined {
  try {
    return (JSON.parse(error.message) as { status?: number }).status;
  } catch {
    return undefined;
  }
}
