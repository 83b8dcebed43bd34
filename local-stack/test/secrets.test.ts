import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect } from "chai";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { redisAnswers } from "../src/redis.js";
import { randomToken, stackSecrets, tokenVariable } from "../src/secrets.js";

const findRedisServer = () =>
  (process.env.PATH ?? "")
    .split(path.delimiter)
    .map((dir) => path.join(dir, "redis-server"))
    .find((file) => existsSync(file));

describe("the stack's secrets", () => {
  const apps = ["order-processor", "payments"];

  it("names each app's tokens after its app id, as docker-compose.yml's .env does", () => {
    expect(tokenVariable("order-processor", "DAPR_API_TOKEN")).to.equal("ORDER_PROCESSOR_DAPR_API_TOKEN");
    expect(tokenVariable("payments", "APP_API_TOKEN")).to.equal("PAYMENTS_APP_API_TOKEN");
  });

  it("makes every secret at random when the environment sets none: each different, and new at each start", () => {
    const first = stackSecrets(apps, {}, true);
    const second = stackSecrets(apps, {}, true);
    const all = (s: typeof first) => [s.redisPassword, ...Object.values(s.apps).flatMap((a) => [a.daprApiToken, a.appApiToken])];
    expect(all(first)).to.have.length(5);
    expect(new Set([...all(first), ...all(second)]).size, "all ten different").to.equal(10);
    for (const secret of all(first)) expect(secret).to.match(/^[0-9a-f]{64}$/);
  });

  it("takes what the environment sets; a Redis of one's own has REDIS_PASSWORD or none", () => {
    const env = { PAYMENTS_APP_API_TOKEN: "pay-app", ORDER_PROCESSOR_DAPR_API_TOKEN: "op-dapr", REDIS_PASSWORD: "" };
    const secrets = stackSecrets(apps, env, false, () => "random");
    expect(secrets.apps.payments).to.deep.equal({ daprApiToken: "random", appApiToken: "pay-app" });
    expect(secrets.apps["order-processor"]).to.deep.equal({ daprApiToken: "op-dapr", appApiToken: "random" });
    expect(secrets.redisPassword, "an external Redis without REDIS_PASSWORD").to.equal("");
    expect(stackSecrets(apps, { REDIS_PASSWORD: "pw" }, false).redisPassword).to.equal("pw");
    expect(stackSecrets(apps, {}, true, () => "random").redisPassword, "the stack's own Redis").to.equal("random");
  });

  it("random tokens are 32 random bytes", () => {
    expect(randomToken()).to.match(/^[0-9a-f]{64}$/);
  });
});

describe("redisAnswers with a password", function () {
  this.timeout(10_000);

  it("answers true with the password, false without it, and fails with a wrong one", async function () {
    const binary = findRedisServer();
    if (binary === undefined) this.skip();
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const redis = spawn(binary!, ["-", "--port", String(port), "--bind", "127.0.0.1", "--save", ""], { stdio: ["pipe", "ignore", "ignore"] });
    redis.stdin.end('requirepass "s3cret with spaces"\n');
    try {
      await pollUntil("redis-server to answer", () => redisAnswers("127.0.0.1", port, "s3cret with spaces"), { timeoutMs: 5000, intervalMs: 50 });
      expect(await redisAnswers("127.0.0.1", port), "no password").to.equal(false);
      const wrong = await redisAnswers("127.0.0.1", port, "guess").then(
        () => "answered",
        (err: Error) => err.message,
      );
      expect(wrong).to.match(/^Redis refused the password/);
    } finally {
      redis.kill();
    }
  });
});
