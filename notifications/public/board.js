// The board's logic, without the DOM: which events the page has (each (order_id,
// seq) once), what an order's events say about it (customer, item, total, status,
// the steps it went through: from the events' fields, never from their messages),
// and which orders it still shows. app.js draws it; notifications/test tests it.
//
// Under load the page stays small: every open order (processing, awaiting approval)
// is kept, and the newest `finishedShown` finished ones (completed, failed); older
// finished orders fold away into a count, and their events leave memory.

/**
 * The notification types, as service-kit's contract (notificationSchema) lists them:
 * this page is plain JavaScript and cannot import it, so a unit test holds this copy
 * (and failureTypes below) to the contract.
 */
export const notificationTypes = /** @type {const} */ ([
  "placed",
  "reserved",
  "reserveFailed",
  "awaitingApproval",
  "expired",
  "rejected",
  "approved",
  "paid",
  "paymentFailed",
  "shipped",
  "shippingFailed",
  "shipmentCancelled",
  "refunded",
  "released",
  "completed",
]);
/** @typedef {typeof notificationTypes[number]} NotificationType */

/** The types that make an order fail (the contract's failureTypes). */
export const failureTypes = /** @type {const} */ (["reserveFailed", "expired", "rejected", "paymentFailed", "shippingFailed"]);
/**
 * A notification as notifications keeps it: with its stream id ("<ms>-<n>", in the
 * order it arrived) and the time it arrived.
 * @typedef {object} OrderEvent
 * @property {string} id
 * @property {string} order_id
 * @property {number} seq 1, 2, 3... per order, in the order the workflow's steps emit them
 * @property {NotificationType} type
 * @property {string} message
 * @property {{ customer: string, item: string, total: number }} order
 * @property {string} [deadline] ISO time, on "awaitingApproval"
 * @property {string} [approver] on "approved" and "rejected"
 * @property {string} [trace_id] the order's trace (32 hex digits), when tracing is on
 * @property {string} time
 */
/** @typedef {"processing" | "awaiting" | "completed" | "failed"} Status */
/** @typedef {"done" | "active" | "waiting" | "failed" | "undone" | "todo" | "skipped"} StepState */
/** @typedef {{ key: string, label: string, state: StepState }} Step */
/** @typedef {"info" | "success" | "warning" | "danger" | "undo"} Tone */
/**
 * @typedef {object} OrderView
 * @property {string} id
 * @property {string} [customer]
 * @property {string} [item]
 * @property {number} [total]
 * @property {Status} status
 * @property {Step[]} steps
 * @property {OrderEvent[]} events by seq
 * @property {string} [deadline] ISO time by which an order awaiting approval must be decided
 * @property {{ approved: boolean, approver: string }} [decision] who approved or rejected it
 * @property {string} [reason] the message that made it fail
 * @property {string} [traceId] the order's trace id, for a link to its trace
 */

/** @type {Record<Status, string>} */
export const statusLabels = {
  processing: "processing",
  awaiting: "awaiting approval",
  completed: "completed",
  failed: "failed",
};

/** @type {Record<NotificationType, Tone>} */
const tones = {
  placed: "info",
  reserved: "success",
  reserveFailed: "danger",
  awaitingApproval: "warning",
  expired: "danger",
  rejected: "danger",
  approved: "success",
  paid: "success",
  paymentFailed: "danger",
  shipped: "success",
  shippingFailed: "danger",
  shipmentCancelled: "undo",
  refunded: "undo",
  released: "undo",
  completed: "success",
};

/**
 * How an event of the type is shown; "info" for a type the board does not know.
 * @param {string} type
 * @returns {Tone}
 */
export function toneOf(type) {
  return Object.hasOwn(tones, type) ? tones[/** @type {NotificationType} */ (type)] : "info";
}

/** @type {Set<string>} */
const failures = new Set(failureTypes);

/**
 * Orders two event ids (Redis stream ids, "<ms>-<seq>") by when they were added.
 * @param {string} a
 * @param {string} b
 * @returns {number} negative when a came first
 */
export function compareIds(a, b) {
  const [aMs = 0, aSeq = 0] = a.split("-").map(Number);
  const [bMs = 0, bSeq = 0] = b.split("-").map(Number);
  return aMs - bMs || aSeq - bSeq;
}

/**
 * Whether the value has what the board reads of an event.
 * @param {unknown} value
 * @returns {value is OrderEvent}
 */
export function isEvent(value) {
  const e = /** @type {Partial<OrderEvent> | null} */ (value);
  return (
    typeof e === "object" && e !== null &&
    typeof e.id === "string" && /^\d+-\d+$/.test(e.id) &&
    typeof e.order_id === "string" && e.order_id !== "" &&
    Number.isSafeInteger(e.seq) && /** @type {number} */ (e.seq) >= 1 &&
    typeof e.type === "string" && typeof e.message === "string" && typeof e.time === "string" &&
    typeof e.order === "object" && e.order !== null
  );
}

/**
 * What an order's events (by seq) say about it.
 * @param {string} id
 * @param {OrderEvent[]} events
 * @returns {OrderView}
 */
export function describeOrder(id, events) {
  /** @type {OrderView} */
  const view = { id, status: "processing", steps: [], events };
  /** @type {Map<string, OrderEvent>} */
  const byType = new Map();
  for (const event of events) if (!byType.has(event.type)) byType.set(event.type, event);
  const has = (/** @type {NotificationType} */ type) => byType.has(type);

  // Every event carries the order.
  const order = events[0]?.order;
  if (order !== undefined) {
    view.customer = order.customer;
    view.item = order.item;
    if (Number.isFinite(order.total)) view.total = order.total;
  }
  const failure = events.find((e) => failures.has(e.type));
  if (failure !== undefined) view.reason = failure.message;
  const traced = events.find((e) => typeof e.trace_id === "string" && /^[0-9a-f]{32}$/.test(e.trace_id));
  if (traced !== undefined) view.traceId = traced.trace_id;
  const decided = byType.get("approved") ?? byType.get("rejected");
  if (decided?.approver !== undefined) view.decision = { approved: decided.type === "approved", approver: decided.approver };

  if (failure !== undefined) view.status = "failed";
  else if (has("completed")) view.status = "completed";
  else if (has("awaitingApproval") && !has("approved")) view.status = "awaiting";
  if (view.status === "awaiting") view.deadline = byType.get("awaitingApproval")?.deadline;

  const needsApproval = has("awaitingApproval") || has("approved") || has("rejected") || has("expired");
  /** @type {[string, string, StepState | undefined][]} */
  const steps = [
    ["stock", "Stock", has("reserveFailed") ? "failed" : has("released") ? "undone" : has("reserved") ? "done" : undefined],
    ...(needsApproval
      ? /** @type {[string, string, StepState | undefined][]} */ ([
          ["approval", "Approval", has("rejected") || has("expired") ? "failed" : has("approved") ? "done" : "waiting"],
        ])
      : []),
    ["payment", "Payment", has("paymentFailed") ? "failed" : has("refunded") ? "undone" : has("paid") ? "done" : undefined],
    ["shipping", "Shipping", has("shippingFailed") ? "failed" : has("shipmentCancelled") ? "undone" : has("shipped") ? "done" : undefined],
  ];
  let next = view.status === "processing";
  view.steps = steps.map(([key, label, state]) => {
    if (state !== undefined) return { key, label, state };
    if (view.status === "failed") return { key, label, state: "skipped" };
    const current = next;
    next = false;
    return { key, label, state: current ? "active" : "todo" };
  });
  return view;
}

/** @param {Status} status */
const isFinished = (status) => status === "completed" || status === "failed";

/**
 * An order the board keeps: its events by seq, the id of the first of them to
 * arrive (which places the order among the others), and what they say.
 * @typedef {{ id: string, first: string, events: OrderEvent[], view: OrderView }} Kept
 */

/** The events a page has, and the orders it shows. */
export class Board {
  /** @type {Map<string, Kept>} */
  #orders = new Map();
  /** Orders folded away, with their status: a late event of one is ignored. At most `#remembered`, the newest. */
  /** @type {Map<string, Status>} */
  #folded = new Map();
  #foldedCounts = { completed: 0, failed: 0 };
  /** The newest events, in the order they arrived (by id). */
  /** @type {OrderEvent[]} */
  #feed = [];
  #finishedShown;
  #feedLength;
  #remembered;

  /**
   * The id of the newest event, which the page sends when it reconnects.
   * @type {string | undefined}
   */
  lastId;

  /**
   * @param {{ finishedShown?: number, feedLength?: number, remembered?: number }} [options]
   *   how many finished orders it shows; how many events the feed keeps; how many folded orders' ids it remembers
   */
  constructor({ finishedShown = 50, feedLength = 200, remembered = 10_000 } = {}) {
    this.#finishedShown = finishedShown;
    this.#feedLength = feedLength;
    this.#remembered = remembered;
  }

  /**
   * Adds the events it does not have yet (by order_id and seq), then folds away the
   * finished orders past the newest `finishedShown`.
   * @param {unknown[]} events
   * @returns {{ added: OrderEvent[], changed: Set<string>, newOrders: Set<string>, folded: Set<string> }}
   *   what was new, the orders it changed (among them the new ones), and the orders folded away
   */
  add(events) {
    /** @type {OrderEvent[]} */
    const added = [];
    /** @type {Set<string>} */
    const changed = new Set();
    /** @type {Set<string>} */
    const newOrders = new Set();
    for (const event of events) {
      if (!isEvent(event)) continue;
      if (this.lastId === undefined || compareIds(event.id, this.lastId) > 0) this.lastId = event.id;
      if (this.#folded.has(event.order_id)) continue;
      let kept = this.#orders.get(event.order_id);
      if (kept === undefined) {
        kept = { id: event.order_id, first: event.id, events: [], view: describeOrder(event.order_id, []) };
        this.#orders.set(event.order_id, kept);
        newOrders.add(event.order_id);
      } else if (kept.events.some((e) => e.seq === event.seq)) {
        continue;
      }
      insertBy(kept.events, event, (a, b) => a.seq - b.seq);
      if (compareIds(event.id, kept.first) < 0) kept.first = event.id;
      changed.add(event.order_id);
      this.#toFeed(event);
      added.push(event);
    }
    for (const id of changed) {
      const kept = /** @type {Kept} */ (this.#orders.get(id));
      kept.view = describeOrder(id, [...kept.events]);
    }
    const folded = this.#fold();
    for (const id of folded) {
      changed.delete(id);
      newOrders.delete(id);
    }
    return { added, changed, newOrders, folded };
  }

  /** @param {OrderEvent} event */
  #toFeed(event) {
    insertBy(this.#feed, event, (a, b) => compareIds(a.id, b.id));
    if (this.#feed.length > this.#feedLength) this.#feed.shift();
  }

  /** Folds away the finished orders past the newest `finishedShown`; returns their ids. */
  #fold() {
    const finished = this.#kept().filter((k) => isFinished(k.view.status));
    /** @type {Set<string>} */
    const folded = new Set();
    for (const kept of finished.slice(this.#finishedShown)) {
      const status = kept.view.status;
      if (status === "completed" || status === "failed") this.#foldedCounts[status] += 1;
      this.#orders.delete(kept.id);
      this.#folded.set(kept.id, status);
      folded.add(kept.id);
    }
    // The oldest ids are forgotten: events that old no longer come back from the history.
    for (const id of this.#folded.keys()) {
      if (this.#folded.size <= this.#remembered) break;
      this.#folded.delete(id);
    }
    return folded;
  }

  /** The orders kept, the newest first (by their first event to arrive). */
  #kept() {
    return [...this.#orders.values()].sort((a, b) => compareIds(b.first, a.first));
  }

  /**
   * @param {string} id
   * @returns {OrderView | undefined}
   */
  order(id) {
    return this.#orders.get(id)?.view;
  }

  /**
   * The orders it shows, the newest first.
   * @returns {OrderView[]}
   */
  orders() {
    return this.#kept().map((k) => k.view);
  }

  /** How many finished orders it folded away. */
  get folded() {
    return this.#foldedCounts.completed + this.#foldedCounts.failed;
  }

  /**
   * The newest events, the newest first.
   * @param {number} [limit]
   * @returns {OrderEvent[]}
   */
  feed(limit = Infinity) {
    const count = Math.min(limit, this.#feed.length);
    return this.#feed.slice(this.#feed.length - count).reverse();
  }

  /**
   * How many orders there are, in all and in each status (folded ones included).
   * @returns {Record<Status | "all", number>}
   */
  counts() {
    const counts = { all: this.folded, processing: 0, awaiting: 0, completed: this.#foldedCounts.completed, failed: this.#foldedCounts.failed };
    for (const { view } of this.#orders.values()) {
      counts.all += 1;
      counts[view.status] += 1;
    }
    return counts;
  }
}

/**
 * Puts the item into the sorted list (it almost always goes last).
 * @template T
 * @param {T[]} list
 * @param {T} item
 * @param {(a: T, b: T) => number} compare
 */
function insertBy(list, item, compare) {
  let i = list.length;
  while (i > 0 && compare(/** @type {T} */ (list[i - 1]), item) > 0) i -= 1;
  list.splice(i, 0, item);
}
