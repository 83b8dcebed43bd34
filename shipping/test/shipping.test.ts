import { expect } from "chai";
import { createApp } from "@dapr-orders/service-kit";
import { MemoryStateStore, memoryLogger, request } from "@dapr-orders/service-kit/testing";
import { shippingRoutes } from "../src/routes.js";
import { decideCancel, decideShipment, Shipping, type ShipmentRecord } from "../src/shipping.js";

const order = { id: "o-1", customer: "joni", item: "kiwi" };
const shipping = (store = new MemoryStateStore(), blockedCustomers = ["nowhere"]) =>
  new Shipping(store, { blockedCustomers, maxAttempts: 5 });

describe("shipment decisions", () => {
  it("schedule a shipment, or fail for a customer no courier delivers to, whatever the case of the name", () => {
    expect(decideShipment(undefined, order, new Set())).to.deep.equal({
      write: { id: "o-1", status: "scheduled", customer: "joni", item: "kiwi", message: "Shipment of kiwi to joni scheduled", effects: [{ kind: "ship" }] },
      answer: { id: "o-1", success: true, message: "Shipment of kiwi to joni scheduled" },
    });
    expect(decideShipment(undefined, { ...order, customer: "Nowhere" }, new Set(["nowhere"])).answer).to.deep.equal({
      id: "o-1",
      success: false,
      message: "No courier delivers to Nowhere",
    });
  });

  it("answer a known order from its record, writing nothing", () => {
    const record = { id: "o-1", status: "failed", customer: "nowhere", item: "kiwi", message: "No courier delivers to nowhere" } as const;
    expect(decideShipment(record, order, new Set())).to.deep.equal({
      answer: { id: "o-1", success: false, message: "No courier delivers to nowhere" },
    });
  });
});

describe("cancel decisions", () => {
  const scheduled: ShipmentRecord = {
    id: "o-1",
    status: "scheduled",
    customer: "joni",
    item: "kiwi",
    message: "Shipment of kiwi to joni scheduled",
    effects: [{ kind: "ship" }],
  };

  it("cancel a scheduled shipment, noting it in the ledger", () => {
    expect(decideCancel(scheduled, { id: "o-1" })).to.deep.equal({
      write: { ...scheduled, status: "cancelled", effects: [{ kind: "ship" }, { kind: "cancel" }] },
      answer: { id: "o-1", success: true, message: "Shipment of kiwi to joni cancelled", undone: true },
    });
  });

  it("leave a cancelled record for an order with no shipment, that a later ship call is refused by", () => {
    const { write, answer } = decideCancel(undefined, order);
    expect(write).to.deep.equal({ id: "o-1", status: "cancelled", customer: "joni", item: "kiwi", message: "Shipment cancelled: nothing ships", effects: [] });
    expect(answer).to.include({ success: true, undone: false }); // nothing was shipped: nothing to say was undone
    expect(decideShipment(write, order, new Set())).to.deep.equal({ answer: { id: "o-1", success: false, message: "Shipment cancelled: nothing ships" } });
  });

  it("write nothing for a failed or cancelled shipment", () => {
    expect(decideCancel({ ...scheduled, status: "failed" }, order)).to.deep.equal({
      answer: { id: "o-1", success: true, message: "Nothing to cancel: the shipment failed", undone: false },
    });
    expect(decideCancel({ ...scheduled, status: "cancelled" }, order).write).to.equal(undefined);
  });
});

describe("shipping", () => {
  it("schedules an order once: asking again gives the first answer, also after a restart", async () => {
    const store = new MemoryStateStore();
    const first = await shipping(store).schedule(order);
    expect(first).to.deep.equal({ id: "o-1", success: true, message: "Shipment of kiwi to joni scheduled" });
    expect(await shipping(store, ["joni"]).schedule({ ...order, item: "pear" })).to.deep.equal(first);
    expect(await shipping(store).find("o-1")).to.deep.equal({
      id: "o-1",
      status: "scheduled",
      customer: "joni",
      item: "kiwi",
      message: "Shipment of kiwi to joni scheduled",
      effects: [{ kind: "ship" }],
    });
  });

  it("gives the record its time to live again with every write (ship, cancel)", async () => {
    const store = new MemoryStateStore();
    const kept = new Shipping(store, { blockedCustomers: [], maxAttempts: 5, recordTtlSeconds: 600 });
    await kept.schedule(order);
    expect(store.ttlOf("shipment-o-1")).to.equal(600);
    const { etag } = await store.get("shipment-o-1");
    await store.set("shipment-o-1", store.peek("shipment-o-1"), etag); // as if the time to live had been cleared
    await kept.cancel({ id: "o-1" });
    expect(store.ttlOf("shipment-o-1")).to.equal(600);
    await kept.cancel({ id: "o-2" });
    expect(store.ttlOf("shipment-o-2")).to.equal(600);
  });

  it("cancels a shipment once, and ships nothing after a cancel that came first", async () => {
    const store = new MemoryStateStore();
    await shipping(store).schedule(order);
    expect(await shipping(store).cancel({ id: "o-1" })).to.include({ success: true, undone: true, message: "Shipment of kiwi to joni cancelled" });
    expect(await shipping(store).cancel({ id: "o-1" })).to.include({ success: true, undone: true, message: "Already cancelled" });
    expect(await shipping(store).schedule(order)).to.include({ success: false, message: "Shipment cancelled: nothing ships" });
    expect((await shipping(store).find("o-1"))?.effects).to.deep.equal([{ kind: "ship" }, { kind: "cancel" }]);

    expect(await shipping(store).cancel({ id: "o-2" })).to.include({ undone: false });
    expect(await shipping(store).cancel({ id: "o-2" })).to.include({ undone: false, message: "Already cancelled" });
    expect(await shipping(store).schedule({ ...order, id: "o-2" })).to.include({ success: false });
    expect(await shipping(store).find("o-2")).to.deep.equal({ id: "o-2", status: "cancelled", message: "Shipment cancelled: nothing ships", effects: [] });
  });

  it("either ships and cancels, or ships nothing, when a ship call and a cancel of one order race on two replicas", async () => {
    for (const cancelFirst of [false, true]) {
      const store = new MemoryStateStore();
      const ship = () => shipping(store).schedule(order);
      const cancel = () => shipping(store).cancel(order);
      const [shipped] = cancelFirst ? (await Promise.all([ship(), cancel()])) : [await Promise.all([cancel(), ship()]).then(([, s]) => s)];
      const effects = (await shipping(store).find("o-1"))?.effects;
      expect(effects, `cancel first: ${cancelFirst}`).to.deep.equal(shipped!.success ? [{ kind: "ship" }, { kind: "cancel" }] : []);
      expect((await shipping(store).find("o-1"))?.status).to.equal("cancelled");
    }
  });

  it("schedules once when two replicas ship the same order at once", async () => {
    const store = new MemoryStateStore();
    let writes = 0;
    store.after = ({ op }) => void (op === "set" && writes++);
    const [a, b] = await Promise.all([shipping(store).schedule(order), shipping(store).schedule(order)]);
    expect(a).to.deep.equal(b);
    expect(writes).to.equal(1);
  });
});

describe("shipping API", () => {
  const app = (store = new MemoryStateStore(), appToken?: string) =>
    createApp({ logger: memoryLogger(), routes: shippingRoutes(shipping(store), appToken) });
  // Order ids as order-processor makes them; the body is the whole order, as it sends it.
  const id = "2c624232-cdec-4b7e-9b7e-1a2b3c4d5e6f";
  const placed = { id, customer: "joni", item: "kiwi", total: 12 };

  it("answers 201 with the shipment's result", async () => {
    const res = await request(app(), "POST", "/api/v1/shipments", { body: placed });
    expect(res.status).to.equal(201);
    expect(res.body.success).to.equal(true);
  });

  it("answers 201 with success false when shipping fails", async () => {
    const res = await request(app(), "POST", "/api/v1/shipments", { body: { ...placed, customer: "nowhere" } });
    expect(res.status).to.equal(201);
    expect(res.body.success).to.equal(false);
  });

  it("shows a shipment through GET /api/v1/shipments/:id, and answers 404 for an unknown one", async () => {
    const server = app();
    await request(server, "POST", "/api/v1/shipments", { body: placed });
    const found = await request(server, "GET", `/api/v1/shipments/${id}`);
    expect(found.status).to.equal(200);
    expect(found.body).to.deep.include({ id, status: "scheduled", effects: [{ kind: "ship" }] });
    expect((await request(server, "GET", "/api/v1/shipments/9b1d5e7a-3c2f-4e8b-a6d4-0f1e2d3c4b5a")).status).to.equal(404);
    expect((await request(server, "GET", "/api/v1/shipments/o-9")).status, "not an order id").to.equal(404);
  });

  it("cancels through POST /api/v1/shipments/:id/cancel (200), for an order with no shipment too; a ship call after it answers 201 with success false", async () => {
    const server = app();
    const cancelled = await request(server, "POST", `/api/v1/shipments/${id}/cancel`, { body: placed });
    expect(cancelled.status).to.equal(200);
    expect(cancelled.body).to.include({ id, success: true, undone: false });
    const late = await request(server, "POST", "/api/v1/shipments", { body: placed });
    expect(late.status).to.equal(201);
    expect(late.body.success).to.equal(false);
    expect(late.body.message).to.include("cancelled");
    expect((await request(server, "GET", `/api/v1/shipments/${id}`)).body).to.deep.include({ status: "cancelled", effects: [] });
    expect((await request(server, "POST", `/api/v1/shipments/${id}/cancel`, { body: placed })).body).to.include({ undone: false });
  });

  it("answers 404 to a cancel of an id that is not an order id, 400 for a body with an unknown field, 415 without a body; writes nothing", async () => {
    const store = new MemoryStateStore();
    const server = app(store);
    expect((await request(server, "POST", "/api/v1/shipments/o-9/cancel", { body: {} })).status).to.equal(404);
    const unknown = await request(server, "POST", `/api/v1/shipments/${id}/cancel`, { body: { ...placed, address: "x" } });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.field).to.equal("address");
    expect((await request(server, "POST", `/api/v1/shipments/${id}/cancel`)).status).to.equal(415);
    expect(store.peek(`shipment-${id}`)).to.equal(undefined);
  });

  it("answers 500 when the state store fails, so that the caller tries again later, without the store's error", async () => {
    const store = new MemoryStateStore();
    store.before = () => {
      throw new Error("connection refused");
    };
    const res = await request(app(store), "POST", "/api/v1/shipments", { body: placed });
    expect(res.status).to.equal(500);
    expect(res.body).to.deep.equal({ error: "internal error" });
  });

  for (const field of ["id", "customer", "item"]) {
    it(`answers 400 naming the field when ${field} is missing`, async () => {
      const res = await request(app(), "POST", "/api/v1/shipments", { body: { ...placed, [field]: undefined } });
      expect(res.status).to.equal(400);
      expect(res.body.field).to.equal(field);
    });
  }

  for (const [why, change, field] of [
    ["an unknown field", { address: "somewhere" }, "address"],
    ["a customer too long", { customer: "c".repeat(101) }, "customer"],
    ["an item that is no item name", { item: "<b>kiwi</b>" }, "item"],
  ] as const) {
    it(`answers 400 naming the field for ${why}`, async () => {
      const res = await request(app(), "POST", "/api/v1/shipments", { body: { ...placed, ...change } });
      expect(res.status).to.equal(400);
      expect(res.body.field).to.equal(field);
    });
  }

  it("with an app API token: refuses a request without it (401), takes one with it", async () => {
    const server = app(new MemoryStateStore(), "app-t0ken");
    expect((await request(server, "POST", "/api/v1/shipments", { body: placed })).status).to.equal(401);
    expect((await request(server, "GET", `/api/v1/shipments/${id}`)).status).to.equal(401);
    expect((await request(server, "POST", `/api/v1/shipments/${id}/cancel`, { body: placed })).status).to.equal(401);
    const headers = { "dapr-api-token": "app-t0ken" };
    expect((await request(server, "POST", "/api/v1/shipments", { body: placed, headers })).status).to.equal(201);
    expect((await request(server, "GET", `/api/v1/shipments/${id}`, { headers })).status).to.equal(200);
    expect((await request(server, "POST", `/api/v1/shipments/${id}/cancel`, { body: placed, headers })).status).to.equal(200);
  });
});
