// The order's outbox (src/outbox.ts): how notifications are numbered and held.
import { expect } from "chai";
import type { Order } from "../src/model.js";
import { notes } from "../src/notes.js";
import { emptied, emptyOutbox, withNotes } from "../src/outbox.js";

const order: Order = { id: "order-1", customer: "joni", item: "kiwi", total: 121 };

describe("outbox", () => {
  it("numbers an order's notes from 1 in the order they are said, each with the order", () => {
    const outbox = withNotes(withNotes(emptyOutbox, order, [notes.placed(order)]), order, [notes.reserved(order), notes.paid()]);
    expect(outbox.nextSeq).to.equal(4);
    expect(outbox.held.map((n) => [n.seq, n.type])).to.deep.equal([
      [1, "placed"],
      [2, "reserved"],
      [3, "paid"],
    ]);
    expect(outbox.held.every((n) => n.order_id === "order-1")).to.equal(true);
    expect(outbox.held[0]!.order).to.deep.equal({ customer: "joni", item: "kiwi", total: 121 });
  });

  it("keeps numbering on after what was published, and holds what was not", () => {
    const published = emptied(withNotes(emptyOutbox, order, [notes.placed(order), notes.reserved(order)]));
    expect(published).to.deep.equal({ nextSeq: 3, held: [] });
    const next = withNotes(published, order, [notes.paid()]);
    expect(next.held.map((n) => n.seq)).to.deep.equal([3]);
  });

  it("says nothing new for no notes, and never changes the outbox it was given (the workflow's history holds it)", () => {
    const given = withNotes(emptyOutbox, order, [notes.placed(order)]);
    const copy = structuredClone(given);
    expect(withNotes(given, order, [])).to.deep.equal(given);
    withNotes(given, order, [notes.paid()]);
    emptied(given);
    expect(given).to.deep.equal(copy);
    expect(emptyOutbox).to.deep.equal({ nextSeq: 1, held: [] });
  });

  it("numbers the same way each time: the same notes said again are the same notifications", () => {
    const once = withNotes(emptyOutbox, order, [notes.placed(order), notes.reserved(order)]);
    const again = withNotes(emptyOutbox, order, [notes.placed(order), notes.reserved(order)]);
    expect(again).to.deep.equal(once);
  });
});
