import { expect } from "chai";
import { compareAndSet, daprStateStore, EtagMismatch, PerKeyQueue, StateReadError } from "../src/index.js";
import { FakeSidecar, MemoryStateStore, type SidecarCall } from "../src/testing.js";

/**
 * A sidecar whose state API answers from `stored`; a save is refused with the status
 * `refuse` gives (e.g. 409), or taken.
 */
async function sidecarWith(stored: Record<string, { data: unknown; etag: string }>, refuse?: (item: { key: string; etag?: string }) => number | undefined) {
  return FakeSidecar.start(({ method, url, body }: SidecarCall) => {
    if (method === "POST" && url === "/v1.0/state/s/bulk") {
      const { keys } = body as { keys: string[] };
      return { status: 200, body: keys.map((key) => (stored[key] === undefined ? { key } : { key, ...stored[key] })) };
    }
    if (method === "POST" && url === "/v1.0/state/s") {
      const status = refuse?.((body as { key: string; etag?: string }[])[0]!);
      return status === undefined ? { status: 204 } : { status, body: { errorCode: "ERR_STATE_SAVE", message: `failed saving state in state store s` } };
    }
    return { status: 404 };
  });
}

describe("daprStateStore", () => {
  let fake: FakeSidecar | undefined;
  afterEach(async () => fake?.stop());

  it("reads several keys in one bulk call, in the order asked, with their ETags", async () => {
    fake = await sidecarWith({ a: { data: { n: 1 }, etag: "3" }, c: { data: "", etag: "1" } });
    const found = await daprStateStore(fake.sidecar, "s").getBulk(["b", "a", "c"]);
    expect(found).to.deep.equal([
      { value: undefined, etag: undefined },
      { value: { n: 1 }, etag: "3" },
      { value: undefined, etag: undefined },
    ]);
    expect(fake.calls.map((c) => c.body)).to.deep.equal([{ keys: ["b", "a", "c"] }]);
  });

  it("throws StateReadError for a key the store answered with an error, never taking it for a missing key", async () => {
    // Dapr's Redis store answers a bulk read 200, with an `error` on each key it could not read.
    fake = await FakeSidecar.start(({ body }) => ({
      status: 200,
      body: (body as { keys: string[] }).keys.map((key) => (key === "b" ? { key, error: "redis: connection pool timeout" } : { key, data: 1, etag: "1" })),
    }));
    const store = daprStateStore(fake.sidecar, "s");
    for (const read of [() => store.getBulk(["a", "b"]), () => store.get("b")]) {
      const error = await read().catch((err) => err);
      expect(error).to.be.instanceOf(StateReadError);
      expect(error.key).to.equal("b");
      expect(error.message).to.match(/connection pool timeout/);
    }
    expect(await store.get("a")).to.deep.equal({ value: 1, etag: "1" });
  });

  it("throws StateReadError for a key the answer leaves out, and an error for an answer that is not a list", async () => {
    fake = await FakeSidecar.start(() => ({ status: 200, body: [{ key: "a", data: 1, etag: "1" }] }));
    expect(await daprStateStore(fake.sidecar, "s").getBulk(["a", "b"]).catch((err) => err)).to.be.instanceOf(StateReadError);
    await fake.stop();
    fake = await FakeSidecar.start(() => ({ status: 200, body: { error: "no" } }));
    expect((await daprStateStore(fake.sidecar, "s").get("a").catch((err) => err)).message).to.match(/reading a from s failed/);
  });

  it("does not take a failed read for a missing key when a creation was refused", async () => {
    fake = await FakeSidecar.start(({ url }) =>
      url.endsWith("/bulk") ? { status: 200, body: [{ key: "a", error: "redis: i/o timeout" }] } : { status: 500, body: { message: "failed" } },
    );
    expect(await daprStateStore(fake.sidecar, "s").set("a", 1, undefined).catch((err) => err)).to.be.instanceOf(StateReadError);
  });

  it("saves in one call with first-write concurrency, with the ETag or without one", async () => {
    fake = await sidecarWith({});
    const store = daprStateStore(fake.sidecar, "s");
    await store.set("a", { n: 1 }, "3");
    await store.set("b", { n: 2 }, undefined);
    const options = { concurrency: "first-write", consistency: "strong" };
    expect(fake.calls.map((c) => c.body)).to.deep.equal([
      [{ key: "a", value: { n: 1 }, etag: "3", options }],
      [{ key: "b", value: { n: 2 }, options }],
    ]);
  });

  it("reports a 409 (another writer won) as EtagMismatch", async () => {
    fake = await sidecarWith({}, () => 409);
    const error = await daprStateStore(fake.sidecar, "s").set("a", 1, "3").catch((err) => err);
    expect(error).to.be.instanceOf(EtagMismatch);
  });

  it("reports a refused creation as EtagMismatch when the key exists, and as a failure when it does not", async () => {
    fake = await sidecarWith({ a: { data: 1, etag: "1" } }, () => 500);
    expect(await daprStateStore(fake.sidecar, "s").set("a", 2, undefined).catch((err) => err)).to.be.instanceOf(EtagMismatch);
    await fake.stop();
    fake = await sidecarWith({}, () => 500);
    const error = await daprStateStore(fake.sidecar, "s").set("a", 2, undefined).catch((err) => err);
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
