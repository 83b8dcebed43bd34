import net from "node:net";
import { expect } from "chai";
import { memoryLogger } from "@dapr-orders/service-kit/testing";
import { closeRedis, connectRedis } from "../src/redis.js";

/** A loopback port that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("Redis connection", () => {
  it("keeps trying while Redis is away, says so once (and every `reportEvery` tries), and fails fast commands at once", async function () {
    this.timeout(10_000);
    const logger = memoryLogger();
    const client = connectRedis(`127.0.0.1:${await closedPort()}`, logger, {
      name: "history",
      failFast: true,
      maxReconnectDelayMs: 20,
      reportEvery: 5,
    });
    try {
      const deadline = Date.now() + 5000;
      while (logger.lines.filter((l) => l.level === "warn").length < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const warnings = logger.lines.filter((l) => l.level === "warn");
      expect(warnings.map((l) => l.msg)).to.deep.equal(["Redis unavailable, reconnecting", "Redis still unavailable, reconnecting"]);
      expect(warnings[0]).to.include({ client: "history" });
      expect(warnings[1]).to.include({ attempts: 5 });
      let failure: unknown;
      await client.xRevRange("k", "+", "-").catch((err: unknown) => (failure = err));
      expect(failure).to.be.instanceOf(Error);
    } finally {
      await closeRedis(client);
    }
  });
});
