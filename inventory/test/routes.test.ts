import { expect } from "chai";
import { createApp } from "@dapr-orders/service-kit";
import { MemoryStateStore, memoryLogger, request } from "@dapr-orders/service-kit/testing";
import { inventoryRoutes } from "../src/routes.js";
import { Stock } from "../src/stock.js";

function setup(store = new MemoryStateStore(), appToken?: string) {
  const stock = new Stock(store, { items: ["apple", "kiwi"], restockQuantity: 100, maxAttempts: 5 });
  return createApp({ logger: memoryLogger(), routes: inventoryRoutes(stock, appToken) });
}

// Order ids as order-processor makes them; the body is the whole order, as it sends it.
const id = "2c624232-cdec-4b7e-9b7e-1a2b3c4d5e6f";
const otherId = "9b1d5e7a-3c2f-4e8b-a6d4-0f1e2d3c4b5a";
const json = { body: {} };

describe("inventory API", () => {
  it("says there is no inventory before a restock", async () => {
    const res = await request(setup(), "GET", "/api/v1/inventory");
    expect(res.status).to.equal(200);
    expect(res.body.message).to.match(/No inventory/);
    expect(res.body.items).to.deep.equal([]);
  });

  it("restocks every item to 100, lists it, and clears it", async () => {
    const app = setup();
    expect((await request(app, "POST", "/api/v1/inventory/restock", json)).status).to.equal(200);
    expect((await request(app, "GET", "/api/v1/inventory")).body).to.deep.equal([
      { name: "apple", quantity: 100 },
      { name: "kiwi", quantity: 100 },
    ]);
    expect((await request(app, "DELETE", "/api/v1/inventory")).status).to.equal(200);
    expect((await request(app, "GET", "/api/v1/inventory")).body.items).to.deep.equal([]);
  });

  it("refuses a restock that does not say it is JSON (a cross-site form), and one with fields", async () => {
    const app = setup();
    expect((await request(app, "POST", "/api/v1/inventory/restock")).status, "no body, no type").to.equal(415);
    const form = { raw: "", contentType: "application/x-www-form-urlencoded" };
    expect((await request(app, "POST", "/api/v1/inventory/restock", form)).status, "empty form").to.equal(415);
    const fields = await request(app, "POST", "/api/v1/inventory/restock", { body: { quantity: 1000 } });
    expect(fields.status).to.equal(400);
    expect(fields.body.field).to.equal("quantity");
    expect((await request(app, "GET", "/api/v1/inventory")).body.items, "nothing restocked").to.deep.equal([]);
  });

  it("reserves a unit for an order and releases it", async () => {
    const app = setup();
    await request(app, "POST", "/api/v1/inventory/restock", json);
    const order = { id, customer: "joni", item: "kiwi", total: 12 };
    const reserved = await request(app, "POST", "/api/v1/inventory/reserve", { body: order });
    expect(reserved.status).to.equal(200);
    expect(reserved.body).to.deep.equal({ id, success: true, message: "Reserved kiwi, 99 left" });
    const released = await request(app, "POST", "/api/v1/inventory/release", { body: order });
    expect(released.status).to.equal(200);
    expect(released.body).to.deep.equal({ id, success: true, message: "Released kiwi, 100 left", undone: true });
  });

  it("answers a release of an unknown order with undone false, and refuses its reservation afterwards", async () => {
    const app = setup();
    await request(app, "POST", "/api/v1/inventory/restock", json);
    const released = await request(app, "POST", "/api/v1/inventory/release", { body: { id: otherId } });
    expect(released.status).to.equal(200);
    expect(released.body).to.deep.equal({ id: otherId, success: true, message: "Nothing to release", undone: false });
    const late = await request(app, "POST", "/api/v1/inventory/reserve", { body: { id: otherId, item: "kiwi" } });
    expect(late.body.success).to.equal(false);
  });

  it("shows an order's reservation record with its effects through GET /api/v1/inventory/reservations/:id, and 404 for an unknown one", async () => {
    const app = setup();
    await request(app, "POST", "/api/v1/inventory/restock", json);
    const order = { id, customer: "joni", item: "kiwi", total: 12 };
    await request(app, "POST", "/api/v1/inventory/reserve", { body: order });
    await request(app, "POST", "/api/v1/inventory/release", { body: order });
    const res = await request(app, "GET", `/api/v1/inventory/reservations/${id}`);
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ order_id: id, item: "kiwi", status: "released", effects: [{ kind: "take" }, { kind: "return" }] });
    expect((await request(app, "GET", `/api/v1/inventory/reservations/${otherId}`)).status).to.equal(404);
    expect((await request(app, "GET", "/api/v1/inventory/reservations/o-1")).status).to.equal(404);
  });

  it("answers 500 when the state store fails, so that the caller tries again later, without the store's error", async () => {
    const store = new MemoryStateStore();
    store.before = () => {
      throw new Error("connection refused");
    };
    const res = await request(setup(store), "POST", "/api/v1/inventory/reserve", { body: { id, item: "kiwi" } });
    expect(res.status).to.equal(500);
    expect(res.body).to.deep.equal({ error: "internal error" });
  });

  it("answers success false when out of stock", async () => {
    const res = await request(setup(), "POST", "/api/v1/inventory/reserve", { body: { id, item: "kiwi" } });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ id, success: false, message: "Out of stock: kiwi" });
  });

  for (const [why, body, field] of [
    ["id is missing", { item: "kiwi" }, "id"],
    ["id is not an order id", { id: "o-1", item: "kiwi" }, "id"],
    ["item is missing", { id }, "item"],
    ["item is not a string", { id, item: 3 }, "item"],
    ["item is not an item name", { id, item: "Kiwi Fruit" }, "item"],
    ["item is too long", { id, item: "k".repeat(41) }, "item"],
    ["a field is unknown", { id, item: "kiwi", quantity: 5 }, "quantity"],
  ] as const) {
    it(`answers 400 naming the field when ${why}`, async () => {
      const res = await request(setup(), "POST", "/api/v1/inventory/reserve", { body });
      expect(res.status).to.equal(400);
      expect(res.body.field).to.equal(field);
    });
  }

  it("answers 400 for a release without an order id, or with an item that is not a string", async () => {
    const res = await request(setup(), "POST", "/api/v1/inventory/release", { body: {} });
    expect(res.status).to.equal(400);
    expect(res.body.field).to.equal("id");
    const item = await request(setup(), "POST", "/api/v1/inventory/release", { body: { id, item: 3 } });
    expect(item.status).to.equal(400);
    expect(item.body.field).to.equal("item");
  });

  it("answers 415 for a body that is not JSON, and 400 for broken JSON", async () => {
    const app = setup();
    const text = await request(app, "POST", "/api/v1/inventory/reserve", { raw: "kiwi", contentType: "text/plain" });
    expect(text.status).to.equal(415);
    const broken = await request(app, "POST", "/api/v1/inventory/reserve", { raw: "{" });
    expect(broken.status).to.equal(400);
  });

  describe("with an app API token", () => {
    const token = "app-t0ken";
    const headers = { "dapr-api-token": token };
    const calls: [string, string, object][] = [
      ["POST", "/api/v1/inventory/restock", {}],
      ["DELETE", "/api/v1/inventory", {}],
      ["POST", "/api/v1/inventory/reserve", { body: { id, item: "kiwi" } }],
      ["POST", "/api/v1/inventory/release", { body: { id, item: "kiwi" } }],
      ["GET", `/api/v1/inventory/reservations/${id}`, {}],
    ];

    it("refuses restock, clear, reserve, release and reading a reservation without it or with another (401), and changes nothing", async () => {
      const store = new MemoryStateStore();
      const app = setup(store, token);
      for (const [method, path, req] of calls) {
        const body = method === "POST" ? { body: {}, ...req } : req;
        expect((await request(app, method, path, body)).status, `${method} ${path}`).to.equal(401);
        expect((await request(app, method, path, { ...body, headers: { "dapr-api-token": "guess" } })).status).to.equal(401);
      }
      expect((await request(app, "GET", "/api/v1/inventory")).body.items).to.deep.equal([]);
    });

    it("takes them with it, and leaves the list open", async () => {
      const app = setup(new MemoryStateStore(), token);
      for (const [method, path, req] of calls) {
        const body = method === "POST" ? { body: {}, ...req } : req;
        expect((await request(app, method, path, { ...body, headers })).status, `${method} ${path}`).to.equal(200);
      }
      expect((await request(app, "GET", "/api/v1/inventory")).status).to.equal(200);
    });
  });
});
