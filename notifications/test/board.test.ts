// The page's own logic (public/board.js, which the browser loads as it is).
import { expect } from "chai";
import { failureTypes as contractFailureTypes, notificationSchema } from "@dapr-orders/service-kit";
import { Board, compareIds, describeOrder, failureTypes, notificationTypes, statusLabels, toneOf, type NotificationType, type OrderEvent } from "../public/board.js";

const id = "4f6c1d2e-0000-4000-8000-000000000001";
const order = { customer: "joni", item: "kiwi", total: 121.5 };
const deadline = "2025-05-02T10:00:00.000Z";

/** Stream ids in the order events arrive. */
let arrival = 0;
/** An event of `order_id` with the given seq and type (its message says only that). */
const at = (seq: number, type: NotificationType, order_id = id, extra: Partial<OrderEvent> = {}): OrderEvent => ({
  id: `1700000000000-${arrival++}`,
  order_id,
  seq,
  type,
  message: `${type} message`,
  order,
  time: "2025-05-01T10:00:00.000Z",
  ...extra,
});
/** The order's events, seq 1, 2, 3... of these types. */
const events = (...types: NotificationType[]) => types.map((type, i) => at(i + 1, type));
const stateOf = (view: ReturnType<typeof describeOrder>) => Object.fromEntries(view.steps.map((s) => [s.key, s.state]));

const straightThrough: NotificationType[] = ["placed", "reserved", "paid", "shipped", "completed"];

describe("board: the notification contract", () => {
  it("knows the notification types of the contract's schema, and no other", () => {
    expect([...notificationTypes]).to.deep.equal(notificationSchema.shape.type.options);
  });

  it("fails an order on the contract's failure types", () => {
    expect([...failureTypes]).to.deep.equal([...contractFailureTypes]);
    for (const type of notificationTypes) expect(toneOf(type) === "danger", type).to.equal((contractFailureTypes as readonly string[]).includes(type));
  });
});

describe("board: what an order's events say", () => {
  it("takes customer, item and total from the events' order", () => {
    const view = describeOrder(id, events("placed"));
    expect(view).to.include({ id, customer: "joni", item: "kiwi", total: 121.5, status: "processing" });
    expect(stateOf(view)).to.deep.equal({ stock: "active", payment: "todo", shipping: "todo" });
  });

  it("gives the order's trace id from its events, when one has a well-formed one", () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    expect(describeOrder(id, [at(1, "placed"), at(2, "reserved", id, { trace_id: traceId })]).traceId).to.equal(traceId);
    expect(describeOrder(id, [at(1, "placed", id, { trace_id: "javascript:alert(1)" })]).traceId).to.equal(undefined);
    expect(describeOrder(id, events("placed")).traceId).to.equal(undefined);
  });

  it("keeps any text as it is, markup included", () => {
    const customer = "<img src=x onerror=alert(1)>";
    const view = describeOrder(id, [at(1, "placed", id, { order: { customer, item: "a, b. Item: c", total: 10 } })]);
    expect(view).to.include({ customer, item: "a, b. Item: c", total: 10 });
  });

  it("an order that went through: completed, every step done", () => {
    const view = describeOrder(id, events(...straightThrough));
    expect(view.status).to.equal("completed");
    expect(statusLabels[view.status]).to.equal("completed");
    expect(stateOf(view)).to.deep.equal({ stock: "done", payment: "done", shipping: "done" });
  });

  it("reads each event's type, never its message", () => {
    const misleading = [at(1, "placed"), at(2, "reserved", id, { message: "Payment processed" })];
    expect(stateOf(describeOrder(id, misleading))).to.deep.equal({ stock: "done", payment: "active", shipping: "todo" });
  });

  it("an expensive order waits for approval until the deadline of its field, and goes on once approved, saying by whom", () => {
    const waiting = at(3, "awaitingApproval", id, { message: "Waiting for approval: Deadline: not this one", deadline });
    const waitingView = describeOrder(id, [at(1, "placed"), at(2, "reserved"), waiting]);
    expect(waitingView).to.include({ status: "awaiting", deadline });
    expect(statusLabels[waitingView.status]).to.equal("awaiting approval");
    expect(stateOf(waitingView)).to.deep.equal({ stock: "done", approval: "waiting", payment: "todo", shipping: "todo" });

    const approved = describeOrder(id, [at(1, "placed"), at(2, "reserved"), waiting, at(4, "approved", id, { approver: "kendall" })]);
    expect(approved.status).to.equal("processing");
    expect(approved.deadline).to.equal(undefined);
    expect(approved.decision).to.deep.equal({ approved: true, approver: "kendall" });
    expect(stateOf(approved)).to.deep.equal({ stock: "done", approval: "done", payment: "active", shipping: "todo" });
  });

  const failed: [string, NotificationType[], Record<string, string>][] = [
    ["out of stock", ["placed", "reserveFailed"], { stock: "failed", payment: "skipped", shipping: "skipped" }],
    ["rejected", ["placed", "reserved", "awaitingApproval", "rejected", "released"],
      { stock: "undone", approval: "failed", payment: "skipped", shipping: "skipped" }],
    ["not approved in time", ["placed", "reserved", "awaitingApproval", "expired", "released"],
      { stock: "undone", approval: "failed", payment: "skipped", shipping: "skipped" }],
    ["declined", ["placed", "reserved", "paymentFailed", "released"], { stock: "undone", payment: "failed", shipping: "skipped" }],
    ["not shipped", ["placed", "reserved", "paid", "shippingFailed", "refunded", "released"],
      { stock: "undone", payment: "undone", shipping: "failed" }],
    ["shipping unknown, its shipment cancelled", ["placed", "reserved", "paid", "shippingFailed", "shipmentCancelled", "refunded", "released"],
      { stock: "undone", payment: "undone", shipping: "failed" }],
  ];
  for (const [name, types, steps] of failed) {
    it(`an order that failed (${name}): failed, with the reason, what was undone, and what never ran`, () => {
      const list = events(...types);
      const view = describeOrder(id, list);
      expect(view.status).to.equal("failed");
      expect(view.reason).to.equal(list.find((e) => toneOf(e.type) === "danger")!.message);
      expect(stateOf(view)).to.deep.equal(steps);
    });
  }

  it("says who rejected an order", () => {
    const view = describeOrder(id, [at(1, "placed"), at(2, "reserved"), at(3, "awaitingApproval", id, { deadline }), at(4, "rejected", id, { approver: "mona" })]);
    expect(view.decision).to.deep.equal({ approved: false, approver: "mona" });
  });

  it("gives every type a tone, and an unknown one a neutral tone", () => {
    expect(toneOf("reserved")).to.equal("success");
    expect(toneOf("awaitingApproval")).to.equal("warning");
    expect(toneOf("refunded")).to.equal("undo");
    expect(toneOf("rejected")).to.equal("danger");
    expect(toneOf("somethingNew")).to.equal("info");
    expect(toneOf("toString")).to.equal("info");
  });
});

describe("board: the events a page has", () => {
  it("orders event ids by time, then sequence, as numbers", () => {
    expect(compareIds("1700000000000-2", "1700000000000-10")).to.be.below(0);
    expect(compareIds("1700000000001-0", "1700000000000-99")).to.be.above(0);
    expect(compareIds("999-0", "1000-0")).to.be.below(0);
    expect(compareIds("5-5", "5-5")).to.equal(0);
  });

  it("keeps each (order_id, seq) once, however often and under whatever id it comes", () => {
    const board = new Board();
    const [a, b, c] = [at(1, "placed"), at(2, "reserved"), at(3, "paid")];
    expect(board.add([a, b]).added).to.deep.equal([a, b]);
    const again = board.add([b, a, c, c, { ...c!, id: "1800000000000-0", message: "a repeat" }]);
    expect(again.added).to.deep.equal([c]);
    expect(board.order(id)!.events).to.deep.equal([a, b, c]);
    expect(board.feed()).to.deep.equal([c, b, a]);
  });

  it("orders an order's timeline by seq, whatever order the events arrive in; the feed keeps their arrival", () => {
    const board = new Board();
    const [third, first, second] = [at(3, "paid"), at(1, "placed"), at(2, "reserved")];
    board.add([third]);
    board.add([first, second]);
    expect(board.order(id)!.events.map((e) => e.seq)).to.deep.equal([1, 2, 3]);
    expect(board.order(id)!.steps.map((s) => s.state)).to.deep.equal(["done", "done", "active"]);
    expect(board.feed().map((e) => e.seq)).to.deep.equal([2, 1, 3]);
    expect(board.lastId).to.equal(second!.id);
  });

  it("says which orders changed and which are new", () => {
    const board = new Board();
    board.add([at(1, "placed", "o-1")]);
    const { changed, newOrders } = board.add([at(2, "reserved", "o-1"), at(1, "placed", "o-2"), at(1, "placed", "o-1")]);
    expect([...changed]).to.deep.equal(["o-1", "o-2"]);
    expect([...newOrders]).to.deep.equal(["o-2"]);
  });

  it("lists orders newest first (by their first event to arrive), and counts them by status", () => {
    const board = new Board();
    board.add([at(1, "placed", "o-1"), at(1, "placed", "o-2"), at(2, "reserved", "o-1"), at(3, "awaitingApproval", "o-1", { deadline }), at(1, "placed", "o-3")]);
    board.add([at(2, "reserveFailed", "o-3")]);
    expect(board.orders().map((o) => o.id)).to.deep.equal(["o-3", "o-2", "o-1"]);
    expect(board.counts()).to.deep.equal({ all: 3, processing: 1, awaiting: 1, completed: 0, failed: 1 });
  });

  it("ignores anything that is not an event", () => {
    const board = new Board();
    const good = at(1, "placed");
    const { added } = board.add([
      { order_id: "o-1", seq: 1, type: "placed", message: "x", order, time: "" },
      { ...good, id: "latest" },
      { ...good, seq: 0 },
      { ...good, seq: "1" },
      { ...good, order_id: "" },
      { ...good, order: null },
      null,
      "text",
    ]);
    expect(added).to.be.empty;
    expect(board.lastId).to.equal(undefined);
  });
});

describe("board: folding older finished orders away", () => {
  /** Adds an order with the given types, under its own id; returns the id. */
  const place = (board: Board, name: string, types: NotificationType[]) => {
    board.add(types.map((type, i) => at(i + 1, type, name, type === "awaitingApproval" ? { deadline } : {})));
    return name;
  };

  it("shows every open order and the newest finished ones; older finished ones become a count, and their events leave", () => {
    const board = new Board({ finishedShown: 3 });
    const waiting = place(board, "waiting", ["placed", "reserved", "awaitingApproval"]);
    const done = Array.from({ length: 6 }, (_, i) => place(board, `done-${i}`, i === 2 ? ["placed", "reserveFailed"] : straightThrough));
    const running = place(board, "running", ["placed", "reserved"]);

    expect(board.orders().map((o) => o.id)).to.deep.equal([running, "done-5", "done-4", "done-3", waiting]);
    expect(board.folded).to.equal(3);
    expect(board.order("done-0")).to.equal(undefined);
    expect(board.counts()).to.deep.equal({ all: 8, processing: 1, awaiting: 1, completed: 5, failed: 1 });
    expect(board.feed().some((e) => e.order_id === done[0])).to.equal(true); // the feed keeps its own few
  });

  it("says which orders it folded, at the moment an order finishing pushes them out", () => {
    const board = new Board({ finishedShown: 2 });
    place(board, "a", straightThrough);
    place(board, "b", straightThrough);
    board.add([at(1, "placed", "c")]);
    const { folded, changed } = board.add([at(2, "reserveFailed", "c")]);
    expect([...folded]).to.deep.equal(["a"]);
    expect([...changed]).to.deep.equal(["c"]);
    expect(board.orders().map((o) => o.id)).to.deep.equal(["c", "b"]);
  });

  it("does not bring a folded order back for an event of it that comes late or again (after a reconnect)", () => {
    const board = new Board({ finishedShown: 1 });
    const first = straightThrough.map((type, i) => at(i + 1, type, "a"));
    board.add(first);
    place(board, "b", straightThrough);
    expect(board.order("a")).to.equal(undefined);
    const again = board.add([...first, at(6, "released", "a")]);
    expect(again.added).to.be.empty;
    expect(again.changed.size).to.equal(0);
    expect(board.order("a")).to.equal(undefined);
    expect(board.counts().completed).to.equal(2);
  });

  it("keeps what it holds bounded however many orders come: 2000 orders of 5 events", () => {
    const board = new Board({ finishedShown: 50, feedLength: 200, remembered: 500 });
    for (let n = 0; n < 2000; n++) place(board, `load-${n}`, n % 100 === 0 ? ["placed", "reserved", "awaitingApproval"] : straightThrough);
    const shown = board.orders();
    expect(shown).to.have.length(20 + 50); // every one awaiting approval, and the newest 50 finished
    const newest = Array.from({ length: 50 }, (_, i) => `load-${1999 - i}`);
    expect(shown.filter((o) => o.status === "completed").map((o) => o.id)).to.deep.equal(newest);
    expect(board.feed()).to.have.length(200);
    expect(board.folded).to.equal(2000 - 20 - 50);
    expect(board.counts()).to.deep.include({ all: 2000, awaiting: 20, completed: 1980 });
  });
});
