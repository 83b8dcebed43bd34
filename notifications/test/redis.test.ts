import net from "node:net";
import { expect } from "chai";
import { memoryLogger } from "@dapr-orders/service-kit/testing";
import { closeRedis, connectRedis } from "../src/redis.js";
import { findRedisServer, startRedis, type RealRedis } from "./real-redis.js";

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

/**
 * A TCP proxy to `target` whose `silence()` stops passing bytes on the connections it
 * holds, leaving them open, as a network partition does; new connections pass again.
 */
async function silenceableProxy(target: string) {
  const [host, port] = target.split(":") as [string, string];
  const held: { silent: boolean }[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((client) => {
    const state = { silent: false };
    held.push(state);
    const upstream = net.connect(Number(port), host);
    sockets.push(client, upstream);
    client.on("data", (data) => state.silent || upstream.write(data));
    upstream.on("data", (data) => state.silent || client.write(data));
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    hostPort: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => held.length,
    silence: () => held.forEach((state) => (state.silent = true)),
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("Redis connection whose peer goes silent", function () {
  const binary = findRedisServer();
  let redis: RealRedis | undefined;

  before(async function () {
    if (binary === undefined) {
      console.log("      redis-server is not on the PATH: skipped");
      this.skip();
    }
    redis = await startRedis(binary);
  });

  after(async () => redis?.stop());

  it("drops a connection that goes silent with a command pending, fails that command, and connects again", async function () {
    this.timeout(20_000);
    const proxy = await silenceableProxy(redis!.hostPort);
    const logger = memoryLogger();
    const client = connectRedis(proxy.hostPort, logger, { name: "history", failFast: true, maxReconnectDelayMs: 50, silentPeerMs: 1500 });
    try {
      const ready = Date.now() + 5000;
      while (!client.isReady && Date.now() < ready) await new Promise((resolve) => setTimeout(resolve, 20));
      await client.set("k", "before");
      proxy.silence();
      const started = Date.now();
      const pending = await client.get("k").then(
        () => "answered",
        (err: unknown) => err,
      );
      expect(pending, "the command pending on the silent connection").to.be.instanceOf(Error);
      expect(Date.now() - started, "ms until it failed").to.be.below(10_000);
      const deadline = Date.now() + 10_000;
      let value: string | null | undefined;
      while (value === undefined && Date.now() < deadline) {
        value = await client.get("k").catch(() => undefined);
        if (value === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(value, "read on a new connection").to.equal("before");
      expect(proxy.connections(), "connections made").to.be.at.least(2);
      expect(logger.lines.map((l) => l.msg)).to.include("Redis connection is back");
    } finally {
      await closeRedis(client);
      await proxy.close();
    }
  });
});
