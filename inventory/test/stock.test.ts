import { expect } from "chai";
import { EtagMismatch } from "@dapr-orders/service-kit";
import { MemoryStateStore, type StoreCall } from "@dapr-orders/service-kit/testing";
import { Stock, withOrder, type Reservation, type StockDocument, type StockOptions } from "../src/stock.js";

const options: StockOptions = {
  items: ["orange", "apple", "pear", "kiwi"],
  restockQuantity: 100,
  maxAttempts: 5,
  recentOrders: 1000,
};

async function stocked(quantity: number, more: Partial<StockOptions> = {}) {
  const store = new MemoryStateStore();
  await store.set("stock-kiwi", { name: "kiwi", quantity, orders: {} }, undefined);
  return { stock: new Stock(store, { ...options, ...more }), store };
}

const kiwi = (store: MemoryStateStore) => store.peek<StockDocument>("stock-kiwi")!;
const quantityOf = (store: MemoryStateStore) => kiwi(store).quantity;
const recordOf = (store: MemoryStateStore, id: string) => store.peek<Reservation>(`reservation-${id}`);
/** Every unit of kiwi: on the shelf, or held by an order. */
const unitsOf = (store: MemoryStateStore) =>
  quantityOf(store) + Object.values(kiwi(store).orders).filter((status) => status === "reserved").length;

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

  it("restocks items that orders have reserved from, and keeps what it knows of their orders", async () => {
    const store = new MemoryStateStore();
    const stock = new Stock(store, options);
    await stock.restock();
    await stock.reserve("o-1", "kiwi");
    await stock.release("o-1", "kiwi");
    await stock.reserve("o-2", "kiwi");
    await stock.restock();
    expect(kiwi(store)).to.deep.equal({ name: "kiwi", quantity: 100, orders: { "o-1": "released", "o-2": "reserved" } });
    expect((await stock.reserve("o-1", "kiwi")).success).to.equal(false); // released orders stay released
  });

  it("clears every item", async () => {
    const stock = new Stock(new MemoryStateStore(), options);
    await stock.restock();
    await stock.clear();
    expect(await stock.list()).to.deep.equal([]);
  });

  describe("reserve", () => {
    it("takes one unit, and notes the order in the item's document and in its own record", async () => {
      const { stock, store } = await stocked(3);
      expect(await stock.reserve("o-1", "kiwi")).to.deep.equal({ id: "o-1", success: true, message: "Reserved kiwi, 2 left" });
      expect(kiwi(store)).to.deep.equal({ name: "kiwi", quantity: 2, orders: { "o-1": "reserved" } });
      expect(recordOf(store, "o-1")).to.deep.equal({ order_id: "o-1", item: "kiwi", status: "reserved" });
    });

    it("reads the document and the record in one call, and writes each once", async () => {
      const { stock, store } = await stocked(3);
      const calls: StoreCall[] = [];
      store.before = (call) => void calls.push(call);
      await stock.reserve("o-1", "kiwi");
      expect(calls.map((c) => c.op)).to.deep.equal(["getBulk", "set", "set"]);
      expect(calls[0]!.keys).to.deep.equal(["stock-kiwi", "reservation-o-1"]);
    });

    it("fails when the item is out of stock, never goes below zero, and answers the same later", async () => {
      const { stock, store } = await stocked(0);
      const refused = { id: "o-1", success: false, message: "Out of stock: kiwi" };
      expect(await stock.reserve("o-1", "kiwi")).to.deep.equal(refused);
      expect(kiwi(store)).to.deep.equal({ name: "kiwi", quantity: 0, orders: { "o-1": "refused" } });
      await stock.restock();
      expect(await stock.reserve("o-1", "kiwi")).to.deep.equal(refused);
      expect(quantityOf(store)).to.equal(100);
    });

    it("fails for an item that was never stocked, and answers the same once it is", async () => {
      const { stock } = await stocked(3);
      expect((await stock.reserve("o-1", "durian")).success).to.equal(false);
      expect((await stock.reserve("o-1", "durian")).message).to.equal("Out of stock: durian");
    });

    it("takes one unit per order, however often the same order asks", async () => {
      const { stock, store } = await stocked(3);
      await stock.reserve("o-1", "kiwi");
      expect(await stock.reserve("o-1", "kiwi")).to.deep.equal({ id: "o-1", success: true, message: "Already reserved: kiwi" });
      expect(quantityOf(store)).to.equal(2);
    });

    it("takes one unit when two reservations of the same order run at once", async () => {
      const { stock, store } = await stocked(3);
      const answers = await Promise.all([stock.reserve("o-1", "kiwi"), new Stock(store, options).reserve("o-1", "kiwi")]);
      expect(answers.map((a) => a.message).sort()).to.deep.equal(["Already reserved: kiwi", "Reserved kiwi, 2 left"]);
      expect(quantityOf(store)).to.equal(2);
    });

    it("retries when another writer changed the stock between its read and its write", async () => {
      const { store } = await stocked(5);
      store.before = async ({ op, keys }) => {
        if (op !== "set" || keys[0] !== "stock-kiwi") return;
        store.before = undefined;
        const { value, etag } = await store.get<StockDocument>("stock-kiwi");
        await store.set("stock-kiwi", { ...value!, quantity: 1 }, etag); // someone else's write wins the race
      };
      const conflicts: number[] = [];
      const retrying = new Stock(store, { ...options, onConflict: (_key, attempt) => void conflicts.push(attempt) });
      expect((await retrying.reserve("o-1", "kiwi")).success).to.equal(true);
      expect(conflicts).to.deep.equal([1]);
      expect(quantityOf(store)).to.equal(0); // 1 - 1: computed from the winner's value
    });

    it("gives up after a bounded number of conflicting attempts", async () => {
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
      let error: unknown;
      await stock.reserve("o-1", "kiwi").catch((err) => (error = err));
      expect(error).to.be.instanceOf(EtagMismatch);
      expect(attempts).to.equal(2); // retried twice after the first attempt, then gave up
    });

    it("never oversells when 25 orders race for 10 units", async () => {
      const { store } = await stocked(10);
      let conflicts = 0;
      const stock = new Stock(store, { ...options, maxAttempts: 100, onConflict: () => void conflicts++ });
      const results = await Promise.all(Array.from({ length: 25 }, (_, i) => stock.reserve(`o-${i}`, "kiwi")));
      expect(conflicts).to.be.greaterThan(0); // the race really happened
      expect(results.filter((r) => r.success)).to.have.length(10);
      expect(quantityOf(store)).to.equal(0);
      expect(Object.values(kiwi(store).orders).filter((s) => s === "reserved")).to.have.length(10);
    });
  });

  describe("release", () => {
    it("puts the reserved unit back, once, however often the same order asks", async () => {
      const { stock, store } = await stocked(3);
      await stock.reserve("o-1", "kiwi");
      expect(await stock.release("o-1", "kiwi")).to.deep.equal({ id: "o-1", success: true, message: "Released kiwi, 3 left", undone: true });
      expect(await stock.release("o-1", "kiwi")).to.deep.equal({ id: "o-1", success: true, message: "Already released: kiwi", undone: true });
      expect(quantityOf(store)).to.equal(3);
      expect(recordOf(store, "o-1")?.status).to.equal("released");
    });

    it("puts it back once when three releases of one order race", async () => {
      const { stock, store } = await stocked(3);
      await stock.reserve("o-1", "kiwi");
      const answers = await Promise.all([stock.release("o-1", "kiwi"), stock.release("o-1", "kiwi"), stock.release("o-1")]);
      expect(answers.every((a) => a.undone)).to.equal(true);
      expect(quantityOf(store)).to.equal(3);
    });

    it("releases nothing for an order that reserved nothing, and refuses that order's reservation later", async () => {
      const { stock, store } = await stocked(3);
      expect(await stock.release("o-9", "kiwi")).to.deep.equal({ id: "o-9", success: true, message: "Nothing to release", undone: false });
      expect(await stock.reserve("o-9", "kiwi")).to.deep.equal({
        id: "o-9",
        success: false,
        message: "Released before it was reserved: kiwi",
      });
      expect(quantityOf(store)).to.equal(3);
      expect(await stock.release("o-9", "kiwi")).to.include({ undone: false });
    });

    it("keeps every unit when a reservation and a release of one order race, whichever writes first", async () => {
      for (const releaseFirst of [false, true]) {
        const { stock, store } = await stocked(3);
        const release = () => stock.release("o-1", "kiwi");
        const reserve = () => stock.reserve("o-1", "kiwi");
        const [first, second] = await Promise.all(releaseFirst ? [release(), reserve()] : [reserve(), release()]);
        const [reserved, released] = releaseFirst ? [second!, first as { undone: boolean }] : [first!, second as { undone: boolean }];
        expect(reserved.success).to.equal(!releaseFirst);
        expect(released.undone).to.equal(!releaseFirst);
        expect(quantityOf(store)).to.equal(3);
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

    it("finds the order's item when the release names none: by its record, or by the item's document", async () => {
      const { stock, store } = await stocked(3);
      await stock.reserve("o-1", "kiwi");
      await stock.reserve("o-2", "kiwi");
      await store.delete("reservation-o-2"); // as if a crash came between the two writes
      expect(await stock.release("o-1")).to.include({ message: "Released kiwi, 2 left", undone: true });
      expect(await stock.release("o-2")).to.include({ message: "Released kiwi, 3 left", undone: true });
      expect(recordOf(store, "o-2")?.status).to.equal("released");
    });

    it("remembers an unknown order released without an item in its record, and refuses its reservation later", async () => {
      const { stock, store } = await stocked(3);
      expect(await stock.release("o-9")).to.include({ undone: false });
      expect(recordOf(store, "o-9")).to.deep.equal({ order_id: "o-9", status: "cancelled" });
      expect((await stock.reserve("o-9", "kiwi")).success).to.equal(false);
      expect(quantityOf(store)).to.equal(3);
    });

    it("never turns a record back: a reservation's late record write loses to the release's", async () => {
      const { stock, store } = await stocked(3);
      store.before = async ({ op, keys }) => {
        if (op !== "set" || keys[0] !== "reservation-o-1") return;
        store.before = undefined;
        await stock.release("o-1", "kiwi"); // runs to its end between the reservation's two writes
      };
      await stock.reserve("o-1", "kiwi");
      expect(recordOf(store, "o-1")?.status).to.equal("released");
      expect(quantityOf(store)).to.equal(3);
    });
  });

  describe("with a bounded document", () => {
    it("keeps the newest entries, oldest dropped first; a changed entry counts as new", () => {
      let doc: StockDocument = { name: "kiwi", quantity: 5, orders: {} };
      for (const id of ["o-1", "o-2", "o-3"]) doc = withOrder(doc, id, "reserved", -1, 3);
      doc = withOrder(doc, "o-1", "released", 1, 3);
      doc = withOrder(doc, "o-4", "reserved", -1, 3);
      expect(doc).to.deep.equal({ name: "kiwi", quantity: 2, orders: { "o-3": "reserved", "o-1": "released", "o-4": "reserved" } });
    });

    it("still answers for an order whose entry was dropped, from its record", async () => {
      const { stock, store } = await stocked(5, { recentOrders: 2 });
      await stock.reserve("o-1", "kiwi"); // will wait long: two newer orders push it out
      await stock.release("o-2", "kiwi"); // a tombstone
      await stock.reserve("o-3", "kiwi");
      await stock.reserve("o-4", "kiwi");
      expect(Object.keys(kiwi(store).orders)).to.deep.equal(["o-3", "o-4"]);
      expect(quantityOf(store)).to.equal(2);

      expect(await stock.reserve("o-1", "kiwi")).to.include({ success: true, message: "Already reserved: kiwi" });
      expect(await stock.reserve("o-2", "kiwi")).to.include({ success: false });
      expect(quantityOf(store)).to.equal(2);

      expect(await stock.release("o-1", "kiwi")).to.include({ message: "Released kiwi, 3 left", undone: true });
      expect(await stock.release("o-1")).to.include({ undone: true });
      expect(await stock.release("o-2", "kiwi")).to.include({ undone: false });
      for (const id of ["o-5", "o-6"]) await stock.reserve(id, "kiwi"); // o-1 leaves the document again
      expect(await stock.release("o-1", "kiwi")).to.include({ message: "Already released: kiwi", undone: true });
      expect(quantityOf(store)).to.equal(1);
      const holding = ["o-1", "o-2", "o-3", "o-4", "o-5", "o-6"].filter((id) => recordOf(store, id)?.status === "reserved");
      expect(holding).to.deep.equal(["o-3", "o-4", "o-5", "o-6"]); // 1 + 4: every unit accounted for
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
    const crash = new Error("crash");

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
          expect(await run(store), `crash ${when} call ${k}`).to.deep.equal(expected);
          expect(quantityOf(store), `crash ${when} call ${k}`).to.equal(quantityOf(clean.store));
          expect(unitsOf(store), `crash ${when} call ${k}`).to.equal(3);
        }
      }
    });
  });
});
