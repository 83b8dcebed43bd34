import { expect } from "chai";
import {
  badRequest,
  createApp,
  createLogger,
  envList,
  envNumber,
  envString,
  invoke,
  InvocationError,
  Router,
} from "../src/index.js";
import { FakeSidecar, memoryLogger, request, type SidecarReply } from "../src/testing.js";

describe("logger", () => {
  it("writes one JSON line per entry, naming the service, with the fields given", () => {
    const lines: string[] = [];
    const logger = createLogger("inventory", { level: "info", write: (l) => lines.push(l) });
    logger.child({ order_id: "o-1" }).info("reserved", { item: "kiwi" });
    const entry = JSON.parse(lines[0]!);
    expect(entry).to.include({ level: "info", service: "inventory", msg: "reserved", order_id: "o-1", item: "kiwi" });
    expect(Date.parse(entry.time)).to.be.a("number");
  });

  it("drops entries below its level and writes an error whole: type, message and stack (with its cause's), own fields", () => {
    const lines: string[] = [];
    const logger = createLogger("x", { level: "warn", write: (l) => lines.push(l) });
    logger.info("quiet");
    const err = Object.assign(new TypeError("boom", { cause: new Error("underneath") }), { status: 502 });
    logger.error("failed", { err });
    expect(lines.map((l) => JSON.parse(l))).to.have.length(1);
    const logged = JSON.parse(lines[0]!).err;
    expect(logged).to.include({ type: "TypeError", message: "boom: underneath", status: 502 });
    expect(logged.stack).to.match(/^TypeError: boom\n\s+at .*service-kit\.test\./);
    expect(logged.stack).to.include("caused by: Error: underneath");
  });

  it("writes a value that is no Error as it is", () => {
    const logger = memoryLogger();
    logger.warn("odd", { err: "a plain string" });
    expect(logger.lines[0]!.err).to.equal("a plain string");
  });
});

describe("config", () => {
  it("reads variables, or their defaults when unset or empty", () => {
    const env = { PORT: "8080", EMPTY: "", ITEMS: "a, b,,c" };
    expect(envNumber("PORT", 1, env)).to.equal(8080);
    expect(envNumber("MISSING", 3000, env)).to.equal(3000);
    expect(envString("EMPTY", "fallback", env)).to.equal("fallback");
    expect(envList("ITEMS", [], env)).to.deep.equal(["a", "b", "c"]);
    expect(envList("MISSING", ["x"], env)).to.deep.equal(["x"]);
  });

  it("refuses a number that is not one, naming the variable", () => {
    expect(() => envNumber("PORT", 1, { PORT: "eighty" })).to.throw(/PORT/);
  });
});

describe("createApp", () => {
  const routes = new Router();
  routes.get("/boom", () => {
    throw new Error("secret detail");
  });
  routes.get("/bad", () => {
    throw badRequest("total must be positive", "total");
  });

  it("answers GET /healthz", async () => {
    const res = await request(createApp({ logger: memoryLogger(), routes }), "GET", "/healthz");
    expect(res.status).to.equal(200);
  });

  it("turns a thrown HttpError into its status and a JSON body", async () => {
    const res = await request(createApp({ logger: memoryLogger(), routes }), "GET", "/bad");
    expect(res.status).to.equal(400);
    expect(res.body).to.deep.equal({ error: "total must be positive", field: "total" });
  });

  it("answers 500 without the details of an unexpected error, and logs them", async () => {
    const logger = memoryLogger();
    const res = await request(createApp({ logger, routes }), "GET", "/boom");
    expect(res.status).to.equal(500);
    expect(res.body).to.deep.equal({ error: "internal error" });
    const logged = logger.lines.find((l) => l.level === "error") as { err: { message: string; stack: string } } | undefined;
    expect(logged?.err.message).to.equal("secret detail");
    expect(logged?.err.stack, "where it was thrown").to.match(/^Error: secret detail\n\s+at .*service-kit\.test\./);
  });

  it("answers 404 in JSON for an unknown route", async () => {
    const res = await request(createApp({ logger: memoryLogger(), routes }), "GET", "/nothing");
    expect(res.status).to.equal(404);
    expect(res.body.error).to.include("/nothing");
  });

  it("logs each request with its status", async () => {
    const logger = memoryLogger();
    await request(createApp({ logger, routes }), "GET", "/bad");
    expect(logger.lines.find((l) => l.msg === "request")).to.include({ method: "GET", path: "/bad", status: 400 });
  });
});

describe("invoke", () => {
  const failure = (call: Promise<unknown>) => call.then(() => Promise.reject(new Error("no failure")), (e: InvocationError) => e);
  let fake: FakeSidecar | undefined;
  const answering = async (reply: SidecarReply) => (fake = await FakeSidecar.start(() => reply)).sidecar;
  afterEach(async () => fake?.stop());

  it("calls the other app through the sidecar, and returns what the app answered", async () => {
    const sidecar = await answering({ status: 201, body: { ok: true } });
    const answer = await invoke(sidecar, "payments", "api/v1/payments", { id: "o-1" }, "POST", { traceparent: "t" });
    expect(answer).to.deep.equal({ ok: true });
    expect(fake!.calls.map(({ method, url, body }) => ({ method, url, body }))).to.deep.equal([
      { method: "POST", url: "/v1.0/invoke/payments/method/api/v1/payments", body: { id: "o-1" } },
    ]);
    expect(fake!.calls[0]!.headers.traceparent).to.equal("t");
  });

  it("says which call failed, with the status and the error the app gave", async () => {
    const sidecar = await answering({ status: 404, body: { error: "no payment for order o-9" } });
    const err = await failure(invoke(sidecar, "payments", "api/v1/payments/o-9/refund"));
    expect(err).to.be.instanceOf(InvocationError);
    expect(err.status).to.equal(404);
    expect(err.message).to.equal("payments/api/v1/payments/o-9/refund answered 404: no payment for order o-9");
    expect(err.appError, "the app's own error, for clients").to.equal("no payment for order o-9");
  });

  it("keeps an answer of Dapr's (no error of the app's) for the log only", async () => {
    const denied = { errorCode: "ERR_DIRECT_INVOKE", message: "access control policy has denied access to id: spiffe://public/ns/default/shipping" };
    const err = await failure(invoke(await answering({ status: 403, body: denied }), "payments", "api/v1/payments"));
    expect(err.status).to.equal(403);
    expect(err.appError).to.equal(undefined);
    expect(err.message).to.include("access control policy has denied access");
  });

  it("reports a failure without an HTTP answer as it is", async () => {
    const sidecar = await answering({ status: 200 });
    await fake!.stop(); // nothing listens on its port any more
    fake = undefined;
    const err = await failure(invoke(sidecar, "inventory", "x"));
    expect(err.status).to.equal(undefined);
    expect(err.message).to.match(/^inventory\/x failed: .*ECONNREFUSED/);
  });
});
