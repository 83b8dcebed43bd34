import { expect } from "chai";
import { EtagMismatch } from "@dapr-orders/service-kit";
import { MemoryStateStore, type StoreCall } from "@dapr-orders/service-kit/testing";
import { applyReserve, settleEntry, Stock, type Reservation, type StockDocument, type StockOptions } from "../src/stock.js";

const options: StockOptions = {
  items: ["orange", "apple", "pear", "kiwi"],
  restockQuantity: 100,
  maxAttempts: 5,
};

async function stocked(quantity: number, more: Partial<StockOptions> = {}) {
  const store = new MemoryStateStore();
  await store.set("stock-kiwi", { name: "kiwi", quantity, pending: {} }, undefined);
  return { stock: new Stock(store, { ...options, ...more }), store };
}

const kiwi = (store: MemoryStateStore) => store.peek<StockDocument>("stock-kiwi")!;
const quantityOf = (store: MemoryStateStore) => kiwi(store).quantity;
const recordOf = (store: MemoryStateStore, id: string) => store.peek<Reservation>(`reservation-${id}`);
/** Units the order holds, by its record's effects: takes less returns. */
const heldBy = (store: MemoryStateStore, id: string) =>
  (recordOf(store, id)?.effects ?? []).reduce((n, e) => n + (e.kind === "take" ? 1 : -1), 0);
/** Every unit of kiwi: on the shelf, or held by one of the orders `ids`, as their records count. */
const unitsOf = (store: MemoryStateStore, ids: string[]) => quantityOf(store) + ids.reduce((n, id) => n + heldBy(store, id), 0);

const crash = new Error("crash");
/** Makes the store throw `crash` once, right after the first call that `matches` took effect. */
function crashAfter(store: MemoryStateStore, matches: (call: StoreCall) => boolean) {
  store.after = (call) => {
    if (!matches(call)) return;
    store.after = undefined;
    throw crash;
  };
}
const writeOf = (key: string) => (call: StoreCall) => call.op === "set" && call.keys[0] === key;

describe("stock", () => {
  it("lists nothing before a restock, and every item after one", async () => {
    const stock = new Stock(new MemoryStateStore(), options);
    expect(await stock.list()).to.deep.equal([]);
    await stock.restock();
    expect(await stock.list()).to.deep.equal([
      { name: "orange", quantity: 100 },
      { name: "apple", quantity: 100 },
      { name: "pear", quantity: 100 },
      { name: "kiwi", quantity: 100 },
    ]);
  });

  it("clears every item: none listed, none sold, until the next restock", async () => {
    const store = new MemoryStateStore();
    const stock = new Stock(store, options);
    await stock.restock();
    await stock.clear();
    expect(await stock.list()).to.deep.equal([]);
    expect(await stock.reserve("o-1", "kiwi")).to.deep.equal({ id: "o-1", success: false, message: "Out of stock: kiwi" });
    await stock.restock();
    expect((await stock.list()).map((i) => i.quantity)).to.deep.equal([100, 100, 100, 100]);
    expect(kiwi(store)).to.deep.equal({ name: "kiwi", quantity: 100, pending: {} });
  });

  it("keeps orders in flight through a clear and a restock: a reservation cut short finishes without taking a second unit", async () => {
    const { stock, store } = await stocked(3);
    crashAfter(store, writeOf("stock-kiwi")); // the unit is taken, the record not yet final
    expect(await stock.reserve("o-1", "kiwi").catch((err) => err)).to.equal(crash);
    await stock.clear();
    expect(kiwi(store)).to.deep.equal({ name: "kiwi", quantity: 0, pending: { "o-1": "reserved" }, cleared: true });
    await stock.restock();
    expect(kiwi(store)).to.deep.equal({ name: "kiwi", quantity: 100, pending: { "o-1": "reserved" } });
    expect(await new Stock(store, options).reserve("o-1", "kiwi")).to.deep.equal({ id: "o-1", success: true, message: "Already reserved: kiwi" });
    expect(kiwi(store)).to.deep.equal({ name: "kiwi", quantity: 100, pending: {} });
    expect(recordOf(store, "o-1")).to.deep.equal({ order_id: "o-1", item: "kiwi", status: "reserved", effects: [{ kind: "take" }] });
    expect(await stock.release("o-1", "kiwi")).to.include({ undone: true, message: "Released kiwi, 101 left" });
  });

  describe("reserve", () => {
    it("takes one unit, notes it in the order's record, and leaves the document with no entry", async () => {
      const { stock, store } = await stocked(3);
      expect(await stock.reserve("o-1", "kiwi")).to.deep.equal({ id: "o-1", success: true, message: "Reserved kiwi, 2 left" });
      expect(kiwi(store)).to.deep.equal({ name: "kiwi", quantity: 2, pending: {} });
      expect(recordOf(store, "o-1")).to.deep.equal({ order_id: "o-1", item: "kiwi", status: "reserved", effects: [{ kind: "take" }] });
    });

    it("writes the record first, then the document, then the record, then the document", async () => {
      const { stock, store } = await stocked(3);
      const calls: StoreCall[] = [];
      store.before = (call) => void calls.push(call);
      await stock.reserve("o-1", "kiwi");
      const writes = calls.filter((c) => c.op === "set").map((c) => c.keys[0]);
      expect(writes).to.deep.equal(["reservation-o-1", "stock-kiwi", "reservation-o-1", "stock-kiwi"]);
    });

    it("fails when the item is out of stock, never goes below zero, and answers the same later", async () => {
      const { stock, store } = await stocked(0);
      const refused = { id: "o-1", success: false, message: "Out of stock: kiwi" };
      expect(await stock.reserve("o-1", "kiwi")).to.deep.equal(refused);
      expect(kiwi(store)).to.deep.equal({ name: "kiwi", quantity: 0, pending: {} });
      expect(recordOf(store, "o-1")).to.deep.equal({ order_id: "o-1", item: "kiwi", status: "refused", effects: [] });
      await stock.restock();
      expect(await stock.reserve("o-1", "kiwi")).to.deep.equal(refused);
      expect(quantityOf(store)).to.equal(100);
    });

    it("fails for an item that was never stocked, and answers the same later", async () => {
      const { stock } = await stocked(3);
      expect((await stock.reserve("o-1", "durian")).success).to.equal(false);
      expect((await stock.reserve("o-1", "durian")).message).to.equal("Out of stock: durian");
    });

    it("takes one unit per order, however often the same order asks", async () => {
      const { stock, store } = await stocked(3);
      await stock.reserve("o-1", "kiwi");
      expect(await stock.reserve("o-1", "kiwi")).to.deep.equal({ id: "o-1", success: true, message: "Already reserved: kiwi" });
      expect(quantityOf(store)).to.equal(2);
      expect(recordOf(store, "o-1")?.effects).to.deep.equal([{ kind: "take" }]);
    });

    it("takes one unit when the same order is reserved on four replicas at once", async () => {
      const { store } = await stocked(3);
      const answers = await Promise.all(Array.from({ length: 4 }, () => new Stock(store, { ...options, maxAttempts: 20 }).reserve("o-1", "kiwi")));
      expect(answers.every((a) => a.success)).to.equal(true);
      expect(answers.filter((a) => a.message === "Reserved kiwi, 2 left")).to.have.length.at.most(1);
      expect(quantityOf(store)).to.equal(2);
      expect(recordOf(store, "o-1")?.effects).to.deep.equal([{ kind: "take" }]);
      expect(kiwi(store).pending).to.deep.equal({});
    });

    it("retries when another writer changed the stock between its read and its write", async () => {
      const { store } = await stocked(5);
      store.before = async ({ op, keys }) => {
        if (op !== "set" || keys[0] !== "stock-kiwi") return;
        store.before = undefined;
        const { value, etag } = await store.get<StockDocument>("stock-kiwi");
        await store.set("stock-kiwi", { ...value!, quantity: 1 }, etag); // someone else's write wins the race
      };
      const conflicts: string[] = [];
      const retrying = new Stock(store, { ...options, onConflict: (key, attempt) => void conflicts.push(`${key} ${attempt}`) });
      expect((await retrying.reserve("o-1", "kiwi")).success).to.equal(true);
      expect(conflicts).to.deep.equal(["stock-kiwi 1"]);
      expect(quantityOf(store)).to.equal(0); // 1 - 1: computed from the winner's value
    });

    it("gives up after a bounded number of conflicting attempts, and a later call finishes the reservation", async () => {
      const { store } = await stocked(5);
      let interfering = false;
      store.before = async ({ op, keys }) => {
        if (interfering || op !== "set" || keys[0] !== "stock-kiwi") return;
        interfering = true; // someone else writes first, every time
        const { value, etag } = await store.get("stock-kiwi");
        await store.set("stock-kiwi", value, etag);
        interfering = false;
      };
      let attempts = 0;
      const stock = new Stock(store, { ...options, maxAttempts: 3, onConflict: () => void attempts++ });
      expect(await stock.reserve("o-1", "kiwi").catch((err) => err)).to.be.instanceOf(EtagMismatch);
      expect(attempts).to.equal(2); // retried twice after the first attempt, then gave up
      store.before = undefined;
      expect(await stock.reserve("o-1", "kiwi")).to.include({ success: true });
      expect(quantityOf(store)).to.equal(4);
    });

    it("never oversells when 25 orders race for 10 units", async () => {
      const { store } = await stocked(10);
      let conflicts = 0;
      const stock = new Stock(store, { ...options, maxAttempts: 100, onConflict: () => void conflicts++ });
      const ids = Array.from({ length: 25 }, (_, i) => `o-${i}`);
      const results = await Promise.all(ids.map((id) => stock.reserve(id, "kiwi")));
      expect(conflicts).to.be.greaterThan(0); // the race really happened
      expect(results.filter((r) => r.success)).to.have.length(10);
      expect(quantityOf(store)).to.equal(0);
      expect(unitsOf(store, ids)).to.equal(10);
      expect(kiwi(store).pending).to.deep.equal({});
    });
  });

  describe("release", () => {
    it("puts the reserved unit back, once, however often the same order asks", async () => {
      const { stock, store } = await stocked(3);
      await stock.reserve("o-1", "kiwi");
      expect(await stock.release("o-1", "kiwi")).to.deep.equal({ id: "o-1", success: true, message: "Released kiwi, 3 left", undone: true });
      expect(await stock.release("o-1", "kiwi")).to.deep.equal({ id: "o-1", success: true, message: "Already released: kiwi", undone: true });
      expect(quantityOf(store)).to.equal(3);
      expect(recordOf(store, "o-1")).to.deep.equal({ order_id: "o-1", item: "kiwi", status: "released", effects: [{ kind: "take" }, { kind: "return" }] });
      expect(kiwi(store).pending).to.deep.equal({});
    });

    it("puts it back once when three releases of one order race on three replicas", async () => {
      const { stock, store } = await stocked(3);
      await stock.reserve("o-1", "kiwi");
      const replica = () => new Stock(store, { ...options, maxAttempts: 20 });
      const answers = await Promise.all([replica().release("o-1", "kiwi"), replica().release("o-1", "kiwi"), replica().release("o-1")]);
      expect(answers.every((a) => a.undone)).to.equal(true);
      expect(quantityOf(store)).to.equal(3);
      expect(recordOf(store, "o-1")?.effects).to.deep.equal([{ kind: "take" }, { kind: "return" }]);
    });

    it("releases nothing for an order that reserved nothing, and refuses that order's reservation later", async () => {
      const { stock, store } = await stocked(3);
      expect(await stock.release("o-9", "kiwi")).to.deep.equal({ id: "o-9", success: true, message: "Nothing to release", undone: false });
      expect(recordOf(store, "o-9")).to.deep.equal({ order_id: "o-9", item: "kiwi", status: "cancelled", effects: [] });
      expect(await stock.reserve("o-9", "kiwi")).to.deep.equal({ id: "o-9", success: false, message: "Released before it was reserved: kiwi" });
      expect(quantityOf(store)).to.equal(3);
      expect(await stock.release("o-9", "kiwi")).to.include({ undone: false });
    });

    it("remembers an unknown order released without an item, and refuses its reservation later", async () => {
      const { stock, store } = await stocked(3);
      expect(await stock.release("o-9")).to.include({ undone: false });
      expect(recordOf(store, "o-9")).to.deep.equal({ order_id: "o-9", status: "cancelled", effects: [] });
      expect((await stock.reserve("o-9", "kiwi")).success).to.equal(false);
      expect(quantityOf(store)).to.equal(3);
    });

    it("finds the order's item by its record when the release names none", async () => {
      const { stock, store } = await stocked(3);
      await stock.reserve("o-1", "kiwi");
      expect(await stock.release("o-1")).to.include({ message: "Released kiwi, 3 left", undone: true });
      expect(quantityOf(store)).to.equal(3);
    });

    it("keeps every unit when a reservation and a release of one order race on two replicas, whichever starts first", async () => {
      for (const releaseFirst of [false, true]) {
        const { store } = await stocked(3);
        const release = () => new Stock(store, options).release("o-1", "kiwi");
        const reserve = () => new Stock(store, options).reserve("o-1", "kiwi");
        const [first, second] = await Promise.all(releaseFirst ? [release(), reserve()] : [reserve(), release()]);
        const [reserved, released] = releaseFirst ? [second!, first as { undone: boolean }] : [first!, second as { undone: boolean }];
        if (reserved.success) expect(released.undone, `release first: ${releaseFirst}`).to.equal(true);
        expect(quantityOf(store)).to.equal(3);
        expect(heldBy(store, "o-1")).to.equal(0);
        expect(kiwi(store).pending).to.deep.equal({});
      }
    });

    it("releases nothing for an order that was out of stock", async () => {
      const { stock, store } = await stocked(0);
      await stock.reserve("o-1", "kiwi");
      expect(await stock.release("o-1", "kiwi")).to.include({ message: "Nothing to release", undone: false });
      expect(quantityOf(store)).to.equal(0);
    });

    it("does not let an order reserve again once released", async () => {
      const { stock, store } = await stocked(3);
      await stock.reserve("o-1", "kiwi");
      await stock.release("o-1", "kiwi");
      expect(await stock.reserve("o-1", "kiwi")).to.deep.equal({ id: "o-1", success: false, message: "Already released: kiwi" });
      expect(quantityOf(store)).to.equal(3);
    });

    it("finishes a reservation cut short before its unit was taken, then releases it", async () => {
      const { stock, store } = await stocked(3);
      crashAfter(store, writeOf("reservation-o-1")); // the record says "reserving"; the document is untouched
      expect(await stock.reserve("o-1", "kiwi").catch((err) => err)).to.equal(crash);
      expect(recordOf(store, "o-1")?.status).to.equal("reserving");
      expect(await new Stock(store, options).release("o-1", "kiwi")).to.include({ undone: true });
      expect(recordOf(store, "o-1")?.effects).to.deep.equal([{ kind: "take" }, { kind: "return" }]);
      expect(quantityOf(store)).to.equal(3);
    });
  });

  describe("documents", () => {
    it("a reservation that finds its entry on the document answers from it, and takes nothing", () => {
      const doc: StockDocument = { name: "kiwi", quantity: 2, pending: { "o-1": "reserved" } };
      expect(applyReserve(doc, "o-1")).to.deep.equal({ outcome: "reserved" });
      expect(applyReserve(doc, "o-2")).to.deep.equal({ outcome: "reserved", write: { ...doc, quantity: 1, pending: { "o-1": "reserved", "o-2": "reserved" } } });
      expect(applyReserve({ ...doc, quantity: 0 }, "o-2").write?.pending["o-2"]).to.equal("refused");
      expect(applyReserve({ ...doc, cleared: true }, "o-2").write?.quantity).to.equal(2);
      expect(applyReserve(undefined, "o-2")).to.deep.equal({ outcome: "refused" });
    });

    it("an entry goes once its record is final; a unit taken for an order whose record says refused goes back", () => {
      const doc: StockDocument = { name: "kiwi", quantity: 2, pending: { "o-1": "reserved", "o-2": "released" } };
      expect(settleEntry(doc, "o-1", "reserved")).to.deep.equal({ name: "kiwi", quantity: 2, pending: { "o-2": "released" } });
      expect(settleEntry(doc, "o-1", "refused")).to.deep.equal({ name: "kiwi", quantity: 3, pending: { "o-2": "released" } });
      expect(settleEntry(doc, "o-2", "released")).to.deep.equal({ name: "kiwi", quantity: 2, pending: { "o-1": "reserved" } });
      expect(settleEntry(doc, "o-3", "released")).to.equal(undefined);
    });

    it("stays small: no entry is left once orders are done", async () => {
      const { stock, store } = await stocked(2000);
      for (let i = 0; i < 200; i++) await stock.reserve(`o-${i}`, "kiwi");
      for (let i = 0; i < 100; i++) await stock.release(`o-${i}`, "kiwi");
      expect(kiwi(store)).to.deep.equal({ name: "kiwi", quantity: 1900, pending: {} });
    });
  });

  describe("crashes", () => {
    // A sequence of calls as the workflow makes them; after a crash the call that
    // failed is made again, by a new process (a new Stock on the same store).
    const steps: [string, (stock: Stock) => Promise<{ success: boolean; undone?: boolean }>][] = [
      ["reserve o-1", (s) => s.reserve("o-1", "kiwi")],
      ["reserve o-2", (s) => s.reserve("o-2", "kiwi")],
      ["release o-1", (s) => s.release("o-1", "kiwi")],
      ["release o-3, unknown", (s) => s.release("o-3", "kiwi")],
      ["reserve o-3, too late", (s) => s.reserve("o-3", "kiwi")],
      ["release o-2, no item", (s) => s.release("o-2")],
      ["reserve o-1 again", (s) => s.reserve("o-1", "kiwi")],
      ["reserve o-4", (s) => s.reserve("o-4", "kiwi")],
    ];
    const ids = ["o-1", "o-2", "o-3", "o-4"];

    async function run(store: MemoryStateStore) {
      const answers: string[] = [];
      for (const [name, step] of steps) {
        const answer = await step(new Stock(store, options)).catch((err) => {
          if (err !== crash) throw err;
          return step(new Stock(store, options));
        });
        answers.push(`${name}: success ${answer.success}, undone ${answer.undone}`);
      }
      return answers;
    }

    it("neither loses nor doubles a unit, whichever store call a crash interrupts, before or after it took effect", async () => {
      const clean = await stocked(3);
      const expected = await run(clean.store);
      const callsInAll = clean.store.calls - 1; // the first call set up the stock
      expect(quantityOf(clean.store)).to.equal(2); // only o-4 holds a unit in the end
      for (let k = 2; k <= callsInAll + 1; k++) {
        for (const when of ["before", "after"] as const) {
          const { store } = await stocked(3);
          store[when] = (call) => {
            if (call.n !== k) return;
            store.before = store.after = undefined;
            throw crash;
          };
          const at = `crash ${when} call ${k}`;
          expect(await run(store), at).to.deep.equal(expected);
          expect(quantityOf(store), at).to.equal(2);
          expect(unitsOf(store, ids), at).to.equal(3);
          expect(ids.map((id) => recordOf(store, id)), at).to.deep.equal(ids.map((id) => recordOf(clean.store, id)));
          expect(kiwi(store).pending, at).to.deep.equal({});
        }
      }
    });

    for (const [window, key] of [
      ["after the record was created", "reservation-o-1"],
      ["after the unit was taken", "stock-kiwi"],
    ] as const) {
      it(`takes exactly one unit when a reservation crashes ${window} and is retried after 1000 newer orders of the item`, async () => {
        const { stock, store } = await stocked(2000);
        crashAfter(store, writeOf(key));
        expect(await stock.reserve("o-1", "kiwi").catch((err) => err)).to.equal(crash);
        for (let i = 2; i <= 1001; i++) await stock.reserve(`o-${i}`, "kiwi");
        expect(await new Stock(store, options).reserve("o-1", "kiwi")).to.include({ success: true });
        expect(quantityOf(store)).to.equal(2000 - 1001);
        expect(heldBy(store, "o-1")).to.equal(1);
      });
    }

    it("returns exactly one unit when a release crashes after putting it back and is retried after 1000 newer orders", async () => {
      const { stock, store } = await stocked(2000);
      await stock.reserve("o-1", "kiwi");
      crashAfter(store, writeOf("stock-kiwi"));
      expect(await stock.release("o-1", "kiwi").catch((err) => err)).to.equal(crash);
      for (let i = 2; i <= 1001; i++) await stock.reserve(`o-${i}`, "kiwi");
      expect(await new Stock(store, options).release("o-1", "kiwi")).to.include({ undone: true });
      expect(quantityOf(store)).to.equal(2000 - 1000);
      expect(recordOf(store, "o-1")?.effects).to.deep.equal([{ kind: "take" }, { kind: "return" }]);
    });

    it("takes one unit when another replica finishes the whole reservation while a retry is between its two reads", async () => {
      const { stock, store } = await stocked(3);
      crashAfter(store, writeOf("reservation-o-1")); // the record says "reserving"
      await stock.reserve("o-1", "kiwi").catch(() => undefined);
      let gets = 0;
      store.after = async ({ op }) => {
        if (op !== "get" || ++gets < 2) return; // the retry read the record, then the first of its two reads
        store.after = undefined;
        await new Stock(store, options).reserve("o-1", "kiwi"); // another replica, from start to end
      };
      expect(await new Stock(store, options).reserve("o-1", "kiwi")).to.include({ success: true });
      expect(quantityOf(store)).to.equal(2);
      expect(heldBy(store, "o-1")).to.equal(1);
      expect(kiwi(store).pending).to.deep.equal({});
    });

    it("after a crash between taking the unit and the record, a retry on one replica and a release on another keep every unit", async () => {
      const { stock, store } = await stocked(3);
      crashAfter(store, writeOf("stock-kiwi"));
      await stock.reserve("o-1", "kiwi").catch(() => undefined);
      const [reserved, released] = await Promise.all([new Stock(store, options).reserve("o-1", "kiwi"), new Stock(store, options).release("o-1", "kiwi")]);
      expect(released.undone).to.equal(true); // the unit was taken before the release came
      expect(reserved.message).to.be.oneOf(["Already reserved: kiwi", "Already released: kiwi"]);
      expect(quantityOf(store)).to.equal(3);
      expect(recordOf(store, "o-1")?.effects).to.deep.equal([{ kind: "take" }, { kind: "return" }]);
    });
  });
});
