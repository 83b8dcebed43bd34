import { expect } from "chai";
import { EtagMismatch, Stock, type StockOptions } from "../src/stock.js";
import { MemoryStore } from "./memory-store.js";

const options: StockOptions = { items: ["orange", "apple", "pear", "kiwi"], restockQuantity: 100, maxAttempts: 5 };

async function stocked(quantity: number, store = new MemoryStore()) {
  const stock = new Stock(store, options);
  await store.set("stock-kiwi", { name: "kiwi", quantity });
  return { stock, store };
}

const quantityOf = (store: MemoryStore, item: string) => (store.peek(`stock-${item}`) as { quantity: number }).quantity;

describe("stock", () => {
  it("lists nothing before a restock, and every item after one", async () => {
    const stock = new Stock(new MemoryStore(), options);
    expect(await stock.list()).to.deep.equal([]);
    await stock.restock();
    expect(await stock.list()).to.deep.equal([
      { name: "orange", quantity: 100 },
      { name: "apple", quantity: 100 },
      { name: "pear", quantity: 100 },
      { name: "kiwi", quantity: 100 },
    ]);
  });

  it("restocks items that orders have reserved from", async () => {
    const stock = new Stock(new MemoryStore(), options);
    await stock.restock();
    await stock.reserve("o-1", "kiwi");
    await stock.release("o-1");
    await stock.reserve("o-2", "kiwi");
    await stock.restock();
    expect((await stock.list()).find((i) => i.name === "kiwi")).to.deep.equal({ name: "kiwi", quantity: 100 });
  });

  it("clears every item", async () => {
    const stock = new Stock(new MemoryStore(), options);
    await stock.restock();
    await stock.clear();
    expect(await stock.list()).to.deep.equal([]);
  });

  describe("reserve", () => {
    it("takes one unit", async () => {
      const { stock, store } = await stocked(3);
      expect(await stock.reserve("o-1", "kiwi")).to.deep.equal({ id: "o-1", success: true, message: "Reserved kiwi, 2 left" });
      expect(quantityOf(store, "kiwi")).to.equal(2);
    });

    it("fails when the item is out of stock, and never goes below zero", async () => {
      const { stock, store } = await stocked(0);
      expect(await stock.reserve("o-1", "kiwi")).to.deep.equal({ id: "o-1", success: false, message: "Out of stock: kiwi" });
      expect(quantityOf(store, "kiwi")).to.equal(0);
    });

    it("fails for an item that was never stocked", async () => {
      const { stock } = await stocked(3);
      expect((await stock.reserve("o-1", "durian")).success).to.equal(false);
    });

    it("takes one unit per order, however often the same order asks", async () => {
      const { stock, store } = await stocked(3);
      await stock.reserve("o-1", "kiwi");
      const again = await stock.reserve("o-1", "kiwi");
      expect(again.success).to.equal(true);
      expect(quantityOf(store, "kiwi")).to.equal(2);
    });

    it("retries when another writer changed the stock between its read and its write", async () => {
      const { store } = await stocked(5);
      let interfered = false;
      store.beforeSet = async (key) => {
        if (key !== "stock-kiwi" || interfered) return;
        interfered = true;
        store.beforeSet = undefined;
        await store.set(key, { name: "kiwi", quantity: 1 }); // someone else's write wins the race
      };
      const conflicts: number[] = [];
      const retrying = new Stock(store, { ...options, onConflict: (_key, attempt) => void conflicts.push(attempt) });
      expect((await retrying.reserve("o-1", "kiwi")).success).to.equal(true);
      expect(conflicts).to.deep.equal([1]);
      expect(quantityOf(store, "kiwi")).to.equal(0); // 1 - 1: computed from the winner's value
    });

    it("gives up after a bounded number of conflicting attempts", async () => {
      const { store } = await stocked(5);
      store.beforeSet = async (key) => {
        if (key === "stock-kiwi") {
          const hook = store.beforeSet;
          store.beforeSet = undefined;
          await store.set(key, { name: "kiwi", quantity: 5 });
          store.beforeSet = hook;
        }
      };
      let attempts = 0;
      const stock = new Stock(store, { ...options, maxAttempts: 3, onConflict: () => void attempts++ });
      let error: unknown;
      await stock.reserve("o-1", "kiwi").catch((err) => (error = err));
      expect(error).to.be.instanceOf(EtagMismatch);
      expect(attempts).to.equal(2); // retried twice after the first attempt, then gave up
    });

    it("never oversells when many orders race for the last units", async () => {
      const { store } = await stocked(10);
      let conflicts = 0;
      const stock = new Stock(store, { ...options, maxAttempts: 100, onConflict: () => void conflicts++ });
      const results = await Promise.all(Array.from({ length: 25 }, (_, i) => stock.reserve(`o-${i}`, "kiwi")));
      expect(conflicts).to.be.greaterThan(0); // the race really happened
      expect(results.filter((r) => r.success)).to.have.length(10);
      expect(quantityOf(store, "kiwi")).to.equal(0);
    });
  });

  describe("release", () => {
    it("puts the reserved unit back", async () => {
      const { stock, store } = await stocked(3);
      await stock.reserve("o-1", "kiwi");
      expect(await stock.release("o-1")).to.deep.equal({ id: "o-1", success: true, message: "Released kiwi, 3 left" });
      expect(quantityOf(store, "kiwi")).to.equal(3);
    });

    it("puts it back once, however often the same order asks", async () => {
      const { stock, store } = await stocked(3);
      await stock.reserve("o-1", "kiwi");
      await stock.release("o-1");
      expect(await stock.release("o-1")).to.deep.equal({ id: "o-1", success: true, message: "Nothing to release" });
      expect(quantityOf(store, "kiwi")).to.equal(3);
    });

    it("puts it back once when two releases of one order race", async () => {
      const { stock, store } = await stocked(3);
      await stock.reserve("o-1", "kiwi");
      await Promise.all([stock.release("o-1"), stock.release("o-1"), stock.release("o-1")]);
      expect(quantityOf(store, "kiwi")).to.equal(3);
    });

    it("releases nothing for an order that reserved nothing", async () => {
      const { stock, store } = await stocked(3);
      expect((await stock.release("o-9")).message).to.equal("Nothing to release");
      expect(quantityOf(store, "kiwi")).to.equal(3);
    });

    it("lets the order reserve again after a release", async () => {
      const { stock, store } = await stocked(3);
      await stock.reserve("o-1", "kiwi");
      await stock.release("o-1");
      await stock.reserve("o-1", "kiwi");
      expect(quantityOf(store, "kiwi")).to.equal(2);
    });
  });
});
