import { expect } from "chai";
import { isEventId, RedisEventHistory } from "../src/history.js";
import { MemoryStream } from "./fakes.js";

describe("event history (Redis stream)", () => {
  const event = (n: number) => ({ order_id: `o-${n}`, message: `event ${n}`, time: `2025-01-01T00:00:0${n}.000Z` });

  it("adds each event to the stream, trimmed to the newest `length`, and returns it with its entry id", async () => {
    const stream = new MemoryStream();
    const history = new RedisEventHistory(stream.client, 500);
    const stored = await history.append(event(1));
    expect(stored).to.deep.equal({ id: stream.entries[0]!.id, ...event(1) });
    expect(stream.commands[0]).to.deep.equal([
      "XADD",
      "dashboard:events",
      "*",
      event(1),
      { TRIM: { strategy: "MAXLEN", strategyModifier: "~", threshold: 500 } },
    ]);
  });

  it("gives every event it keeps, oldest first, when the page has none", async () => {
    const stream = new MemoryStream();
    const history = new RedisEventHistory(stream.client, 500);
    const stored = [await history.append(event(1)), await history.append(event(2)), await history.append(event(3))];
    expect(await history.after(undefined)).to.deep.equal(stored);
    expect(stream.commands.at(-1)).to.deep.equal(["XREVRANGE", "dashboard:events", "+", "-", { COUNT: 500 }]);
  });

  it("gives the events after the page's last id, and none when it has them all", async () => {
    const stream = new MemoryStream();
    const history = new RedisEventHistory(stream.client, 500);
    const [first, second, third] = [await history.append(event(1)), await history.append(event(2)), await history.append(event(3))];
    expect(await history.after(first!.id)).to.deep.equal([second, third]);
    expect(stream.commands.at(-1)).to.deep.equal(["XREVRANGE", "dashboard:events", "+", `(${first!.id}`, { COUNT: 500 }]);
    expect(await history.after(third!.id)).to.deep.equal([]);
  });

  it("gives at most the newest `length` events", async () => {
    const stream = new MemoryStream();
    const history = new RedisEventHistory(stream.client, 2);
    for (const n of [1, 2, 3, 4]) await history.append(event(n));
    expect((await history.after(undefined)).map((e) => e.message)).to.deep.equal(["event 3", "event 4"]);
  });

  it("knows an event id from anything else a page may send", () => {
    expect(isEventId("1700000000000-0")).to.equal(true);
    for (const value of [undefined, null, 17, "", "latest", "1-", "-1", "1-2-3", "(1-2", "1-2 OR 1"]) {
      expect(isEventId(value), String(value)).to.equal(false);
    }
  });
});
