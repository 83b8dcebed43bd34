import { expect } from "chai";
import { createApp } from "@dapr-orders/service-kit";
import { MemoryStateStore, memoryLogger, request } from "@dapr-orders/service-kit/testing";
import { inventoryRoutes } from "../src/routes.js";
import { Stock } from "../src/stock.js";

function setup(store = new MemoryStateStore()) {
  const stock = new Stock(store, { items: ["apple", "kiwi"], restockQuantity: 100, maxAttempts: 5, recentOrders: 1000 });
  return createApp({ logger: memoryLogger(), routes: inventoryRoutes(stock) });
}

describe("inventory API", () => {
  it("says there is no inventory before a restock", async () => {
    const res = await request(setup(), "GET", "/api/v1/inventory");
    expect(res.status).to.equal(200);
    expect(res.body.message).to.match(/No inventory/);
    expect(res.body.items).to.deep.equal([]);
  });

  it("restocks every item to 100, lists it, and clears it", async () => {
    const app = setup();
    expect((await request(app, "POST", "/api/v1/inventory/restock")).status).to.equal(200);
    expect((await request(app, "GET", "/api/v1/inventory")).body).to.deep.equal([
      { name: "apple", quantity: 100 },
      { name: "kiwi", quantity: 100 },
    ]);
    expect((await request(app, "DELETE", "/api/v1/inventory")).status).to.equal(200);
    expect((await request(app, "GET", "/api/v1/inventory")).body.items).to.deep.equal([]);
  });

  it("reserves a unit for an order and releases it", async () => {
    const app = setup();
    await request(app, "POST", "/api/v1/inventory/restock");
    const order = { id: "o-1", customer: "joni", item: "kiwi", total: 12 };
    const reserved = await request(app, "POST", "/api/v1/inventory/reserve", { body: order });
    expect(reserved.status).to.equal(200);
    expect(reserved.body).to.deep.equal({ id: "o-1", success: true, message: "Reserved kiwi, 99 left" });
    const released = await request(app, "POST", "/api/v1/inventory/release", { body: order });
    expect(released.status).to.equal(200);
    expect(released.body).to.deep.equal({ id: "o-1", success: true, message: "Released kiwi, 100 left", undone: true });
  });

  it("answers a release of an unknown order with undone false, and refuses its reservation afterwards", async () => {
    const app = setup();
    await request(app, "POST", "/api/v1/inventory/restock");
    const released = await request(app, "POST", "/api/v1/inventory/release", { body: { id: "o-9" } });
    expect(released.status).to.equal(200);
    expect(released.body).to.deep.equal({ id: "o-9", success: true, message: "Nothing to release", undone: false });
    const late = await request(app, "POST", "/api/v1/inventory/reserve", { body: { id: "o-9", item: "kiwi" } });
    expect(late.body.success).to.equal(false);
  });

  it("answers 500 when the state store fails, so that the caller tries again later", async () => {
    const store = new MemoryStateStore();
    store.before = () => {
      throw new Error("connection refused");
    };
    const res = await request(setup(store), "POST", "/api/v1/inventory/reserve", { body: { id: "o-1", item: "kiwi" } });
    expect(res.status).to.equal(500);
  });

  it("answers success false when out of stock", async () => {
    const res = await request(setup(), "POST", "/api/v1/inventory/reserve", { body: { id: "o-1", item: "kiwi" } });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ id: "o-1", success: false, message: "Out of stock: kiwi" });
  });

  for (const [why, body, field] of [
    ["id is missing", { item: "kiwi" }, "id"],
    ["item is missing", { id: "o-1" }, "item"],
    ["item is not a string", { id: "o-1", item: 3 }, "item"],
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
    const item = await request(setup(), "POST", "/api/v1/inventory/release", { body: { id: "o-1", item: 3 } });
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
});
