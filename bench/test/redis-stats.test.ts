import { expect } from "chai";
import { commandsPerOrder, parseCommandStats } from "../src/redis-stats.js";

describe("Redis commands per order", () => {
  it("reads the calls of each command from INFO commandstats", () => {
    const info = "# Commandstats\r\ncmdstat_get:calls=12,usec=30,usec_per_call=2.5\r\ncmdstat_evalsha:calls=7,usec=70,usec_per_call=10.0\r\n";
    expect([...parseCommandStats(info)]).to.deep.equal([
      ["get", 12],
      ["evalsha", 7],
    ]);
  });

  it("gives the commands between two readings per order, the total first and the most used next", () => {
    const before = new Map([
      ["get", 10],
      ["xadd", 4],
    ]);
    const after = new Map([
      ["get", 30],
      ["xadd", 4],
      ["evalsha", 45],
    ]);
    expect(commandsPerOrder(before, after, 10)).to.deep.equal({ all: 6.5, evalsha: 4.5, get: 2 });
    expect(Object.keys(commandsPerOrder(before, after, 10))).to.deep.equal(["all", "evalsha", "get"]);
    expect(commandsPerOrder(before, after, 0)).to.deep.equal({ all: 0, evalsha: 0, get: 0 });
  });
});
