// Stock and reservations, knowing nothing of HTTP or Dapr: it works on any
// StateStore with ETags (the Dapr state API in production, memory in tests).
//
// Keys: "stock-<item>" holds { name, quantity }; "reservation-<order id>" holds
// what one order took. Every write is a compare-and-set on one key with the ETag
// read just before, retried a bounded number of times when another writer won
// (and it must be: Dapr's Redis store refuses a write without an ETag to a key
// once it was written with one).
// A reservation takes a unit first and records it second; a release marks the
// record released first and puts the unit back second. So a crash between the two
// writes can at worst lose one unit, never oversell or put a unit back twice.

export interface Versioned<T> {
  value: T | undefined;
  etag: string | undefined;
}

export interface StateStore {
  get<T>(key: string): Promise<Versioned<T>>;
  getMany<T>(keys: string[]): Promise<Map<string, T>>;
  /** With an etag: write only if the key is still at that version, else throw EtagMismatch. */
  set<T>(key: string, value: T, etag?: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export class EtagMismatch extends Error {
  constructor(key: string) {
    super(`${key} was changed by another writer`);
    this.name = "EtagMismatch";
  }
}

export interface StockItem {
  name: string;
  quantity: number;
}

export interface Reservation {
  order_id: string;
  item: string;
  status: "reserved" | "released";
}

export interface StockResult {
  id: string;
  success: boolean;
  message: string;
}

export interface StockOptions {
  items: string[];
  restockQuantity: number;
  maxAttempts: number;
  /** Called before each retry, with the attempt that failed (for logs and backoff). */
  onConflict?: (key: string, attempt: number) => Promise<void> | void;
}

const stockKey = (item: string) => `stock-${item}`;
const reservationKey = (orderId: string) => `reservation-${orderId}`;

export class Stock {
  constructor(
    private readonly store: StateStore,
    private readonly options: StockOptions,
  ) {}

  async list(): Promise<StockItem[]> {
    const found = await this.store.getMany<StockItem>(this.options.items.map(stockKey));
    return this.options.items.flatMap((item) => {
      const entry = found.get(stockKey(item));
      return entry === undefined ? [] : [{ name: item, quantity: entry.quantity }];
    });
  }

  async restock(): Promise<StockItem[]> {
    const items = this.options.items.map((name) => ({ name, quantity: this.options.restockQuantity }));
    await Promise.all(items.map((item) => this.update<StockItem>(stockKey(item.name), () => item)));
    return items;
  }

  async clear(): Promise<void> {
    await Promise.all(this.options.items.map((item) => this.store.delete(stockKey(item))));
  }

  /** Takes one unit of `item` for the order. Asking again for the same order changes nothing. */
  async reserve(orderId: string, item: string): Promise<StockResult> {
    const existing = await this.store.get<Reservation>(reservationKey(orderId));
    if (existing.value?.status === "reserved") {
      return { id: orderId, success: true, message: `Already reserved: ${existing.value.item}` };
    }
    const taken = await this.update<StockItem>(stockKey(item), (current) =>
      current === undefined || current.quantity <= 0 ? undefined : { ...current, quantity: current.quantity - 1 },
    );
    if (taken === undefined) return { id: orderId, success: false, message: `Out of stock: ${item}` };
    await this.update<Reservation>(reservationKey(orderId), () => ({ order_id: orderId, item, status: "reserved" }));
    return { id: orderId, success: true, message: `Reserved ${item}, ${taken.quantity} left` };
  }

  /** Puts the order's reserved unit back. Asking again for the same order changes nothing. */
  async release(orderId: string): Promise<StockResult> {
    const released = await this.update<Reservation>(reservationKey(orderId), (current) =>
      current?.status === "reserved" ? { ...current, status: "released" } : undefined,
    );
    if (released === undefined) return { id: orderId, success: true, message: "Nothing to release" };
    const restored = await this.update<StockItem>(stockKey(released.item), (current) => ({
      name: released.item,
      quantity: (current?.quantity ?? 0) + 1,
    }));
    return { id: orderId, success: true, message: `Released ${released.item}, ${restored?.quantity} left` };
  }

  /**
   * Compare-and-set: reads `key`, lets `change` compute the new value (undefined: no
   * change wanted), writes it with the ETag just read, and starts over if another
   * writer changed the key in between. Returns the value written, or undefined.
   */
  private async update<T>(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      const { value, etag } = await this.store.get<T>(key);
      const next = change(value);
      if (next === undefined) return undefined;
      try {
        await this.store.set(key, next, etag);
        return next;
      } catch (err) {
        if (!(err instanceof EtagMismatch) || attempt >= this.options.maxAttempts) throw err;
        await this.options.onConflict?.(key, attempt);
      }
    }
  }
}
