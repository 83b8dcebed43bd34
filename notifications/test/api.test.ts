import { expect } from "chai";
import { createApp, Router } from "@dapr-orders/service-kit";
import { memoryLogger, request } from "@dapr-orders/service-kit/testing";
import { dashboardRoutes } from "../src/api.js";
import { Operator } from "../src/operator.js";
import { FakeBackend, MemoryRateLimit, MemorySessions } from "./fakes.js";

const operatorToken = "0per4tor-token";
/** An order id as order-processor makes them. */
const orderId7 = "7c624232-cdec-4b7e-9b7e-1a2b3c4d5e6f";
/** What an API client sends to act as the operator. */
const asOperator = { authorization: `Bearer ${operatorToken}` };

function setup(zipkinUiUrl?: string) {
  const backend = new FakeBackend();
  const logger = memoryLogger();
  const operator = new Operator({
    token: operatorToken,
    apiName: "ops",
    sessions: new MemorySessions(),
    failedLogins: new MemoryRateLimit(10),
    sessionTtlSeconds: 3600,
  });
  const routes = new Router().use(operator.routes().routes()).use(dashboardRoutes({ backend, operatorRequired: operator.required, logger, zipkinUiUrl }).routes());
  return { backend, logger, app: createApp({ logger, routes }) };
}

describe("dashboard API", () => {
  it("tells the page where the traces are (ZIPKIN_UI_URL), or null when tracing is off", async () => {
    expect((await request(setup("http://localhost:9411").app, "GET", "/api/tracing")).body).to.deep.equal({ zipkin_url: "http://localhost:9411" });
    expect((await request(setup().app, "GET", "/api/tracing")).body).to.deep.equal({ zipkin_url: null });
  });

  it("answers 404 for an approval of an id that is no order id, without passing it on", async () => {
    const { app, backend } = setup();
    const res = await request(app, "POST", `/api/orders/${encodeURIComponent("\n$x")}/approve`, { body: { approved: true }, headers: asOperator });
    expect(res.status).to.equal(404);
    expect(backend.calls).to.deep.equal([]);
  });

  it("refuses an order it cannot place itself: 400 naming the field, and 429 past the per-address limit", async () => {
    const backend = new FakeBackend();
    const operator = new Operator({ token: operatorToken, apiName: "ops", sessions: new MemorySessions(), failedLogins: new MemoryRateLimit(10), sessionTtlSeconds: 3600 });
    const routes = new Router().use(dashboardRoutes({ backend, operatorRequired: operator.required, logger: memoryLogger(), orderLimit: new MemoryRateLimit(2, 30) }).routes());
    const app = createApp({ logger: memoryLogger(), routes });
    const bad = await request(app, "POST", "/api/orders", { body: { customer: "joni", item: "Kiwi!", total: 1 } });
    expect(bad.status).to.equal(400);
    expect(bad.body.field).to.equal("item");
    expect((await request(app, "POST", "/api/orders", { body: { customer: "joni", item: "kiwi", total: 1 } })).status).to.equal(202);
    const limited = await request(app, "POST", "/api/orders", { body: { customer: "joni", item: "kiwi", total: 1 } });
    expect(limited.status).to.equal(429);
    expect(limited.headers.get("retry-after")).to.equal("30");
    expect(backend.calls).to.have.length(1);
  });

  it("places an order with order-processor: 202 with its instance id", async () => {
    const { app, backend } = setup();
    const extra = await request(app, "POST", "/api/orders", { body: { customer: "joni", item: "kiwi", total: 121.5, extra: 1 } });
    expect(extra.status, "a field it does not know").to.equal(400);
    expect(extra.body.field).to.equal("extra");
    const res = await request(app, "POST", "/api/orders", { body: { customer: "joni", item: "kiwi", total: 121.5 } });
    expect(res.status).to.equal(202);
    expect(res.body).to.deep.equal({ instance_id: "o-1" });
    expect(backend.calls).to.deep.equal([["placeOrder", { customer: "joni", item: "kiwi", total: 121.5 }]]);
  });

  it("passes the page's Idempotency-Key on to order-processor", async () => {
    const { app, backend } = setup();
    const body = { customer: "joni", item: "kiwi", total: 121.5 };
    await request(app, "POST", "/api/orders", { body, headers: { "Idempotency-Key": "page-7" } });
    expect(backend.calls).to.deep.equal([["placeOrder", body, "page-7"]]);
  });

  it("approves or rejects an order for the operator, under the operator's name", async () => {
    const { app, backend } = setup();
    const res = await request(app, "POST", `/api/orders/${orderId7}/approve`, { body: { approved: false }, headers: asOperator });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ id: orderId7, approver: "ops", approved: false });
    expect(backend.calls).to.deep.equal([["decide", orderId7, { approver: "ops", approved: false }]]);
  });

  it("lists the inventory for anyone; restocks and clears it for the operator", async () => {
    const { app, backend } = setup();
    expect((await request(app, "GET", "/api/inventory")).body).to.deep.equal({ items: [{ name: "kiwi", quantity: 7 }] });
    const res = await request(app, "POST", "/api/inventory/restock", { body: {}, headers: asOperator });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ items: [{ name: "kiwi", quantity: 100 }] });
    const cleared = await request(app, "DELETE", "/api/inventory", { headers: asOperator });
    expect(cleared.status).to.equal(200);
    expect(cleared.body).to.deep.equal({ items: [] });
    expect(backend.calls).to.deep.equal([["stock"], ["restock"], ["clear"]]);
  });

  it("refuses to approve, reject, restock or clear without the operator (401), and calls no one", async () => {
    const { app, backend } = setup();
    const calls: [string, string, object][] = [
      ["POST", `/api/orders/${orderId7}/approve`, { body: { approved: true } }],
      ["POST", "/api/inventory/restock", { body: {} }],
      ["DELETE", "/api/inventory", {}],
    ];
    for (const [method, path, req] of calls) {
      const without = await request(app, method, path, req);
      expect(without.status, `${method} ${path}`).to.equal(401);
      expect(without.body.error).to.include("sign in");
      const wrong = await request(app, method, path, { ...req, headers: { authorization: "Bearer guess" } });
      expect(wrong.status, `${method} ${path} with a wrong token`).to.equal(401);
    }
    expect(backend.calls).to.be.empty;
  });

  it("refuses a restock with settings (400 naming the field): it takes {}", async () => {
    const { app, backend } = setup();
    const res = await request(app, "POST", "/api/inventory/restock", { body: { quantity: 1_000_000 }, headers: asOperator });
    expect(res.status).to.equal(400);
    expect(res.body.field).to.equal("quantity");
    expect(backend.calls).to.be.empty;
  });

  it("refuses an approver in the body, even from the operator: the approver is who is signed in (400)", async () => {
    const { app, backend } = setup();
    const res = await request(app, "POST", `/api/orders/${orderId7}/approve`, { body: { approver: "mallory", approved: true }, headers: asOperator });
    expect(res.status).to.equal(400);
    expect(res.body.field).to.equal("approver");
    expect(backend.calls).to.be.empty;
  });

  it("answers the other app's 400, 404, 409 and 503 with the same status and its error", async () => {
    const { app, backend } = setup();
    for (const [status, detail] of [
      [400, "total must be a finite number greater than 0"],
      [404, "no order o-9"],
      [409, "order o-9 is COMPLETED: it no longer takes an approval"],
      [503, "too many orders are waiting for approval: try again later"],
    ] as const) {
      backend.failWith("order-processor/orders", status, detail, detail);
      const res = await request(app, "POST", "/api/orders", { body: { customer: "joni", item: "kiwi", total: 1 } });
      expect(res.status).to.equal(status);
      expect(res.body).to.deep.equal({ error: detail });
    }
  });

  it("answers 502 with a public message when the other app cannot be reached, fails or refuses, and logs the rest with the order id", async () => {
    const { app, backend, logger } = setup();
    backend.failWith("inventory/api/v1/inventory", undefined, "connect ECONNREFUSED 127.0.0.1:3502");
    let res = await request(app, "GET", "/api/inventory");
    expect(res.status).to.equal(502);
    expect(res.body).to.deep.equal({ error: "inventory could not be reached: try again later" });
    backend.failWith("inventory/api/v1/inventory/restock", 500, "redis at 10.0.0.7:6379 refused", "internal error");
    res = await request(app, "POST", "/api/inventory/restock", { body: {}, headers: asOperator });
    expect(res.status).to.equal(502);
    expect(res.body).to.deep.equal({ error: "inventory answered 500: try again later" });
    // Dapr's own refusal (no error of the app's) is no 403 of ours: its text stays in the log.
    const denied = "access control policy has denied access to id: spiffe://public/ns/default/notifications";
    backend.failWith(`order-processor/orders/${orderId7}/approve`, 403, denied);
    res = await request(app, "POST", `/api/orders/${orderId7}/approve`, { body: { approved: true }, headers: asOperator });
    expect(res.status).to.equal(502);
    expect(res.body).to.deep.equal({ error: "order-processor answered 403: try again later" });
    expect(JSON.stringify(res.body)).to.not.match(/ECONNREFUSED|10\.0\.0\.7|spiffe/);
    const logged = logger.lines.filter((line) => line.msg === "a dashboard action failed");
    expect(logged.map((line) => line.err)).to.deep.equal([
      "inventory/api/v1/inventory failed: connect ECONNREFUSED 127.0.0.1:3502",
      "inventory/api/v1/inventory/restock answered 500: redis at 10.0.0.7:6379 refused",
      `order-processor/orders/${orderId7}/approve answered 403: ${denied}`,
    ]);
    expect(logged[2]).to.include({ order_id: orderId7, operator: "ops" });
  });

  it("answers 400 for a body that is not a JSON object, without calling anyone", async () => {
    const { app, backend } = setup();
    const res = await request(app, "POST", "/api/orders", { raw: "[1, 2]" });
    expect(res.status).to.equal(400);
    expect(backend.calls).to.be.empty;
  });
});
