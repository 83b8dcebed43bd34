import { expect } from "chai";
import { createApp, Router } from "@dapr-orders/service-kit";
import { memoryLogger, request } from "@dapr-orders/service-kit/testing";
import { Operator, secureSessionCookie, sessionCookie } from "../src/operator.js";
import { RedisRateLimit } from "../src/rate-limit.js";
import { closeRedis, connectRedis, type RedisClient } from "../src/redis.js";
import { RedisSessions } from "../src/sessions.js";
import { MemoryRateLimit, MemorySessions } from "./fakes.js";
import { findRedisServer, startRedis, type RealRedis } from "./real-redis.js";

const token = "0per4tor-token";

function setup(failedLogins = new MemoryRateLimit(3, 900)) {
  const sessions = new MemorySessions();
  const operator = new Operator({ token, apiName: "ops", sessions, failedLogins, sessionTtlSeconds: 3600 });
  const routes = new Router().use(operator.routes().routes());
  routes.post("/api/guarded", operator.required, (ctx) => {
    ctx.body = { operator: ctx.state.operator };
  });
  return { sessions, app: createApp({ logger: memoryLogger(), routes }) };
}

/** The session cookie a login answer sets, as a Cookie header ("operator_session=…"), and its attributes. */
function cookieOf(setCookie: string[]): { header: string; attributes: string[] } {
  const line = setCookie.find((c) => c.startsWith(`${sessionCookie}=`));
  if (line === undefined) throw new Error(`no ${sessionCookie} cookie in ${JSON.stringify(setCookie)}`);
  const [header, ...attributes] = line.split(";").map((part) => part.trim());
  return { header: header!, attributes: attributes.map((a) => a.toLowerCase()) };
}

describe("operator", () => {
  it("signs in with the token and a name: an HttpOnly, SameSite=Strict session cookie that names the operator", async () => {
    const { app, sessions } = setup();
    const res = await request(app, "POST", "/api/session", { body: { token, name: " kendall " } });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ operator: "kendall" });
    const cookie = cookieOf(res.headers.getSetCookie());
    expect(cookie.attributes).to.include.members(["httponly", "samesite=strict", "path=/"]);
    expect(cookie.attributes.some((a) => a.startsWith("max-age=3600") || a.startsWith("expires="))).to.equal(true);
    expect([...sessions.names.values()]).to.deep.equal(["kendall"]);

    const guarded = await request(app, "POST", "/api/guarded", { body: {}, headers: { cookie: cookie.header } });
    expect(guarded.body).to.deep.equal({ operator: "kendall" });
    expect((await request(app, "GET", "/api/session", { headers: { cookie: cookie.header } })).body).to.deep.equal({ operator: "kendall" });
  });

  it("signs out: the session ends, and its cookie no longer lets anyone in", async () => {
    const { app } = setup();
    const cookie = cookieOf((await request(app, "POST", "/api/session", { body: { token, name: "kendall" } })).headers.getSetCookie());
    const out = await request(app, "DELETE", "/api/session", { headers: { cookie: cookie.header } });
    expect(out.body).to.deep.equal({ operator: null });
    expect((await request(app, "GET", "/api/session", { headers: { cookie: cookie.header } })).body).to.deep.equal({ operator: null });
    expect((await request(app, "POST", "/api/guarded", { body: {}, headers: { cookie: cookie.header } })).status).to.equal(401);
  });

  it("refuses a wrong token (401), a missing name (400), and a forged or unknown session (401)", async () => {
    const { app, sessions } = setup();
    expect((await request(app, "POST", "/api/session", { body: { token: "guess", name: "mallory" } })).status).to.equal(401);
    expect((await request(app, "POST", "/api/session", { body: { token } })).status).to.equal(400);
    expect(sessions.names.size).to.equal(0);
    const forged = await request(app, "POST", "/api/guarded", { body: {}, headers: { cookie: `${sessionCookie}=session-1` } });
    expect(forged.status).to.equal(401);
    expect(forged.body.error).to.include("sign in");
  });

  it("lets an API client in with Authorization: Bearer <token>, as OPERATOR_NAME", async () => {
    const { app } = setup();
    const res = await request(app, "POST", "/api/guarded", { body: {}, headers: { authorization: `Bearer ${token}` } });
    expect(res.body).to.deep.equal({ operator: "ops" });
    expect((await request(app, "POST", "/api/guarded", { body: {}, headers: { authorization: `Basic ${token}` } })).status).to.equal(401);
  });

  it("refuses an address that sent too many wrong tokens (429 with Retry-After), even with the right one; others go on", async () => {
    const limit = new MemoryRateLimit(3, 900);
    const { app } = setup(limit);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(app, "POST", "/api/session", { body: { token: `guess-${i}`, name: "mallory" } })).status);
    const fourth = await request(app, "POST", "/api/guarded", { body: {}, headers: { authorization: "Bearer guess-3" } });
    statuses.push(fourth.status);
    expect(statuses).to.deep.equal([401, 401, 401, 429]);
    expect(fourth.headers.get("retry-after")).to.equal("900");
    const right = await request(app, "POST", "/api/session", { body: { token, name: "kendall" } });
    expect(right.status, "the right token, from that address").to.equal(429);
    expect([...limit.taken.keys()], "counted by the client's address").to.have.length(1);
    limit.taken.clear(); // another address, or the window over
    expect((await request(app, "POST", "/api/session", { body: { token, name: "kendall" } })).status).to.equal(200);
    expect(limit.taken.get("127.0.0.1"), "a right token is given back").to.equal(0);
  });

  it("counts every try before checking it: of parallel guesses (the right one among them), no more than the limit are checked", async () => {
    const limit = new MemoryRateLimit(3, 900, 5); // a round trip to Redis takes a while
    const { app } = setup(limit);
    const tokens = [...Array.from({ length: 11 }, (_, i) => `guess-${i}`), token];
    const guesses = await Promise.all(tokens.map((t) => request(app, "POST", "/api/session", { body: { token: t, name: "mallory" } })));
    const statuses = guesses.map((g) => g.status);
    expect(statuses.filter((s) => s !== 429), `checked: ${statuses.join(",")}`).to.have.length(3);
  });

  it("ends every session when the token changes: a session holds the hash of the token it was opened with", async () => {
    const sessions = new MemorySessions();
    const failedLogins = new MemoryRateLimit(10);
    const app = (t: string) => {
      const operator = new Operator({ token: t, apiName: "ops", sessions, failedLogins, sessionTtlSeconds: 3600 });
      const routes = new Router().use(operator.routes().routes());
      return createApp({ logger: memoryLogger(), routes });
    };
    const leaked = app(token);
    const cookie = cookieOf((await request(leaked, "POST", "/api/session", { body: { token, name: "kendall" } })).headers.getSetCookie());
    expect((await request(leaked, "GET", "/api/session", { headers: { cookie: cookie.header } })).body).to.deep.equal({ operator: "kendall" });
    expect([...sessions.sessions.values()][0]!.token, "not the token itself").to.not.include(token);
    const rotated = app("a-new-0perator-token-after-the-leak");
    expect((await request(rotated, "GET", "/api/session", { headers: { cookie: cookie.header } })).body).to.deep.equal({ operator: null });
  });

  it("with SECURE_COOKIE, sets a Secure cookie named __Host-operator_session, and reads only that one", async () => {
    const operator = new Operator({ token, apiName: "ops", sessions: new MemorySessions(), failedLogins: new MemoryRateLimit(10), sessionTtlSeconds: 3600, secureCookie: true });
    const app = createApp({ logger: memoryLogger(), routes: new Router().use(operator.routes().routes()) });
    const res = await request(app, "POST", "/api/session", { body: { token, name: "kendall" } });
    const line = res.headers.getSetCookie().find((c) => c.startsWith(`${secureSessionCookie}=`))!;
    expect(line, "the cookie").to.be.a("string");
    const [header, ...attributes] = line.split(";").map((p) => p.trim().toLowerCase());
    expect(attributes).to.include.members(["secure", "httponly", "samesite=strict", "path=/"]);
    expect(attributes.some((a) => a.startsWith("domain="))).to.equal(false);
    const id = line.split(";")[0]!.split("=")[1]!;
    expect((await request(app, "GET", "/api/session", { headers: { cookie: `${secureSessionCookie}=${id}` } })).body).to.deep.equal({ operator: "kendall" });
    expect((await request(app, "GET", "/api/session", { headers: { cookie: `${sessionCookie}=${id}` } })).body, "without the prefix").to.deep.equal({ operator: null });
    expect(header).to.not.equal(undefined);
  });
});

describe("operator sessions and rate limits in Redis", function () {
  this.timeout(20_000);
  let server: RealRedis | undefined;
  let redis: RedisClient;

  before(async function () {
    const binary = findRedisServer();
    if (binary === undefined) {
      console.log("    (skipped: no redis-server on the PATH)");
      this.skip();
    }
    server = await startRedis(binary);
    redis = connectRedis(server.hostPort, memoryLogger(), { name: "test" });
  });
  after(async () => {
    if (redis !== undefined) await closeRedis(redis);
    await server?.stop();
  });

  it("keeps a session under a hash of its id, with the name, until it expires", async () => {
    const sessions = new RedisSessions(redis, 60);
    const id = await sessions.start({ name: "kendall", token: "h4sh" });
    expect(await sessions.get(id)).to.deep.equal({ name: "kendall", token: "h4sh" });
    expect(await redis.get(`dashboard:session:${id}`), "the id itself is no key").to.equal(null);
    const ttl = await redis.ttl(sessions.key(id));
    expect(ttl).to.be.within(50, 60);
    await sessions.end(id);
    expect(await sessions.get(id)).to.equal(undefined);
    expect(await sessions.get("made-up")).to.equal(undefined);
  });

  it("counts per key up to the limit, then answers the seconds to wait, for every instance alike", async () => {
    const options = { name: `test-limit-${Date.now()}`, points: 2, durationSeconds: 60 };
    const one = new RedisRateLimit(redis, options);
    const other = new RedisRateLimit(redis, options); // a second instance of notifications
    expect(await one.retryAfter("10.0.0.1")).to.equal(0);
    expect(await one.take("10.0.0.1")).to.equal(0);
    expect(await other.take("10.0.0.1")).to.equal(0);
    expect(await one.retryAfter("10.0.0.1")).to.be.within(1, 60);
    expect(await other.take("10.0.0.1")).to.be.within(1, 60);
    expect(await other.retryAfter("10.0.0.2"), "another address").to.equal(0);
    const three = new RedisRateLimit(redis, { ...options, points: 1 });
    expect(await three.take("10.0.0.3")).to.equal(0);
    await three.giveBack("10.0.0.3");
    expect(await three.take("10.0.0.3"), "given back: room for one more").to.equal(0);
    expect(await three.take("10.0.0.3")).to.be.within(1, 60);
  });
});
