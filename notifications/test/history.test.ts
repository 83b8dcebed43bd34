// The event history against a real Redis: its Lua script is the one place where a
// repeat is told from a new notification, so it is tested where it runs.
import { expect } from "chai";
import { memoryLogger } from "@dapr-orders/service-kit/testing";
import { isEventId, RedisEventHistory } from "../src/history.js";
import type { Notification } from "../src/notification.js";
import { closeRedis, connectRedis, type RedisClient } from "../src/redis.js";
import { findRedisServer, startRedis, type RealRedis } from "./real-redis.js";

const order = { customer: "joni", item: "kiwi", total: 121.5 };
const note = (seq: number, order_id = "o-1"): Notification => ({
  order_id,
  seq,
  type: seq === 1 ? "placed" : "reserved",
  message: seq === 1 ? "Processing order for joni. Item: kiwi, Total: 121.5" : "Reserved inventory: kiwi",
  order,
});
const time = "2025-05-01T10:00:00.000Z";

describe("event history (a real Redis)", function () {
  const binary = findRedisServer();
  let server: RealRedis;
  let redis: RedisClient;
  let n = 0;
  let key: string;
  const history = (length = 500, seenTtlSeconds = 3600) => new RedisEventHistory(redis, { length, seenTtlSeconds, key });

  before(async function () {
    if (binary === undefined) {
      console.log("      (no redis-server on the PATH: apt-get install -y redis-server)");
      this.skip();
    }
    server = await startRedis(binary);
    // As the app connects: commands fail at once while disconnected.
    redis = connectRedis(server.hostPort, memoryLogger(), { name: "test", failFast: true });
    const deadline = Date.now() + 10_000;
    while (!redis.isReady && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  });
  beforeEach(() => (key = `events-${++n}`));
  after(async () => {
    if (redis !== undefined) await closeRedis(redis);
    await server?.stop();
  });

  it("keeps a notification with all its fields, its stream id and the time it came", async () => {
    const notification = { ...note(3), type: "awaitingApproval" as const, message: "Waiting…", deadline: "2025-05-02T10:00:00.000Z" };
    const stored = await history().record(notification, time);
    expect(stored).to.deep.equal({ id: stored!.id, ...notification, time });
    expect(isEventId(stored!.id)).to.equal(true);
    const entries = await redis.xRange(key, "-", "+");
    expect(entries).to.have.length(1);
    expect(JSON.parse(String(entries?.[0]?.message.event))).to.deep.equal({ ...notification, time });
  });

  it("keeps each (order_id, seq) once: a repeat is answered undefined and adds nothing", async () => {
    const events = history();
    const first = await events.record(note(1), time);
    expect(first).to.not.equal(undefined);
    expect(await events.record(note(1), "2025-05-01T10:00:05.000Z")).to.equal(undefined);
    expect(await events.record(note(2), time)).to.include({ order_id: "o-1", seq: 2 });
    expect(await events.record(note(1, "o-2"), time)).to.include({ order_id: "o-2", seq: 1 });
    expect((await events.after(undefined)).map((e) => [e.order_id, e.seq, e.time])).to.deep.equal([
      ["o-1", 1, time],
      ["o-1", 2, time],
      ["o-2", 1, time],
    ]);
  });

  it("keeps one of many copies that come at once", async () => {
    const events = history();
    const answers = await Promise.all(Array.from({ length: 20 }, () => events.record(note(1), time)));
    expect(answers.filter((a) => a !== undefined)).to.have.length(1);
    expect(await redis.xLen(key)).to.equal(1);
  });

  it("remembers an order's seqs for the set time after its latest notification", async () => {
    const events = history(500, 120);
    await events.record(note(1), time);
    const ttl = await redis.ttl(events.seenKey("o-1"));
    expect(ttl).to.be.within(110, 120);
    expect(await redis.hGetAll(events.seenKey("o-1"))).to.have.keys(["1"]);
  });

  it("leaves nothing behind when Redis refuses the append, so a later delivery keeps it", async () => {
    const events = history();
    await redis.set(key, "not a stream"); // XADD now fails (WRONGTYPE) inside the script
    let failure: unknown;
    await events.record(note(1), time).catch((err: unknown) => (failure = err));
    expect(String(failure)).to.match(/WRONGTYPE/);
    expect(await redis.exists(events.seenKey("o-1")), "no mark without the event").to.equal(0);
    await redis.del(key);
    expect(await events.record(note(1), time)).to.include({ seq: 1 });
  });

  it("appends nothing when the order's marks cannot be read", async () => {
    const events = history();
    await redis.set(events.seenKey("o-1"), "not a hash");
    let failure: unknown;
    await events.record(note(1), time).catch((err: unknown) => (failure = err));
    expect(String(failure)).to.match(/WRONGTYPE/);
    expect(await redis.exists(key)).to.equal(0);
  });

  it("gives the events after the page's last id, oldest first, and at most the newest `length`", async () => {
    const events = history(3);
    const stored = [];
    for (let seq = 1; seq <= 5; seq++) stored.push((await events.record(note(seq), time))!);
    expect(await events.after(undefined)).to.deep.equal(stored.slice(2));
    expect(await events.after(stored[2]!.id)).to.deep.equal(stored.slice(3));
    expect(await events.after(stored[4]!.id)).to.deep.equal([]);
  });

  it("leaves out entries that are not events of this format", async () => {
    await redis.xAdd(key, "*", { order_id: "o-0", message: "an older version's entry" });
    const stored = await history().record(note(1), time);
    expect(await history().after(undefined)).to.deep.equal([stored]);
  });
});

describe("event ids", () => {
  it("knows an event id from anything else a page may send", () => {
    expect(isEventId("1700000000000-0")).to.equal(true);
    for (const value of [undefined, null, 17, "", "latest", "1-", "-1", "1-2-3", "(1-2", "1-2 OR 1"]) {
      expect(isEventId(value), String(value)).to.equal(false);
    }
  });
});
