// The board's logic, without the DOM: which events the page has (each once, in id
// order), and what an order's events say about it (customer, item, total, status,
// the steps it went through). app.js draws it; notifications/test tests it.
//
// The messages are the ones the order workflow sends (order-processor/src/workflow.ts).

/** @typedef {{ id: string, order_id: string, message: string, time: string }} OrderEvent */
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
 * @property {OrderEvent[]} events oldest first
 * @property {string} [deadline] ISO time by which an order awaiting approval must be decided
 * @property {string} [reason] the message that made it fail
 */

/** @type {Record<Status, string>} */
export const statusLabels = {
  processing: "processing",
  awaiting: "awaiting approval",
  completed: "completed",
  failed: "failed",
};

/**
 * What each message of the workflow means.
 * @type {[kind: string, pattern: RegExp, tone: Tone][]}
 */
const messages = [
  ["placed", /^Processing order for (.*?)\. Item: (.*), Total: (\S+)$/s, "info"],
  ["reserveFailed", /^Failed to reserve inventory: /, "danger"],
  ["reserved", /^Reserved inventory: (.*)$/s, "success"],
  ["awaitingApproval", /^Waiting for approval: .* Deadline: (\S+)$/s, "warning"],
  ["expired", /^Approval deadline expired\.$/, "danger"],
  ["rejected", /^Order was rejected by (.*)\.$/s, "danger"],
  ["approved", /^Order was approved by (.*)\.$/s, "success"],
  ["paymentFailed", /^Payment failed: /, "danger"],
  ["paid", /^Payment processed$/, "success"],
  ["shippingFailed", /^Shipping failed: /, "danger"],
  ["refunded", /^Payment refunded$/, "undo"],
  ["released", /^Released inventory: /, "undo"],
  ["shipped", /^Order submitted for shipping$/, "success"],
  ["completed", /^Order processed for (.*?)\. Item: (.*), Total: (\S+)$/s, "success"],
];

const failures = ["reserveFailed", "expired", "rejected", "paymentFailed", "shippingFailed"];

/**
 * The kind of a message ("reserved", "paid", …; "other" for one the board does not know), its tone, and what its pattern captured.
 * @param {string} message
 * @returns {{ kind: string, tone: Tone, parts: string[] }}
 */
export function classify(message) {
  for (const [kind, pattern, tone] of messages) {
    const match = pattern.exec(message);
    if (match !== null) return { kind, tone, parts: match.slice(1) };
  }
  return { kind: "other", tone: "info", parts: [] };
}

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
 * What an order's events (oldest first) say about it.
 * @param {string} id
 * @param {OrderEvent[]} events
 * @returns {OrderView}
 */
export function describeOrder(id, events) {
  /** @type {OrderView} */
  const view = { id, status: "processing", steps: [], events };
  /** @type {Map<string, string[]>} */
  const seen = new Map();
  for (const event of events) {
    const { kind, parts } = classify(event.message);
    if (!seen.has(kind)) seen.set(kind, parts);
    if (failures.includes(kind)) view.reason ??= event.message;
  }

  // The first event names customer, item and total, and so does the last of a completed order.
  const placed = seen.get("placed") ?? seen.get("completed");
  if (placed !== undefined) {
    view.customer = placed[0];
    view.item = placed[1];
    const total = Number(placed[2]);
    if (Number.isFinite(total)) view.total = total;
  } else if (seen.has("reserved")) {
    view.item = seen.get("reserved")?.[0]; // the first event is no longer in the history
  }

  const has = (/** @type {string} */ kind) => seen.has(kind);
  const needsApproval = has("awaitingApproval") || has("approved") || has("rejected") || has("expired");
  if (failures.some(has)) view.status = "failed";
  else if (has("completed")) view.status = "completed";
  else if (has("awaitingApproval") && !has("approved")) view.status = "awaiting";
  if (view.status === "awaiting") view.deadline = seen.get("awaitingApproval")?.[0];

  /** @type {[string, string, StepState | undefined][]} */
  const steps = [
    ["stock", "Stock", has("reserveFailed") ? "failed" : has("released") ? "undone" : has("reserved") ? "done" : undefined],
    ...(needsApproval
      ? /** @type {[string, string, StepState | undefined][]} */ ([
          ["approval", "Approval", has("rejected") || has("expired") ? "failed" : has("approved") ? "done" : "waiting"],
        ])
      : []),
    ["payment", "Payment", has("paymentFailed") ? "failed" : has("refunded") ? "undone" : has("paid") ? "done" : undefined],
    ["shipping", "Shipping", has("shippingFailed") ? "failed" : has("shipped") ? "done" : undefined],
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

/** The events a page has, each once, in the order they were added (by id). */
export class Board {
  /** @type {Map<string, OrderEvent>} */
  #byId = new Map();
  /** @type {Map<string, OrderEvent[]>} */
  #byOrder = new Map();
  /** @type {OrderEvent[]} */
  #all = [];

  /**
   * The id of the newest event, which the page sends when it reconnects.
   * @type {string | undefined}
   */
  lastId;

  /**
   * Adds the events it does not have yet (by id), each where its id puts it.
   * @param {OrderEvent[]} events
   * @returns {{ added: OrderEvent[], orders: Set<string>, newOrders: Set<string> }} what was new, and the orders it changed
   */
  add(events) {
    /** @type {OrderEvent[]} */
    const added = [];
    const orders = new Set();
    const newOrders = new Set();
    for (const event of events) {
      if (typeof event?.id !== "string" || this.#byId.has(event.id)) continue;
      this.#byId.set(event.id, event);
      let list = this.#byOrder.get(event.order_id);
      if (list === undefined) {
        list = [];
        this.#byOrder.set(event.order_id, list);
        newOrders.add(event.order_id);
      }
      insertInOrder(list, event);
      insertInOrder(this.#all, event);
      orders.add(event.order_id);
      added.push(event);
      if (this.lastId === undefined || compareIds(event.id, this.lastId) > 0) this.lastId = event.id;
    }
    return { added, orders, newOrders };
  }

  /**
   * @param {string} id
   * @returns {OrderView | undefined}
   */
  order(id) {
    const events = this.#byOrder.get(id);
    return events === undefined ? undefined : describeOrder(id, [...events]);
  }

  /**
   * Every order, the newest first (by its first event).
   * @returns {OrderView[]}
   */
  orders() {
    return [...this.#byOrder.entries()]
      .sort(([, a], [, b]) => compareIds(b[0]?.id ?? "0-0", a[0]?.id ?? "0-0"))
      .map(([id, events]) => describeOrder(id, [...events]));
  }

  /**
   * Every event, the newest first.
   * @param {number} [limit]
   * @returns {OrderEvent[]}
   */
  feed(limit = Infinity) {
    const count = Math.min(limit, this.#all.length);
    return this.#all.slice(this.#all.length - count).reverse();
  }

  /**
   * How many orders there are, in all and in each status.
   * @returns {Record<Status | "all", number>}
   */
  counts() {
    const counts = { all: 0, processing: 0, awaiting: 0, completed: 0, failed: 0 };
    for (const view of this.orders()) {
      counts.all += 1;
      counts[view.status] += 1;
    }
    return counts;
  }
}

/**
 * Puts the event into the list, which is in id order (it almost always goes last).
 * @param {OrderEvent[]} list
 * @param {OrderEvent} event
 */
function insertInOrder(list, event) {
  let i = list.length;
  while (i > 0 && compareIds(/** @type {OrderEvent} */ (list[i - 1]).id, event.id) > 0) i -= 1;
  list.splice(i, 0, event);
}
