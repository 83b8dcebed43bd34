import { expect } from "chai";
import { StateConcurrencyEnum, StateConsistencyEnum, type DaprClient } from "@dapr/dapr";
import { compareAndSet, daprStateStore, EtagMismatch, PerKeyQueue } from "../src/index.js";
import { MemoryStateStore } from "../src/testing.js";

/** Dapr's answer to a refused request, as the SDK reports it. */
const sdkError = (status: number, message: string) => new Error(JSON.stringify({ error: "x", error_msg: message, status }));

/** A DaprClient whose state API answers from `stored`; saves go to `saved` unless `refuse` says why not. */
function fakeDapr(stored: Record<string, { data: unknown; etag: string }>, refuse?: (item: { key: string; etag?: string }) => Error | undefined) {
  const saved: unknown[][] = [];
  const bulkReads: string[][] = [];
  const client = {
    state: {
      getBulk: async (_store: string, keys: string[]) => {
        bulkReads.push(keys);
        return keys.map((key) => (stored[key] === undefined ? { key } : { key, ...stored[key] }));
      },
      save: async (_store: string, items: { key: string; etag?: string }[]) => {
        saved.push(items);
        const error = refuse?.(items[0]!);
        return error === undefined ? {} : { error };
      },
      delete: async () => ({}),
    },
  } as unknown as DaprClient;
  return { client, saved, bulkReads };
}

describe("daprStateStore", () => {
  it("reads several keys in one bulk call, in the order asked, with their ETags", async () => {
    const { client, bulkReads } = fakeDapr({ a: { data: { n: 1 }, etag: "3" }, c: { data: "", etag: "1" } });
    const found = await daprStateStore(client, "s").getBulk(["b", "a", "c"]);
    expect(found).to.deep.equal([
      { value: undefined, etag: undefined },
      { value: { n: 1 }, etag: "3" },
      { value: undefined, etag: undefined },
    ]);
    expect(bulkReads).to.deep.equal([["b", "a", "c"]]);
  });

  it("saves in one call with first-write concurrency, with the ETag or without one", async () => {
    const { client, saved } = fakeDapr({});
    const store = daprStateStore(client, "s");
    await store.set("a", { n: 1 }, "3");
    await store.set("b", { n: 2 }, undefined);
    const options = { concurrency: StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE, consistency: StateConsistencyEnum.CONSISTENCY_STRONG };
    expect(saved).to.deep.equal([
      [{ key: "a", value: { n: 1 }, etag: "3", options }],
      [{ key: "b", value: { n: 2 }, etag: undefined, options }],
    ]);
  });

  it("reports a 409 (another writer won) as EtagMismatch", async () => {
    const { client } = fakeDapr({}, () => sdkError(409, "possible etag mismatch"));
    const error = await daprStateStore(client, "s").set("a", 1, "3").catch((err) => err);
    expect(error).to.be.instanceOf(EtagMismatch);
  });

  it("reports a refused creation as EtagMismatch when the key exists, and as a failure when it does not", async () => {
    const refuse = () => sdkError(500, "failed saving state in state store s: failed to set key a");
    const exists = fakeDapr({ a: { data: 1, etag: "1" } }, refuse);
    expect(await daprStateStore(exists.client, "s").set("a", 2, undefined).catch((err) => err)).to.be.instanceOf(EtagMismatch);
    const missing = fakeDapr({}, refuse);
    const error = await daprStateStore(missing.client, "s").set("a", 2, undefined).catch((err) => err);
    expect(error).to.be.instanceOf(Error).and.not.instanceOf(EtagMismatch);
    expect(error.message).to.match(/saving a to s failed/);
  });
});

describe("MemoryStateStore (Dapr's Redis rules)", () => {
  it("creates a key only without an ETag, and changes it only with its current one", async () => {
    const store = new MemoryStateStore();
    await store.set("k", 1, undefined);
    expect(await store.set("k", 2, undefined).catch((err) => err)).to.be.instanceOf(EtagMismatch);
    const { etag } = await store.get("k");
    await store.set("k", 3, etag);
    expect(await store.set("k", 4, etag).catch((err) => err)).to.be.instanceOf(EtagMismatch);
    expect(store.peek("k")).to.equal(3);
  });

  it("writes a key that does not exist whatever the ETag, as Redis does", async () => {
    const store = new MemoryStateStore();
    await store.set("k", 1, "7");
    expect(await store.get("k")).to.deep.equal({ value: 1, etag: "1" });
  });

  it("keeps values as JSON", async () => {
    const store = new MemoryStateStore();
    await store.set("k", { a: 1, gone: undefined }, undefined);
    expect(store.peek("k")).to.deep.equal({ a: 1 });
  });
});

describe("compareAndSet", () => {
  it("writes what the decision wants from the value just read, and reads again when another writer won", async () => {
    const store = new MemoryStateStore();
    await store.set("n", 1, undefined);
    let interfered = false;
    store.before = async ({ op }) => {
      if (op !== "set" || interfered) return;
      interfered = true;
      const { etag } = await store.get("n");
      await store.set("n", 10, etag);
    };
    const answer = await compareAndSet<number, string>(store, "n", (n) => ({ write: n! + 1, answer: `was ${n}` }), { maxAttempts: 3 });
    expect(answer).to.equal("was 10");
    expect(store.peek("n")).to.equal(11);
  });

  it("writes nothing when the decision wants nothing", async () => {
    const store = new MemoryStateStore();
    expect(await compareAndSet(store, "n", () => ({ answer: "none" }), { maxAttempts: 1 })).to.equal("none");
    expect(store.calls).to.equal(1);
  });
});

describe("PerKeyQueue", () => {
  it("runs tasks for one key one after another, and tasks for other keys alongside", async () => {
    const queue = new PerKeyQueue();
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`${name} start`);
      await new Promise((resolve) => setImmediate(resolve));
      events.push(`${name} end`);
      return name;
    };
    const failing = async () => {
      throw new Error("boom");
    };
    const results = await Promise.allSettled([queue.run("a", task("a1")), queue.run("a", failing), queue.run("a", task("a2")), queue.run("b", task("b1"))]);
    expect(results.map((r) => r.status)).to.deep.equal(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(events.indexOf("a1 end")).to.be.lessThan(events.indexOf("a2 start"));
    expect(events.indexOf("b1 start")).to.be.lessThan(events.indexOf("a1 end"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.size).to.equal(0);
  });
});
