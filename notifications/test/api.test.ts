import { expect } from "chai";
import { createApp } from "@dapr-orders/service-kit";
import { memoryLogger, request } from "@dapr-orders/service-kit/testing";
import { dashboardRoutes } from "../src/api.js";
import { FakeBackend } from "./fakes.js";

function setup() {
  const backend = new FakeBackend();
  return { backend, app: createApp({ logger: memoryLogger(), routes: dashboardRoutes(backend) }) };
}

describe("dashboard API", () => {
  it("places an order with order-processor: 202 with its instance id", async () => {
    const { app, backend } = setup();
    const res = await request(app, "POST", "/api/orders", { body: { customer: "joni", item: "kiwi", total: 121.5, extra: 1 } });
    expect(res.status).to.equal(202);
    expect(res.body).to.deep.equal({ instance_id: "o-1" });
    expect(backend.calls).to.deep.equal([["placeOrder", { customer: "joni", item: "kiwi", total: 121.5 }]]);
  });

  it("approves or rejects an order with order-processor", async () => {
    const { app, backend } = setup();
    const res = await request(app, "POST", "/api/orders/o-7/approve", { body: { approver: "kendall", approved: false } });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ id: "o-7", approver: "kendall", approved: false });
    expect(backend.calls).to.deep.equal([["decide", "o-7", { approver: "kendall", approved: false }]]);
  });

  it("lists and restocks the inventory", async () => {
    const { app, backend } = setup();
    expect((await request(app, "GET", "/api/inventory")).body).to.deep.equal({ items: [{ name: "kiwi", quantity: 7 }] });
    const res = await request(app, "POST", "/api/inventory/restock", { body: {} });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ items: [{ name: "kiwi", quantity: 100 }] });
    expect(backend.calls).to.deep.equal([["stock"], ["restock"]]);
  });

  it("answers the other app's 4xx with the same status and its error", async () => {
    const { app, backend } = setup();
    for (const [status, detail] of [
      [400, "total must be a finite number greater than 0"],
      [404, "no order o-9"],
      [409, "order o-9 is COMPLETED: it no longer takes an approval"],
    ] as const) {
      backend.failWith("order-processor/orders", status, detail);
      const res = await request(app, "POST", "/api/orders", { body: { customer: "joni", item: "kiwi", total: -1 } });
      expect(res.status).to.equal(status);
      expect(res.body).to.deep.equal({ error: detail });
    }
  });

  it("answers 502 when the other app cannot be reached or fails", async () => {
    const { app, backend } = setup();
    backend.failWith("inventory/api/v1/inventory", undefined, "connect ECONNREFUSED 127.0.0.1:3502");
    let res = await request(app, "GET", "/api/inventory");
    expect(res.status).to.equal(502);
    expect(res.body.error).to.match(/^inventory cannot be reached: .*ECONNREFUSED/);
    backend.failWith("inventory/api/v1/inventory/restock", 500, "ERR_DIRECT_INVOKE");
    res = await request(app, "POST", "/api/inventory/restock", { body: {} });
    expect(res.status).to.equal(502);
    expect(res.body.error).to.match(/^inventory cannot be reached: .*500/);
  });

  it("answers 400 for a body that is not a JSON object, without calling anyone", async () => {
    const { app, backend } = setup();
    const res = await request(app, "POST", "/api/orders", { raw: "[1, 2]" });
    expect(res.status).to.equal(400);
    expect(backend.calls).to.be.empty;
  });
});
