// Stock and reservations, knowing nothing of HTTP or Dapr: it works on any
// StateStore (the Dapr state API in production, memory in tests).
//
// One document per item. "stock-<item>" holds { name, quantity, orders }, where
// `orders` says, for the item's recent orders, "reserved" (holds a unit),
// "released" (held one and put it back), "cancelled" (released before it held
// anything) or "refused" (asked when there was none left). A reservation is one
// compare-and-set of that document that takes the unit and notes the order
// together; a release is one that puts the unit back and marks the order together.
// Dapr's Redis store cannot do this over two keys: its transactions check each
// key's ETag on its own and do not undo the other writes when one check fails. So
// the unit and the order's entry can never disagree, whoever runs at the same time
// (two calls for the same order, on any replica) and wherever a process crashes:
// a write either happened whole or not at all, and a lost write is retried from a
// fresh read (up to STOCK_MAX_ATTEMPTS when other writers keep winning).
//
// A release of an order the item never saw notes it "cancelled": a reservation that
// arrives afterwards (a slow first call, after the workflow gave up on it) is
// refused and takes nothing. Asking again answers the same, from the entry.
//
// What is bounded: the document keeps only the newest STOCK_RECENT_ORDERS entries
// (1000 by default; the oldest are dropped first), so it does not grow with every
// order ever placed. Each order also gets its own record, "reservation-<order id>" =
// { order_id, item, status }, written right after the document: the long-term
// memory for an order whose entry was dropped (say one that waited 24 h for
// approval). Records only move forward (reserved or refused, then released or
// cancelled) and are written by compare-and-set, so a late writer never turns
// a record back. While the document holds an order's entry, the entry decides and a
// record that lags behind is brought up to date.
//
// The one crash window left: a crash after the document was written and before the
// record was. The order is then known only by its entry. Any retry for that order
// (the workflow retries a step whose answer it did not get) finds the entry and
// writes the record, so nothing is lost, unless STOCK_RECENT_ORDERS newer orders of
// the same item push the entry out first: then the order is forgotten, and a
// retried reservation would take a second unit, or a release put nothing back.
// That takes a crash at exactly that moment and a thousand orders of one item before
// the retry, which comes within minutes; a larger STOCK_RECENT_ORDERS makes it
// rarer at the cost of a larger document.
import { compareAndSet, EtagMismatch, type StateStore, type Versioned } from "@dapr-orders/service-kit";

export type OrderStatus = "reserved" | "released" | "cancelled" | "refused";

export interface StockDocument {
  name: string;
  quantity: number;
  /** Recent orders of this item, oldest first. */
  orders: Record<string, OrderStatus>;
}

/** An order's own record; `item` is missing only for a release that named none, of an unknown order. */
export interface Reservation {
  order_id: string;
  item?: string;
  status: OrderStatus;
}

export interface StockItem {
  name: string;
  quantity: number;
}

export interface StockResult {
  id: string;
  success: boolean;
  message: string;
}

export interface ReleaseResult extends StockResult {
  /** Whether the order's unit is back in stock (put back now or by an earlier call). */
  undone: boolean;
}

export interface StockOptions {
  items: string[];
  restockQuantity: number;
  maxAttempts: number;
  /** How many of its most recent orders each item's document keeps. */
  recentOrders: number;
  /** Called before each retry, with the attempt that lost to another writer (for logs and backoff). */
  onConflict?: (key: string, attempt: number) => Promise<void> | void;
}

const stockKey = (item: string) => `stock-${item}`;
const reservationKey = (orderId: string) => `reservation-${orderId}`;

// Records only move forward: a status of a higher rank is never overwritten by a lower one.
const rank = (status: OrderStatus | undefined) =>
  status === undefined ? 0 : status === "reserved" || status === "refused" ? 1 : 2;

/**
 * The document with `orderId` set to `status` as its newest entry, `change` added to
 * the quantity, and only the `keep` newest entries kept. (Objects keep their keys in
 * insertion order, except keys that look like array indices, which come first: for
 * ids such as "42" the oldest-first order is not exact, which changes only which
 * entry leaves first.)
 */
export function withOrder(doc: StockDocument, orderId: string, status: OrderStatus, change: number, keep: number): StockDocument {
  const orders = { ...doc.orders };
  delete orders[orderId];
  orders[orderId] = status;
  const ids = Object.keys(orders);
  for (const id of ids.slice(0, Math.max(0, ids.length - Math.max(1, keep)))) delete orders[id];
  return { name: doc.name, quantity: doc.quantity + change, orders };
}

function reserveAnswer(id: string, item: string, status: OrderStatus, quantity: number | undefined, now: boolean): StockResult {
  switch (status) {
    case "reserved":
      return { id, success: true, message: now ? `Reserved ${item}, ${quantity} left` : `Already reserved: ${item}` };
    case "refused":
      return { id, success: false, message: `Out of stock: ${item}` };
    case "released":
      return { id, success: false, message: `Already released: ${item}` };
    case "cancelled":
      return { id, success: false, message: `Released before it was reserved: ${item}` };
  }
}

function releaseAnswer(id: string, item: string | undefined, status: OrderStatus, quantity: number | undefined, now: boolean): ReleaseResult {
  if (status !== "released") return { id, success: true, message: "Nothing to release", undone: false };
  return { id, success: true, message: now ? `Released ${item}, ${quantity} left` : `Already released: ${item}`, undone: true };
}

export class Stock {
  constructor(
    private readonly store: StateStore,
    private readonly options: StockOptions,
  ) {}

  async list(): Promise<StockItem[]> {
    const docs = await this.store.getBulk<StockDocument>(this.options.items.map(stockKey));
    return this.options.items.flatMap((name, i) => {
      const doc = docs[i]!.value;
      return doc === undefined ? [] : [{ name, quantity: doc.quantity }];
    });
  }

  /** Sets every item's quantity; the orders each document remembers stay. */
  async restock(): Promise<StockItem[]> {
    const quantity = this.options.restockQuantity;
    await Promise.all(
      this.options.items.map((name) =>
        compareAndSet<StockDocument, void>(
          this.store,
          stockKey(name),
          (doc) => ({ write: { name, quantity, orders: doc?.orders ?? {} }, answer: undefined }),
          this.options,
        ),
      ),
    );
    return this.options.items.map((name) => ({ name, quantity }));
  }

  async clear(): Promise<void> {
    await Promise.all(this.options.items.map((item) => this.store.delete(stockKey(item))));
  }

  /** Takes one unit of `item` for the order, once: asking again answers the same. */
  async reserve(orderId: string, item: string): Promise<StockResult> {
    for (let attempt = 1; ; attempt++) {
      const { doc, record } = await this.read(orderId, item);
      const entry = doc.value?.orders[orderId];
      if (entry !== undefined) {
        await this.remember(orderId, item, entry, record);
        return reserveAnswer(orderId, item, entry, doc.value?.quantity, false);
      }
      if (record.value !== undefined) {
        return reserveAnswer(orderId, record.value.item ?? item, record.value.status, undefined, false);
      }
      if (doc.value === undefined) {
        await this.remember(orderId, item, "refused", record); // never stocked, or cleared
        return reserveAnswer(orderId, item, "refused", 0, true);
      }
      const status = doc.value.quantity > 0 ? "reserved" : "refused";
      const next = withOrder(doc.value, orderId, status, status === "reserved" ? -1 : 0, this.options.recentOrders);
      if (!(await this.write(stockKey(item), next, doc.etag, attempt))) continue;
      await this.remember(orderId, item, status, record);
      return reserveAnswer(orderId, item, status, next.quantity, true);
    }
  }

  /**
   * Puts the order's unit back, once. An order this inventory never saw is noted as
   * cancelled, so that its reservation is refused if it comes later. `item` should
   * be the order's item: without it the order is looked for in every item.
   */
  async release(orderId: string, item?: string): Promise<ReleaseResult> {
    let at = item;
    if (at === undefined) {
      const found = await this.find(orderId);
      if (found.item === undefined) {
        // Known nowhere, and no item to note it in: its record alone remembers it.
        const status = found.record.value?.status ?? "cancelled";
        await this.remember(orderId, undefined, status, found.record);
        return releaseAnswer(orderId, undefined, status, undefined, false);
      }
      at = found.item;
    }
    for (let attempt = 1; ; attempt++) {
      const { doc, record } = await this.read(orderId, at);
      const entry = doc.value?.orders[orderId];
      if (entry === undefined && record.value?.item !== undefined && record.value.item !== at) {
        at = record.value.item; // the order is known under another item: release it there
        continue;
      }
      const known = entry ?? record.value?.status;
      if (known !== undefined && known !== "reserved") {
        if (entry !== undefined) await this.remember(orderId, at, entry, record);
        return releaseAnswer(orderId, at, known, undefined, false);
      }
      const status = known === "reserved" ? "released" : "cancelled";
      const base = doc.value ?? { name: at, quantity: 0, orders: {} };
      const next = withOrder(base, orderId, status, status === "released" ? 1 : 0, this.options.recentOrders);
      if (!(await this.write(stockKey(at), next, doc.etag, attempt))) continue;
      await this.remember(orderId, at, status, record);
      return releaseAnswer(orderId, at, status, next.quantity, true);
    }
  }

  /** The item's document and the order's record, in one round trip. */
  private async read(orderId: string, item: string) {
    const [doc, record] = await this.store.getBulk<unknown>([stockKey(item), reservationKey(orderId)]);
    return { doc: asDocument(doc!), record: record as Versioned<Reservation> };
  }

  /** Which item knows the order: its record's, else the configured item whose document has it. */
  private async find(orderId: string): Promise<{ item: string | undefined; record: Versioned<Reservation> }> {
    const { items } = this.options;
    const [record, ...docs] = await this.store.getBulk<unknown>([reservationKey(orderId), ...items.map(stockKey)]);
    const reservation = record as Versioned<Reservation>;
    const item = reservation.value?.item ?? items.find((_, i) => asDocument(docs[i]!).value?.orders[orderId] !== undefined);
    return { item, record: reservation };
  }

  /** A compare-and-set of a stock document; false when another writer won and the caller should read again. */
  private async write(key: string, doc: StockDocument, etag: string | undefined, attempt: number): Promise<boolean> {
    try {
      await this.store.set(key, doc, etag);
      return true;
    } catch (err) {
      if (!(err instanceof EtagMismatch) || attempt >= this.options.maxAttempts) throw err;
      await this.options.onConflict?.(key, attempt);
      return false;
    }
  }

  /** Brings the order's record up to `status`, unless it already says as much or more. */
  private async remember(orderId: string, item: string | undefined, status: OrderStatus, seen: Versioned<Reservation>): Promise<void> {
    const key = reservationKey(orderId);
    let current = seen;
    for (let attempt = 1; rank(status) > rank(current.value?.status); attempt++) {
      try {
        await this.store.set<Reservation>(key, { order_id: orderId, item: item ?? current.value?.item, status }, current.etag);
        return;
      } catch (err) {
        if (!(err instanceof EtagMismatch) || attempt >= this.options.maxAttempts) throw err;
        current = await this.store.get<Reservation>(key);
      }
    }
  }
}

/** A stored document; documents written before orders were kept in them have none. */
function asDocument(stored: Versioned<unknown>): Versioned<StockDocument> {
  const doc = stored.value as StockDocument | undefined;
  return { etag: stored.etag, value: doc === undefined ? undefined : { ...doc, orders: doc.orders ?? {} } };
}
