// Test doubles for the edges of notifications: the history, the dead letters and the other apps.
import { InvocationError } from "@dapr-orders/service-kit";
import type { Backend, StockItem } from "../src/api.js";
import type { DeadLetter, DeadLetters } from "../src/dead-letters.js";
import type { EventHistory, StoredEvent } from "../src/history.js";
import type { Notification } from "../src/notification.js";

/** An EventHistory in memory, that keeps each (order_id, seq) once; `failing` makes every call throw, as when Redis is away. */
export class MemoryHistory implements EventHistory {
  events: StoredEvent[] = [];
  failing = false;
  private next = 1;

  async record(notification: Notification, time: string): Promise<StoredEvent | undefined> {
    if (this.failing) throw new Error("The client is offline");
    if (this.events.some((e) => e.order_id === notification.order_id && e.seq === notification.seq)) return undefined;
    const stored = { id: `1700000000000-${this.next++}`, ...notification, time };
    this.events.push(stored);
    return stored;
  }

  async after(lastId: string | undefined): Promise<StoredEvent[]> {
    if (this.failing) throw new Error("The client is offline");
    const i = this.events.findIndex((e) => e.id === lastId);
    return this.events.slice(i + 1);
  }
}

/** Dead letters in memory; `failing` as for MemoryHistory. */
export class MemoryDeadLetters implements DeadLetters {
  letters: DeadLetter[] = [];
  failing = false;

  async add(letter: DeadLetter): Promise<void> {
    if (this.failing) throw new Error("The client is offline");
    this.letters.push(letter);
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
