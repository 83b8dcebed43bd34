// Stock and reservations, knowing nothing of HTTP or Dapr: it works on any
// StateStore (the Dapr state API in production, memory in tests).
//
// Two kinds of keys, each written only by compare-and-set:
//
// - "stock-<item>": the item's document { name, quantity, pending }. `pending`
//   holds only the orders whose change to this item is in flight: "reserved" (took
//   a unit), "refused" (found none) or "released" (put its unit back). The document
//   stays small: an entry is removed as soon as its order's record is final.
// - "reservation-<order id>": the order's record { order_id, item, status, effects }.
//   It is written first and says what the order is doing: "reserving" or
//   "releasing" while a change is under way, then "reserved", "refused", "released"
//   or "cancelled". `effects` lists what the order did to the stock ({kind: "take"}
//   or {kind: "return"}), appended in the same write that makes the record final,
//   so the records alone tell how many units orders hold.
//
// A reservation takes four writes, each safe to repeat:
//   1. create the record as "reserving" (only if there is none);
//   2. on the document, take a unit and note the order as "reserved" together (or
//      note it "refused" when there is no stock: that takes nothing);
//   3. make the record final ("reserved" with a take, or "refused");
//   4. remove the order's entry from the document.
// A release is the same shape: the record goes "reserved" -> "releasing"; the
// document gets the unit back and the entry "released"; the record becomes
// "released" with a return; the entry goes.
//
// A call that finds a record "reserving" or "releasing" (a crash or a concurrent
// call left it so) finishes the change. Whether step 2 happened, the document
// tells: an entry is removed only after the record is final, so while the record
// is not, no entry means the change was not made. To know that, the document is
// read before the record: if the record is still not final after that read, the
// document read came before any removal. Every write is a compare-and-set, so of
// two calls for one order (on any replica) only one makes each change; the other
// reads again and carries on from there. Dapr's Redis store cannot write two keys
// at once (a transaction checks each ETag on its own and does not undo the others),
// which is why no step needs two keys to change together.
//
// A release of an order with no record writes a "cancelled" record: a reservation
// that arrives afterwards (a slow first call, after the workflow gave up on it) is
// refused and takes nothing. A release that finds a reservation under way first
// finishes it, then releases.
//
// Restock and clear change only the quantity (clear also hides the item from the
// list and stops it selling until the next restock); entries in flight stay.
import { compareAndSet, EtagMismatch, PerKeyQueue, type StateStore, type Versioned } from "@dapr-orders/service-kit";

/** What an order in flight did to the item: took a unit, found none, or gave its unit back. */
export type PendingChange = "reserved" | "refused" | "released";

export interface StockDocument {
  name: string;
  quantity: number;
  /** Orders whose change to this item is in flight. */
  pending: Record<string, PendingChange>;
  /** Set by clear: the item is not listed and sells nothing until a restock. */
  cleared?: true;
}

export type ReservationStatus = "reserving" | "reserved" | "refused" | "releasing" | "released" | "cancelled";

export interface Effect {
  kind: "take" | "return";
}

/** An order's record; `item` is missing only for a release that named none, of an unknown order. */
export interface Reservation {
  order_id: string;
  item?: string;
  status: ReservationStatus;
  effects: Effect[];
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
  /** Attempts in all when other writers keep winning; then EtagMismatch is thrown. */
  maxAttempts: number;
  /** Called before each retry, with the attempt that lost to another writer (for logs and backoff). */
  onConflict?: (key: string, attempt: number) => Promise<void> | void;
}

const stockKey = (item: string) => `stock-${item}`;
const reservationKey = (orderId: string) => `reservation-${orderId}`;

const isFinal = (status: ReservationStatus) => status !== "reserving" && status !== "releasing";

/**
 * Step 2 of a reservation, on the item's document: the order's entry if it is there
 * already; else take a unit (or, with none, note the refusal). `write` is undefined
 * when the document already says what happened.
 */
export function applyReserve(doc: StockDocument | undefined, orderId: string): { write?: StockDocument; outcome: "reserved" | "refused" } {
  const entry = doc?.pending[orderId];
  if (entry === "reserved" || entry === "refused") return { outcome: entry };
  if (doc === undefined) return { outcome: "refused" }; // never stocked: nothing to take
  const take = doc.cleared === undefined && doc.quantity > 0;
  return {
    write: { ...doc, quantity: doc.quantity - (take ? 1 : 0), pending: { ...doc.pending, [orderId]: take ? "reserved" : "refused" } },
    outcome: take ? "reserved" : "refused",
  };
}

/** Step 2 of a release, on the item's document: the unit back and the entry "released", unless done already. */
export function applyRelease(doc: StockDocument | undefined, orderId: string, item: string): { write?: StockDocument; outcome: "released" } {
  if (doc?.pending[orderId] === "released") return { outcome: "released" };
  const base = doc ?? { name: item, quantity: 0, pending: {}, cleared: true as const };
  return { write: { ...base, quantity: base.quantity + 1, pending: { ...base.pending, [orderId]: "released" } }, outcome: "released" };
}

/**
 * What to do with an order's entry once its record is final: remove it; and if the
 * record says the order holds nothing while the entry says it took a unit (two
 * calls raced: one saw no stock, the other came after a restock), give that unit
 * back. Undefined when the entry is not there.
 */
export function settleEntry(doc: StockDocument | undefined, orderId: string, status: ReservationStatus): StockDocument | undefined {
  const entry = doc?.pending[orderId];
  if (doc === undefined || entry === undefined) return undefined;
  const { [orderId]: _gone, ...pending } = doc.pending;
  const stray = entry === "reserved" && (status === "refused" || status === "cancelled");
  if (entry === "reserved" && status !== "reserved" && !stray) return undefined; // the record moved on: its own change removes the entry
  return { ...doc, quantity: doc.quantity + (stray ? 1 : 0), pending };
}

function reserveAnswer(id: string, item: string, status: ReservationStatus, left: number | undefined): StockResult {
  switch (status) {
    case "reserved":
      return { id, success: true, message: left !== undefined ? `Reserved ${item}, ${left} left` : `Already reserved: ${item}` };
    case "refused":
      return { id, success: false, message: `Out of stock: ${item}` };
    case "released":
    case "releasing":
      return { id, success: false, message: `Already released: ${item}` };
    case "cancelled":
    case "reserving":
      return { id, success: false, message: `Released before it was reserved: ${item}` };
  }
}

function releaseAnswer(id: string, item: string | undefined, status: ReservationStatus, left: number | undefined): ReleaseResult {
  if (status !== "released") return { id, success: true, message: "Nothing to release", undone: false };
  return { id, success: true, message: left !== undefined ? `Released ${item}, ${left} left` : `Already released: ${item}`, undone: true };
}

/** How one call went: the final record, and the quantity left when this call changed the stock itself. */
interface Finished {
  record: Reservation;
  left?: number;
}

export class Stock {
  // Calls for one order run one after another in this process; across replicas the
  // compare-and-set of every write is what keeps them right.
  private readonly queue = new PerKeyQueue();

  constructor(
    private readonly store: StateStore,
    private readonly options: StockOptions,
  ) {}

  async list(): Promise<StockItem[]> {
    const docs = await this.store.getBulk<StockDocument>(this.options.items.map(stockKey));
    return this.options.items.flatMap((name, i) => {
      const doc = asDocument(docs[i]!).value;
      return doc === undefined || doc.cleared !== undefined ? [] : [{ name, quantity: doc.quantity }];
    });
  }

  /** Sets every item's quantity; orders in flight stay noted. */
  async restock(): Promise<StockItem[]> {
    const quantity = this.options.restockQuantity;
    await Promise.all(
      this.options.items.map((name) =>
        this.updateDocument(name, (doc) => ({ write: { name, quantity, pending: doc?.pending ?? {} }, answer: undefined })),
      ),
    );
    return this.options.items.map((name) => ({ name, quantity }));
  }

  /** Empties every item and takes it off the list until the next restock; orders in flight stay noted. */
  async clear(): Promise<void> {
    await Promise.all(
      this.options.items.map((name) =>
        this.updateDocument(name, (doc) => ({
          write: doc === undefined ? undefined : { name, quantity: 0, pending: doc.pending, cleared: true as const },
          answer: undefined,
        })),
      ),
    );
  }

  /** Takes one unit of `item` for the order, once: asking again answers the same. */
  reserve(orderId: string, item: string): Promise<StockResult> {
    return this.queue.run(orderId, async () => {
      const { record, left } = await this.drive(orderId, { status: "reserving", item }, false);
      return reserveAnswer(orderId, record.item ?? item, record.status, left);
    });
  }

  /**
   * Puts the order's unit back, once. An order with no record gets a "cancelled" one,
   * so that its reservation is refused if it comes later.
   */
  release(orderId: string, item?: string): Promise<ReleaseResult> {
    return this.queue.run(orderId, async () => {
      const { record, left } = await this.drive(orderId, { status: "cancelled", item }, true);
      return releaseAnswer(orderId, record.item ?? item, record.status, left);
    });
  }

  /** The order's record, as stored. */
  async find(orderId: string): Promise<Reservation | undefined> {
    const { value } = await this.store.get<Reservation>(reservationKey(orderId));
    return value === undefined ? undefined : asRecord(value);
  }

  /**
   * Brings the order's record to a final state: creates it as `fresh` if there is
   * none, finishes a change under way, starts a release of a reserved order when
   * `release` says so, and settles the order's entry on the document.
   */
  private async drive(orderId: string, fresh: { status: "reserving" | "cancelled"; item: string | undefined }, release: boolean): Promise<Finished> {
    const key = reservationKey(orderId);
    const created: Reservation = { order_id: orderId, ...(fresh.item === undefined ? {} : { item: fresh.item }), status: fresh.status, effects: [] };
    const took = { left: undefined as number | undefined };
    // A reservation is most often new: try to create its record before reading it.
    let create = fresh.status === "reserving";
    for (let attempt = 1; ; ) {
      try {
        if (create) {
          create = false;
          await this.store.set(key, created, undefined);
          if (isFinal(created.status)) return { record: created };
          const done = await this.finishChange(orderId, created.item!, took);
          if (done !== undefined) return { record: done, left: took.left };
          continue;
        }
        const { value, etag } = await this.store.get<Reservation>(key);
        if (value === undefined) {
          create = true;
          continue;
        }
        const record = asRecord(value);
        if (record.status === "reserved" && release) {
          await this.store.set<Reservation>(key, { ...record, status: "releasing" }, etag);
        }
        if (!isFinal(record.status) || (record.status === "reserved" && release)) {
          const done = await this.finishChange(orderId, record.item!, took);
          if (done !== undefined && (done.status !== "reserved" || !release)) return { record: done, left: took.left };
          continue;
        }
        if (record.item !== undefined) await this.settle(orderId, record.item, record.status);
        return { record, left: took.left };
      } catch (err) {
        if (!(err instanceof EtagMismatch) || attempt >= this.options.maxAttempts) throw err;
        await this.options.onConflict?.(err.key, attempt);
        attempt++;
      }
    }
  }

  /**
   * Steps 2 to 4 for a record that is "reserving" or "releasing"; notes in `took`
   * the quantity left when this call changed the stock. Answers the final record,
   * or undefined when the record was final already (the caller reads it again).
   */
  private async finishChange(orderId: string, item: string, took: { left: number | undefined }): Promise<Reservation | undefined> {
    const doc = asDocument(await this.store.get<StockDocument>(stockKey(item)));
    const { value, etag } = await this.store.get<Reservation>(reservationKey(orderId)); // after the document: see the top of this file
    if (value === undefined || isFinal(value.status)) return undefined;
    const record = asRecord(value);
    const { write, outcome } = record.status === "reserving" ? applyReserve(doc.value, orderId) : applyRelease(doc.value, orderId, item);
    if (write !== undefined) {
      await this.store.set(stockKey(item), write, doc.etag);
      if (outcome !== "refused") took.left = write.quantity;
    }
    const status: ReservationStatus = outcome;
    const effect: Effect[] = status === "reserved" ? [{ kind: "take" }] : status === "released" ? [{ kind: "return" }] : [];
    const final: Reservation = { ...record, status, effects: [...record.effects, ...effect] };
    await this.store.set<Reservation>(reservationKey(orderId), final, etag);
    await this.settle(orderId, item, status);
    return final;
  }

  /** Step 4: removes the order's entry from the item's document, once its record is final. */
  private async settle(orderId: string, item: string, status: ReservationStatus): Promise<void> {
    await this.updateDocument(item, (doc) => ({ write: settleEntry(doc, orderId, status), answer: undefined }));
  }

  private updateDocument(item: string, decide: (doc: StockDocument | undefined) => { write?: StockDocument; answer: undefined }): Promise<void> {
    return compareAndSet<StockDocument, void>(this.store, stockKey(item), (stored) => decide(asDocument({ value: stored, etag: undefined }).value), this.options);
  }
}

/** A stored document; documents of an older shape have no `pending` (their `orders` are not carried over). */
function asDocument(stored: Versioned<unknown>): Versioned<StockDocument> {
  const doc = stored.value as (StockDocument & { orders?: unknown }) | undefined;
  if (doc === undefined) return { value: undefined, etag: stored.etag };
  const { name, quantity, pending, cleared } = doc;
  return { etag: stored.etag, value: { name, quantity, pending: pending ?? {}, ...(cleared === undefined ? {} : { cleared }) } };
}

/** A stored record; records of an older shape have no `effects`. */
function asRecord(stored: Reservation): Reservation {
  return { ...stored, effects: stored.effects ?? [] };
}
