// Test doubles for the edges of notifications: the Redis stream and the other apps.
import { InvocationError } from "@dapr-orders/service-kit";
import type { Backend, StockItem } from "../src/api.js";
import type { EventHistory, OrderEvent, StoredEvent, StreamClient } from "../src/history.js";

/** A Redis stream in memory, with the few commands RedisEventHistory sends, as Redis answers them. */
export class MemoryStream {
  entries: { id: string; message: Record<string, string> }[] = [];
  commands: unknown[][] = [];
  private clock = 1_700_000_000_000;

  get client(): StreamClient {
    return this as unknown as StreamClient;
  }

  async xAdd(key: string, id: string, message: Record<string, string>, options?: { TRIM?: { threshold: number } }) {
    this.commands.push(["XADD", key, id, message, options]);
    const newId = `${this.clock}-${this.entries.length}`;
    this.entries.push({ id: newId, message });
    const max = options?.TRIM?.threshold;
    if (max !== undefined && this.entries.length > max) this.entries.splice(0, this.entries.length - max);
    return newId;
  }

  async xRevRange(key: string, end: string, start: string, options?: { COUNT?: number }) {
    this.commands.push(["XREVRANGE", key, end, start, options]);
    const after = start.startsWith("(") ? start.slice(1) : undefined;
    const seq = (id: string) => Number(id.split("-")[1]);
    const newestFirst = this.entries.filter((e) => after === undefined || seq(e.id) > seq(after)).reverse();
    return newestFirst.slice(0, options?.COUNT ?? Infinity);
  }
}

/** An EventHistory in memory; `failing` makes every call throw, as when Redis is away. */
export class MemoryHistory implements EventHistory {
  events: StoredEvent[] = [];
  failing = false;
  private next = 1;

  async append(event: OrderEvent): Promise<StoredEvent> {
    if (this.failing) throw new Error("The client is offline");
    const stored = { id: `1700000000000-${this.next++}`, ...event };
    this.events.push(stored);
    return stored;
  }

  async after(lastId: string | undefined): Promise<StoredEvent[]> {
    if (this.failing) throw new Error("The client is offline");
    const i = this.events.findIndex((e) => e.id === lastId);
    return this.events.slice(i + 1);
  }
}

/** The other apps: records each call, and answers as told (an InvocationError for a failure). */
export class FakeBackend implements Backend {
  calls: [string, ...unknown[]][] = [];
  stockItems: StockItem[] = [{ name: "kiwi", quantity: 7 }];
  failure: InvocationError | undefined;

  private answer<T>(value: T): Promise<T> {
    return this.failure === undefined ? Promise.resolve(value) : Promise.reject(this.failure);
  }

  placeOrder(order: Record<string, unknown>) {
    this.calls.push(["placeOrder", order]);
    return this.answer({ instance_id: "o-1" });
  }
  decide(id: string, decision: Record<string, unknown>) {
    this.calls.push(["decide", id, decision]);
    return this.answer({ id, ...decision });
  }
  stock() {
    this.calls.push(["stock"]);
    return this.answer(this.stockItems);
  }
  restock() {
    this.calls.push(["restock"]);
    return this.answer(this.stockItems.map((i) => ({ ...i, quantity: 100 })));
  }

  /** The next calls fail as an answer of `status` from `target` (undefined: nothing answered). */
  failWith(target: string, status: number | undefined, detail: string) {
    const message = status === undefined ? `${target} failed: ${detail}` : `${target} answered ${status}: ${detail}`;
    this.failure = new InvocationError(target, status, message);
  }
}
