import { expect } from "chai";
import { createApp } from "@dapr-orders/service-kit";
import { MemoryStateStore, memoryLogger, request } from "@dapr-orders/service-kit/testing";
import { shippingRoutes } from "../src/routes.js";
import { decideShipment, Shipping } from "../src/shipping.js";

const order = { id: "o-1", customer: "joni", item: "kiwi" };
const shipping = (store = new MemoryStateStore(), blockedCustomers = ["nowhere"]) =>
  new Shipping(store, { blockedCustomers, maxAttempts: 5 });

describe("shipment decisions", () => {
  it("schedule a shipment, or fail for a customer no courier delivers to, whatever the case of the name", () => {
    expect(decideShipment(undefined, order, new Set())).to.deep.equal({
      write: { id: "o-1", status: "scheduled", customer: "joni", item: "kiwi", message: "Shipment of kiwi to joni scheduled" },
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
    });
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
  const app = (store = new MemoryStateStore()) => createApp({ logger: memoryLogger(), routes: shippingRoutes(shipping(store)) });

  it("answers 201 with the shipment's result", async () => {
    const res = await request(app(), "POST", "/api/v1/shipments", { body: { ...order, total: 12 } });
    expect(res.status).to.equal(201);
    expect(res.body.success).to.equal(true);
  });

  it("answers 201 with success false when shipping fails", async () => {
    const res = await request(app(), "POST", "/api/v1/shipments", { body: { ...order, customer: "nowhere" } });
    expect(res.status).to.equal(201);
    expect(res.body.success).to.equal(false);
  });

  it("shows a shipment through GET /api/v1/shipments/:id, and answers 404 for an unknown one", async () => {
    const server = app();
    await request(server, "POST", "/api/v1/shipments", { body: order });
    const found = await request(server, "GET", "/api/v1/shipments/o-1");
    expect(found.status).to.equal(200);
    expect(found.body).to.include({ id: "o-1", status: "scheduled" });
    expect((await request(server, "GET", "/api/v1/shipments/o-9")).status).to.equal(404);
  });

  it("answers 500 when the state store fails, so that the caller tries again later", async () => {
    const store = new MemoryStateStore();
    store.before = () => {
      throw new Error("connection refused");
    };
    expect((await request(app(store), "POST", "/api/v1/shipments", { body: order })).status).to.equal(500);
  });

  for (const field of ["id", "customer", "item"]) {
    it(`answers 400 naming the field when ${field} is missing`, async () => {
      const res = await request(app(), "POST", "/api/v1/shipments", { body: { ...order, [field]: undefined } });
      expect(res.status).to.equal(400);
      expect(res.body.field).to.equal(field);
    });
  }
});
