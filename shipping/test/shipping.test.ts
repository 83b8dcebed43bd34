import { expect } from "chai";
import { createApp } from "@dapr-orders/service-kit";
import { memoryLogger, request } from "@dapr-orders/service-kit/testing";
import { shippingRoutes } from "../src/routes.js";
import { Shipping } from "../src/shipping.js";

const order = { id: "o-1", customer: "joni", item: "kiwi" };

describe("shipping", () => {
  it("schedules a shipment", () => {
    expect(new Shipping([]).schedule(order)).to.deep.equal({
      id: "o-1",
      success: true,
      message: "Shipment of kiwi to joni scheduled",
    });
  });

  it("fails for a customer no courier delivers to, whatever the case of the name", () => {
    const result = new Shipping(["Nowhere"]).schedule({ ...order, customer: "nowhere" });
    expect(result).to.deep.equal({ id: "o-1", success: false, message: "No courier delivers to nowhere" });
  });

  it("schedules an order once: asking again gives the first answer", () => {
    const shipping = new Shipping(["nowhere"]);
    const first = shipping.schedule(order);
    expect(shipping.schedule({ ...order, customer: "nowhere" })).to.deep.equal(first);
  });
});

describe("shipping API", () => {
  const app = () => createApp({ logger: memoryLogger(), routes: shippingRoutes(new Shipping(["nowhere"])) });

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

  for (const field of ["id", "customer", "item"]) {
    it(`answers 400 naming the field when ${field} is missing`, async () => {
      const res = await request(app(), "POST", "/api/v1/shipments", { body: { ...order, [field]: undefined } });
      expect(res.status).to.equal(400);
      expect(res.body.field).to.equal(field);
    });
  }
});
