// A StateStore in memory with the ETag semantics of the Dapr state API (Redis store),
// for tests: a key once written with an ETag refuses writes without one.
// `beforeSet` lets a test act between a read and the write that follows it, the
// moment when another writer could change the key.
import { EtagMismatch, type StateStore, type Versioned } from "../src/stock.js";

export class MemoryStore implements StateStore {
  private readonly entries = new Map<string, { value: unknown; version: number; guarded: boolean }>();
  beforeSet?: (key: string) => Promise<void> | void;

  async get<T>(key: string): Promise<Versioned<T>> {
    await Promise.resolve(); // a real store answers later: let other callers run
    const entry = this.entries.get(key);
    return { value: structuredClone(entry?.value) as T | undefined, etag: entry && String(entry.version) };
  }

  async getMany<T>(keys: string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    for (const key of keys) {
      const { value } = await this.get<T>(key);
      if (value !== undefined) found.set(key, value);
    }
    return found;
  }

  async set<T>(key: string, value: T, etag?: string): Promise<void> {
    await this.beforeSet?.(key);
    await Promise.resolve();
    const current = this.entries.get(key);
    if (etag !== undefined && String(current?.version) !== etag) throw new EtagMismatch(key);
    if (etag === undefined && current?.guarded) throw new Error(`failed to set key ${key}: it needs an ETag`);
    this.entries.set(key, {
      value: structuredClone(value),
      version: (current?.version ?? 0) + 1,
      guarded: etag !== undefined || (current?.guarded ?? false),
    });
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  peek(key: string): unknown {
    return this.entries.get(key)?.value;
  }
}
