import { expect } from "chai";
import { HttpMethod, type DaprClient } from "@dapr/dapr";
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
import { memoryLogger, request } from "../src/testing.js";

describe("logger", () => {
  it("writes one JSON line per entry, naming the service, with the fields given", () => {
    const lines: string[] = [];
    const logger = createLogger("inventory", { level: "info", write: (l) => lines.push(l) });
    logger.child({ order_id: "o-1" }).info("reserved", { item: "kiwi" });
    const entry = JSON.parse(lines[0]!);
    expect(entry).to.include({ level: "info", service: "inventory", msg: "reserved", order_id: "o-1", item: "kiwi" });
    expect(Date.parse(entry.time)).to.be.a("number");
  });

  it("drops entries below its level and writes errors as their message", () => {
    const lines: string[] = [];
    const logger = createLogger("x", { level: "warn", write: (l) => lines.push(l) });
    logger.info("quiet");
    logger.error("failed", { err: new Error("boom") });
    expect(lines.map((l) => JSON.parse(l))).to.have.length(1);
    expect(JSON.parse(lines[0]!).err).to.equal("boom");
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
    expect(logger.lines.some((l) => l.level === "error" && l.err === "secret detail")).to.equal(true);
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
  const failing = (error: Error) => ({ invoker: { invoke: async () => Promise.reject(error) } }) as unknown as DaprClient;

  it("returns what the other app answered", async () => {
    const calls: unknown[][] = [];
    const client = { invoker: { invoke: async (...args: unknown[]) => (calls.push(args), { ok: true }) } };
    const answer = await invoke(client as unknown as DaprClient, "payments", "api/v1/payments", { id: "o-1" });
    expect(answer).to.deep.equal({ ok: true });
    expect(calls).to.deep.equal([["payments", "api/v1/payments", HttpMethod.POST, { id: "o-1" }]]);
  });

  it("says which call failed, with the status and the error the app gave", async () => {
    const sdkError = new Error(JSON.stringify({ error: "Not Found", error_msg: '{"error":"no payment for order o-9"}', status: 404 }));
    const err = await failure(invoke(failing(sdkError), "payments", "api/v1/payments/o-9/refund"));
    expect(err).to.be.instanceOf(InvocationError);
    expect(err.status).to.equal(404);
    expect(err.message).to.equal("payments/api/v1/payments/o-9/refund answered 404: no payment for order o-9");
    expect(err.appError, "the app's own error, for clients").to.equal("no payment for order o-9");
  });

  it("keeps an answer of Dapr's (no error of the app's) for the log only", async () => {
    const denied = '{"errorCode":"ERR_DIRECT_INVOKE","message":"access control policy has denied access to id: spiffe://public/ns/default/shipping"}';
    const sdkError = new Error(JSON.stringify({ error: "Forbidden", error_msg: denied, status: 403 }));
    const err = await failure(invoke(failing(sdkError), "payments", "api/v1/payments"));
    expect(err.status).to.equal(403);
    expect(err.appError).to.equal(undefined);
    expect(err.message).to.include("access control policy has denied access");
  });

  it("reports a failure without an HTTP answer as it is", async () => {
    const err = await failure(invoke(failing(new Error("connect ECONNREFUSED")), "inventory", "x"));
    expect(err.status).to.equal(undefined);
    expect(err.message).to.equal("inventory/x failed: connect ECONNREFUSED");
  });
});
