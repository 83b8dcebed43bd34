// The HTTP APIs' answers to bad requests (docs/spec.md, "HTTP API"), from the running services.
import { expect } from "chai";
import { createHash, randomUUID } from "node:crypto";
import { call } from "@dapr-orders/service-kit/http-client";
import { approve, asSidecarOf, ensureInStock, operatorSession, placeOrder, stock, waitUntilFinished } from "./http.js";
import { settings, urls } from "./target.js";

describe("order API", function () {
  this.timeout(60_000);
  const post = (json: unknown) => call("POST", `${urls.orders}/orders`, { json });

  it("answers 400 naming the field that is missing or invalid", async () => {
    const cases: [unknown, string][] = [
      [{ item: "kiwi", total: 1 }, "customer"],
      [{ customer: " ", item: "kiwi", total: 1 }, "customer"],
      [{ customer: "joni", total: 1 }, "item"],
      [{ customer: "joni", item: 7, total: 1 }, "item"],
      [{ customer: "joni", item: "kiwi" }, "total"],
      [{ customer: "joni", item: "kiwi", total: 0 }, "total"],
      [{ customer: "joni", item: "kiwi", total: -3 }, "total"],
      [{ customer: "joni", item: "kiwi", total: "12" }, "total"],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.field, JSON.stringify(body)).to.equal(field);
      expect(res.body.error).to.include(field);
    }
  });

  it("answers 400 to malformed JSON and to JSON that is not an object", async () => {
    const malformed = await call("POST", `${urls.orders}/orders`, { raw: '{"customer": "joni",' });
    expect(malformed.status).to.equal(400);
    expect(malformed.body.error).to.be.a("string");
    const array = await post([{ customer: "joni", item: "kiwi", total: 1 }]);
    expect(array.status).to.equal(400);
  });

  it("answers 415 to a body that is not JSON", async () => {
    const res = await call("POST", `${urls.orders}/orders`, { raw: "customer=joni", contentType: "text/plain" });
    expect(res.status).to.equal(415);
    expect(res.body.error).to.include("application/json");
  });

  it("answers 413 to an over-large body", async () => {
    const res = await post({ customer: "joni", item: "kiwi", total: 1, note: "x".repeat(100_000) });
    expect(res.status).to.equal(413);
  });

  it("answers 404 for an order it does not know", async () => {
    const id = randomUUID();
    expect((await call("GET", `${urls.orders}/orders/${id}`)).status).to.equal(404);
    expect((await approve(id, "kendall", true)).status).to.equal(404);
  });

  it("answers 400 to an approval without a valid decision (the dashboard) or approver (order-processor, from its sidecar)", async () => {
    const id = randomUUID();
    const cookie = await operatorSession("kendall");
    const dashboard = `${urls.notifications}/api/orders/${id}/approve`;
    const noDecision = await call("POST", dashboard, { json: {}, headers: { cookie } });
    expect(noDecision.status).to.equal(400);
    expect(noDecision.body.field).to.equal("approved");
    const notBoolean = await call("POST", dashboard, { json: { approved: "yes" }, headers: { cookie } });
    expect(notBoolean.status).to.equal(400);
    const sidecar = asSidecarOf("order-processor");
    const noApprover = await call("POST", `${urls.orders}/orders/${id}/approve`, { json: { approved: true }, headers: sidecar });
    expect(noApprover.status).to.equal(400);
    expect(noApprover.body.field).to.equal("approver");
  });

  it("answers 409 to an approval of an order that is over", async () => {
    const { id } = await placeOrder({ customer: "joni", item: "durian", total: 5 }); // not stocked: ends at once
    expect((await waitUntilFinished(id)).status).to.equal("COMPLETED");
    const res = await approve(id, "kendall", true);
    expect(res.status).to.equal(409);
    expect(res.body.error).to.include("COMPLETED");
  });

  it("answers 409 to an approval of a running order that does not wait for one", async () => {
    const { id } = await placeOrder({ customer: "joni", item: "orange", total: 5 });
    const res = await approve(id, "kendall", true);
    // By the time the approval arrives the order is still running or already over: either way, not waiting.
    expect(res.status, JSON.stringify(res.body)).to.equal(409);
    expect(res.body.error).to.include("not waiting for approval");
    expect((await waitUntilFinished(id)).status).to.equal("COMPLETED");
  });

  it("gives a client that retries with the same Idempotency-Key the same order", async () => {
    const key = `e2e-${randomUUID()}`;
    const order = { customer: "joni", item: "durian", total: 5 };
    const send = () => call("POST", `${urls.orders}/orders`, { json: order, headers: { "Idempotency-Key": key } });
    const first = await send();
    expect(first.status, JSON.stringify(first.body)).to.equal(202);
    await waitUntilFinished(first.body.instance_id);
    const again = await send();
    expect(again.status).to.equal(202);
    expect(again.body.instance_id).to.equal(first.body.instance_id);
    const other = await call("POST", `${urls.orders}/orders`, { json: { ...order, total: 6 }, headers: { "Idempotency-Key": key } });
    expect(other.status).to.equal(409);
  });

  it("answers 404 to an unknown route, and /healthz", async () => {
    expect((await call("GET", `${urls.orders}/nope`)).status).to.equal(404);
    expect((await call("GET", `${urls.orders}/healthz`)).status).to.equal(200);
  });
});

describe("inventory, payments and shipping APIs", function () {
  this.timeout(30_000);

  it("inventory answers 400 to a reservation without an id, and 415 to a body that is not JSON", async () => {
    const url = `${urls.inventory}/api/v1/inventory/reserve`;
    const noId = await call("POST", url, { json: { item: "kiwi" }, headers: asSidecarOf("inventory") });
    expect(noId.status).to.equal(400);
    expect(noId.body.field).to.equal("id");
    const text = await call("POST", url, { raw: "kiwi", contentType: "text/plain" });
    expect(text.status).to.equal(415);
  });

  it("payments answers 400 to a payment without a total; a refund of an unknown payment undoes nothing and voids it", async () => {
    const headers = asSidecarOf("payments");
    const noTotal = await call("POST", `${urls.payments}/api/v1/payments`, { json: { id: randomUUID(), customer: "joni" }, headers });
    expect(noTotal.status).to.equal(400);
    expect(noTotal.body.field).to.equal("total");
    const id = randomUUID();
    const refund = await call("POST", `${urls.payments}/api/v1/payments/${id}/refund`, { json: {}, headers });
    expect(refund.status, JSON.stringify(refund.body)).to.equal(200);
    expect(refund.body).to.include({ id, success: true, undone: false });
    const late = await call("POST", `${urls.payments}/api/v1/payments`, { json: { id, customer: "joni", total: 5 }, headers });
    expect(late.body.success, "a charge after the void").to.equal(false);
    expect((await call("GET", `${urls.payments}/api/v1/payments/${id}`, { headers })).body.status).to.equal("voided");
  });

  it("shipping answers 400 to a shipment without a customer", async () => {
    const res = await call("POST", `${urls.shipping}/api/v1/shipments`, { json: { id: randomUUID(), item: "kiwi" }, headers: asSidecarOf("shipping") });
    expect(res.status).to.equal(400);
    expect(res.body.field).to.equal("customer");
  });

  it("notifications serves the dashboard and its Socket.IO client itself", async () => {
    const page = await call("GET", `${urls.notifications}/`);
    expect(page.status).to.equal(200);
    expect(page.headers.get("content-type")).to.include("text/html");
    const client = await call("GET", `${urls.notifications}/socket.io/socket.io.js`);
    expect(client.status).to.equal(200);
  });
});

// What a cross-site page can send without the browser asking first (an HTML form, or
// fetch in no-cors mode): a POST of a form, with or without fields. Every POST must
// be JSON, so these never reach a route.
describe("requests that try to get in", function () {
  this.timeout(60_000);
  const form = "application/x-www-form-urlencoded";

  /** The id order-processor gives the order placed with this Idempotency-Key (as its orderIdForKey). */
  function orderIdForKey(key: string): string {
    const hash = createHash("sha256").update(key).digest("hex");
    return [hash.slice(0, 8), hash.slice(8, 12), hash.slice(12, 16), hash.slice(16, 20), hash.slice(20, 32)].join("-");
  }

  it("a cross-site form post to restock, empty or not, is refused with 415 and restocks nothing", async () => {
    await ensureInStock(["kiwi"]);
    const { id } = await placeOrder({ customer: "joni", item: "kiwi", total: 5 }); // takes a kiwi: the stock is not full
    expect((await waitUntilFinished(id)).order_result?.success).to.equal(true);
    const before = await stock();
    expect(before.kiwi, "a kiwi is missing, so a restock would show").to.be.below(settings.restockQuantity);

    for (const raw of ["", "quantity=100"]) {
      const res = await call("POST", `${urls.inventory}/api/v1/inventory/restock`, { raw, contentType: form });
      expect(res.status, JSON.stringify(raw)).to.equal(415);
    }
    const none = await call("POST", `${urls.inventory}/api/v1/inventory/restock`);
    expect(none.status, "no body, no Content-Type").to.equal(415);
    expect(await stock()).to.deep.equal(before);
  });

  it("a cross-site form post to POST /orders or an approval, empty or not, is refused with 415 and places nothing", async () => {
    for (const raw of ["", "customer=joni&item=kiwi&total=5"]) {
      const key = `e2e-form-${randomUUID()}`; // a form cannot send one: here it shows whether an order was placed
      const res = await call("POST", `${urls.orders}/orders`, { raw, contentType: form, headers: { "Idempotency-Key": key } });
      expect(res.status, JSON.stringify(raw)).to.equal(415);
      expect((await call("GET", `${urls.orders}/orders/${orderIdForKey(key)}`)).status, "no order for the key").to.equal(404);
    }
    const approval = await call("POST", `${urls.orders}/orders/${randomUUID()}/approve`, { raw: "approver=mallory&approved=true", contentType: form });
    expect(approval.status).to.equal(415);
  });

  it("a field the API does not know is a 400 naming it", async () => {
    const order = await call("POST", `${urls.orders}/orders`, { json: { customer: "joni", item: "kiwi", total: 5, discount: 100 } });
    expect(order.status).to.equal(400);
    expect(order.body).to.include({ field: "discount" });
    const sidecar = asSidecarOf("inventory");
    const reserve = await call("POST", `${urls.inventory}/api/v1/inventory/reserve`, { json: { id: randomUUID(), item: "kiwi", quantity: 50 }, headers: sidecar });
    expect(reserve.status).to.equal(400);
    expect(reserve.body).to.include({ field: "quantity" });
    const restock = await call("POST", `${urls.inventory}/api/v1/inventory/restock`, { json: { quantity: 1_000_000 }, headers: sidecar });
    expect(restock.status).to.equal(400);
    expect(restock.body).to.include({ field: "quantity" });
  });

  it("a total over 1,000,000, an over-long name or an item that is no item name is a 400 naming the field", async () => {
    const cases: [unknown, string][] = [
      [{ customer: "joni", item: "kiwi", total: 1_000_000.01 }, "total"],
      [{ customer: "j".repeat(101), item: "kiwi", total: 5 }, "customer"],
      [{ customer: "joni", item: "kiwi; DROP TABLE", total: 5 }, "item"],
    ];
    for (const [body, field] of cases) {
      const res = await call("POST", `${urls.orders}/orders`, { json: body });
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.field).to.equal(field);
      expect(res.body.error).to.include(field);
    }
  });

  it("an order id in a body that is not one is a 400 naming it; in a path it names no order: 404", async () => {
    const reserve = await call("POST", `${urls.inventory}/api/v1/inventory/reserve`, { json: { id: "../stock-kiwi", item: "kiwi" }, headers: asSidecarOf("inventory") });
    expect(reserve.status).to.equal(400);
    expect(reserve.body.field).to.equal("id");
    expect((await call("GET", `${urls.orders}/orders/..%2Fstock-kiwi`)).status).to.equal(404);
    expect((await call("POST", `${urls.payments}/api/v1/payments/x/refund`, { json: {}, headers: asSidecarOf("payments") })).status).to.equal(404);
  });
});
