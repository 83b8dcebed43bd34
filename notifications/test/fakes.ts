// Test doubles for the edges of notifications: the history, the dead letters and the other apps.
import { InvocationError } from "@dapr-orders/service-kit";
import type { Backend, StockItem } from "../src/api.js";
import type { DeadLetter, DeadLetters } from "../src/dead-letters.js";
import type { EventHistory, StoredEvent } from "../src/history.js";
import type { Notification } from "../src/notification.js";
import type { RateLimit, Session, Sessions } from "../src/operator.js";

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

  placeOrder(order: Record<string, unknown>, idempotencyKey?: string) {
    this.calls.push(idempotencyKey === undefined ? ["placeOrder", order] : ["placeOrder", order, idempotencyKey]);
    return this.answer({ instance_id: "o-1" });
  }
  decide(id: string, decision: { approver: string; approved: boolean }) {
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

  clear() {
    this.calls.push(["clear"]);
    return this.answer({ message: "Inventory cleared" });
  }

  /**
   * The next calls fail as an answer of `status` from `target` (undefined: nothing
   * answered), with `appError` when the app itself said what went wrong.
   */
  failWith(target: string, status: number | undefined, detail: string, appError?: string) {
    const message = status === undefined ? `${target} failed: ${detail}` : `${target} answered ${status}: ${detail}`;
    this.failure = new InvocationError(target, status, message, appError);
  }
}

/** Sessions in memory. */
export class MemorySessions implements Sessions {
  readonly sessions = new Map<string, Session>();
  private next = 1;

  /** The operators' names, by session id. */
  get names(): Map<string, string> {
    return new Map([...this.sessions].map(([id, s]) => [id, s.name]));
  }

  async start(session: Session): Promise<string> {
    const id = `session-${this.next++}`;
    this.sessions.set(id, session);
    return id;
  }
  async get(id: string): Promise<Session | undefined> {
    return this.sessions.get(id);
  }
  async end(id: string): Promise<void> {
    this.sessions.delete(id);
  }
}

/** A rate limit in memory that never expires: `points` per key, then the wait is always `waitSeconds`. */
export class MemoryRateLimit implements RateLimit {
  readonly taken = new Map<string, number>();

  constructor(
    private readonly points: number,
    private readonly waitSeconds = 60,
    /** How long each call takes, as a round trip to Redis would. */
    private readonly delayMs = 0,
  ) {}

  private pause = () => (this.delayMs === 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, this.delayMs)));

  async retryAfter(key: string): Promise<number> {
    await this.pause();
    return (this.taken.get(key) ?? 0) >= this.points ? this.waitSeconds : 0;
  }
  async take(key: string): Promise<number> {
    await this.pause();
    const taken = (this.taken.get(key) ?? 0) + 1;
    this.taken.set(key, taken);
    return taken > this.points ? this.waitSeconds : 0;
  }
  async giveBack(key: string): Promise<void> {
    this.taken.set(key, (this.taken.get(key) ?? 1) - 1);
  }
}
