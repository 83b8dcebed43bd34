import { expect } from "chai";
import { createApp, Router } from "@dapr-orders/service-kit";
import { memoryLogger, metricValue, parseMetrics, request } from "@dapr-orders/service-kit/testing";
import { dashboardRoutes } from "../src/api.js";
import { Operator } from "../src/operator.js";
import { closeRedis, connectRedis } from "../src/redis.js";
import { memoryOf, redisStoreSize, storeSizeGauges, type StoreSize } from "../src/store-size.js";
import { FakeBackend, MemoryRateLimit, MemorySessions } from "./fakes.js";
import { findRedisServer, startRedis } from "./real-redis.js";

const size: StoreSize = { used_memory_bytes: 3_000_000, max_memory_bytes: 1_073_741_824, keys: 1075 };
let reading: () => Promise<StoreSize> = async () => size;

function dashboard(storeSize?: () => Promise<StoreSize>) {
  const logger = memoryLogger();
  const operator = new Operator({
    token: "t0ken",
    apiName: "ops",
    sessions: new MemorySessions(),
    failedLogins: new MemoryRateLimit(10),
    sessionTtlSeconds: 60,
  });
  const routes = new Router().use(dashboardRoutes({ backend: new FakeBackend(), operatorRequired: operator.required, logger, storeSize }).routes());
  return createApp({ logger, routes });
}

describe("the store's size", () => {
  before(() => storeSizeGauges(() => reading()));

  it("reads used_memory and maxmemory from INFO memory, and refuses an answer without them", () => {
    const info = "# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\n";
    expect(memoryOf(info)).to.deep.equal({ used_memory_bytes: 1048576, max_memory_bytes: 0 });
    expect(() => memoryOf("# Memory\r\n")).to.throw(/no used_memory/);
  });

  it("is on GET /metrics as three gauges, read at each scrape", async () => {
    const app = dashboard();
    const samples = parseMetrics((await request(app, "GET", "/metrics")).body);
    expect(metricValue(samples, "orders_redis_used_memory_bytes")).to.equal(3_000_000);
    expect(metricValue(samples, "orders_redis_max_memory_bytes")).to.equal(1_073_741_824);
    expect(metricValue(samples, "orders_redis_keys")).to.equal(1075);
    reading = async () => ({ ...size, keys: 2000 });
    expect(metricValue(parseMetrics((await request(app, "GET", "/metrics")).body), "orders_redis_keys")).to.equal(2000);
  });

  it("is on the dashboard's GET /api/store, and a 503 when Redis does not answer", async () => {
    expect(
      (
        await request(
          dashboard(async () => size),
          "GET",
          "/api/store",
        )
      ).body,
    ).to.deep.equal(size);
    const res = await request(
      dashboard(async () => Promise.reject(new Error("ECONNREFUSED"))),
      "GET",
      "/api/store",
    );
    expect(res.status).to.equal(503);
  });

  it("is what a real Redis says: its keys, its memory and its limit", async function () {
    const binary = findRedisServer();
    if (binary === undefined) return this.skip();
    const redis = await startRedis(binary);
    const client = connectRedis(redis.hostPort, memoryLogger(), { name: "test" });
    try {
      await client.configSet("maxmemory", "64mb");
      await client.set("a", "1");
      await client.set("b", "2");
      const read = await redisStoreSize(client)();
      expect(read.keys).to.equal(2);
      expect(read.max_memory_bytes).to.equal(64 * 1024 * 1024);
      expect(read.used_memory_bytes).to.be.greaterThan(0);
    } finally {
      await closeRedis(client);
      await redis.stop();
    }
  });
});
