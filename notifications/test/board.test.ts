// The page's own logic (public/board.js, which the browser loads as it is).
import { expect } from "chai";
import { Board, classify, compareIds, describeOrder, statusLabels, type OrderEvent } from "../public/board.js";

const id = "4f6c1d2e-0000-4000-8000-000000000001";
let seq = 0;
const at = (message: string, order = id): OrderEvent => ({ id: `1700000000000-${seq++}`, order_id: order, message, time: "2025-05-01T10:00:00.000Z" });
const events = (...messages: string[]) => messages.map((m) => at(m));
const deadline = "2025-05-02T10:00:00.000Z";

const placed = "Processing order for joni. Item: kiwi, Total: 121.5";
const waiting = `Waiting for approval: total 1500 is at or above 1000. Deadline: ${deadline}`;
const stateOf = (view: ReturnType<typeof describeOrder>) => Object.fromEntries(view.steps.map((s) => [s.key, s.state]));

describe("board: what an order's events say", () => {
  it("takes customer, item and total from the first event", () => {
    const view = describeOrder(id, events(placed));
    expect(view).to.include({ id, customer: "joni", item: "kiwi", total: 121.5, status: "processing" });
    expect(stateOf(view)).to.deep.equal({ stock: "active", payment: "todo", shipping: "todo" });
  });

  it("keeps any text as it is, markup included", () => {
    const customer = "<img src=x onerror=alert(1)>";
    const view = describeOrder(id, events(`Processing order for ${customer}. Item: a, b. Item: c, Total: 10`));
    expect(view).to.include({ customer, item: "a, b. Item: c", total: 10 });
  });

  it("an order that went through: completed, every step done", () => {
    const view = describeOrder(id, events(placed, "Reserved inventory: kiwi", "Payment processed", "Order submitted for shipping",
      "Order processed for joni. Item: kiwi, Total: 121.5"));
    expect(view.status).to.equal("completed");
    expect(statusLabels[view.status]).to.equal("completed");
    expect(stateOf(view)).to.deep.equal({ stock: "done", payment: "done", shipping: "done" });
  });

  it("an expensive order waits for approval, with its deadline, and goes on once approved", () => {
    const waitingView = describeOrder(id, events(placed, "Reserved inventory: kiwi", waiting));
    expect(waitingView).to.include({ status: "awaiting", deadline });
    expect(statusLabels[waitingView.status]).to.equal("awaiting approval");
    expect(stateOf(waitingView)).to.deep.equal({ stock: "done", approval: "waiting", payment: "todo", shipping: "todo" });

    const approved = describeOrder(id, events(placed, "Reserved inventory: kiwi", waiting, "Order was approved by kendall."));
    expect(approved.status).to.equal("processing");
    expect(approved.deadline).to.equal(undefined);
    expect(stateOf(approved)).to.deep.equal({ stock: "done", approval: "done", payment: "active", shipping: "todo" });
  });

  const failed: [string, string[], Record<string, string>][] = [
    ["out of stock", [placed, "Failed to reserve inventory: Out of stock: kiwi"], { stock: "failed", payment: "skipped", shipping: "skipped" }],
    ["rejected", [placed, "Reserved inventory: kiwi", waiting, "Order was rejected by kendall.", "Released inventory: kiwi"],
      { stock: "undone", approval: "failed", payment: "skipped", shipping: "skipped" }],
    ["not approved in time", [placed, "Reserved inventory: kiwi", waiting, "Approval deadline expired.", "Released inventory: kiwi"],
      { stock: "undone", approval: "failed", payment: "skipped", shipping: "skipped" }],
    ["declined", [placed, "Reserved inventory: kiwi", "Payment failed: Payment declined: 6000 is over the card limit of 5000", "Released inventory: kiwi"],
      { stock: "undone", payment: "failed", shipping: "skipped" }],
    ["not shipped", [placed, "Reserved inventory: kiwi", "Payment processed", "Shipping failed: No courier delivers to nowhere", "Payment refunded", "Released inventory: kiwi"],
      { stock: "undone", payment: "undone", shipping: "failed" }],
  ];
  for (const [name, messages, steps] of failed) {
    it(`an order that failed (${name}): failed, with the reason, what was undone, and what never ran`, () => {
      const view = describeOrder(id, events(...messages));
      expect(view.status).to.equal("failed");
      expect(view.reason).to.equal(messages.find((m) => classify(m).tone === "danger"));
      expect(stateOf(view)).to.deep.equal(steps);
    });
  }

  it("knows the item, if not the customer, when the first event is no longer kept", () => {
    const view = describeOrder(id, events("Reserved inventory: pear", "Payment processed"));
    expect(view).to.include({ item: "pear", status: "processing" });
    expect(view.customer).to.equal(undefined);
  });

  it("gives every message a tone, and an unknown one a neutral tone", () => {
    expect(classify("Reserved inventory: kiwi")).to.deep.include({ kind: "reserved", tone: "success" });
    expect(classify(waiting)).to.deep.include({ kind: "awaitingApproval", tone: "warning", parts: [deadline] });
    expect(classify("Payment refunded").tone).to.equal("undo");
    expect(classify("Order was rejected by kendall.").tone).to.equal("danger");
    expect(classify("Something new")).to.deep.equal({ kind: "other", tone: "info", parts: [] });
  });
});

describe("board: the events a page has", () => {
  it("orders event ids by time, then sequence, as numbers", () => {
    expect(compareIds("1700000000000-2", "1700000000000-10")).to.be.below(0);
    expect(compareIds("1700000000001-0", "1700000000000-99")).to.be.above(0);
    expect(compareIds("999-0", "1000-0")).to.be.below(0);
    expect(compareIds("5-5", "5-5")).to.equal(0);
  });

  it("keeps each event once, however often it comes (live, then again in the history)", () => {
    const board = new Board();
    const [a, b, c] = [at(placed), at("Reserved inventory: kiwi"), at("Payment processed")];
    expect(board.add([a!, b!]).added).to.deep.equal([a, b]);
    const again = board.add([b!, a!, c!, c!]);
    expect(again.added).to.deep.equal([c]);
    expect(board.order(id)!.events).to.deep.equal([a, b, c]);
    expect(board.feed()).to.deep.equal([c, b, a]);
  });

  it("puts an event that comes late where its id puts it, and remembers the newest id", () => {
    const board = new Board();
    const [a, b, c] = [at(placed), at("Reserved inventory: kiwi"), at("Payment processed")];
    board.add([c!]); // live, while the history with a and b was on its way
    board.add([a!, b!, c!]);
    expect(board.order(id)!.events.map((e) => e.message)).to.deep.equal([placed, "Reserved inventory: kiwi", "Payment processed"]);
    expect(board.lastId).to.equal(c!.id);
  });

  it("says which orders changed and which are new", () => {
    const board = new Board();
    board.add([at(placed, "o-1")]);
    const { orders, newOrders } = board.add([at("Reserved inventory: kiwi", "o-1"), at(placed, "o-2")]);
    expect([...orders]).to.deep.equal(["o-1", "o-2"]);
    expect([...newOrders]).to.deep.equal(["o-2"]);
  });

  it("lists orders newest first, and counts them by status", () => {
    const board = new Board();
    board.add([at(placed, "o-1"), at(placed, "o-2"), at("Reserved inventory: kiwi", "o-1"), at(waiting, "o-1"), at(placed, "o-3")]);
    board.add([at("Failed to reserve inventory: Out of stock: kiwi", "o-3")]);
    expect(board.orders().map((o) => o.id)).to.deep.equal(["o-3", "o-2", "o-1"]);
    expect(board.counts()).to.deep.equal({ all: 3, processing: 1, awaiting: 1, completed: 0, failed: 1 });
  });

  it("ignores anything that is not an event with an id", () => {
    const board = new Board();
    const { added } = board.add([{ order_id: "o-1", message: "x", time: "" } as unknown as OrderEvent, null as unknown as OrderEvent]);
    expect(added).to.be.empty;
    expect(board.lastId).to.equal(undefined);
  });
});
