import { expect } from "chai";
import { createApp } from "@dapr-orders/service-kit";
import { memoryLogger, request } from "@dapr-orders/service-kit/testing";
import { Payments } from "../src/payments.js";
import { paymentRoutes } from "../src/routes.js";

const order = { id: "o-1", customer: "joni", total: 121 };

describe("payments", () => {
  it("charges a total up to the card limit", () => {
    expect(new Payments(500).charge({ ...order, total: 500 })).to.deep.equal({
      id: "o-1",
      success: true,
      message: "Charged 500 to joni",
    });
  });

  it("declines a total over the card limit", () => {
    const result = new Payments(100).charge(order);
    expect(result.success).to.equal(false);
    expect(result.message).to.include("declined");
  });

  it("charges an order once: asking again gives the first answer", () => {
    const payments = new Payments(500);
    const first = payments.charge(order);
    expect(payments.charge({ ...order, total: 9999 })).to.deep.equal(first);
  });

  it("refunds a payment once", () => {
    const payments = new Payments(500);
    payments.charge(order);
    expect(payments.refund("o-1")).to.deep.equal({ id: "o-1", success: true, message: "Refunded 121 to joni" });
    expect(payments.refund("o-1")).to.deep.equal({ id: "o-1", success: true, message: "Already refunded" });
  });

  it("refunds nothing for a declined payment, and knows no unknown order", () => {
    const payments = new Payments(100);
    payments.charge(order);
    expect(payments.refund("o-1")?.success).to.equal(false);
    expect(payments.refund("o-9")).to.equal(undefined);
  });
});

describe("payments API", () => {
  const app = () => createApp({ logger: memoryLogger(), routes: paymentRoutes(new Payments(5000)) });

  it("answers 201 with the payment's result", async () => {
    const res = await request(app(), "POST", "/api/v1/payments", { body: { ...order, item: "kiwi" } });
    expect(res.status).to.equal(201);
    expect(res.body).to.deep.equal({ id: "o-1", success: true, message: "Charged 121 to joni" });
  });

  it("answers 201 with success false for a declined payment", async () => {
    const res = await request(app(), "POST", "/api/v1/payments", { body: { ...order, total: 6000 } });
    expect(res.status).to.equal(201);
    expect(res.body.success).to.equal(false);
    expect(res.body.message).to.match(/declined/);
  });

  it("refunds through POST /api/v1/payments/:id/refund, and answers 404 for an unknown order", async () => {
    const server = app();
    await request(server, "POST", "/api/v1/payments", { body: order });
    const refund = await request(server, "POST", "/api/v1/payments/o-1/refund");
    expect(refund.status).to.equal(200);
    expect(refund.body.success).to.equal(true);
    expect((await request(server, "POST", "/api/v1/payments/o-9/refund")).status).to.equal(404);
  });

  for (const [why, body, field] of [
    ["id is missing", { customer: "joni", total: 1 }, "id"],
    ["customer is empty", { id: "o-1", customer: "", total: 1 }, "customer"],
    ["total is negative", { id: "o-1", customer: "joni", total: -1 }, "total"],
    ["total is a string", { id: "o-1", customer: "joni", total: "1" }, "total"],
  ] as const) {
    it(`answers 400 naming the field when ${why}`, async () => {
      const res = await request(app(), "POST", "/api/v1/payments", { body });
      expect(res.status).to.equal(400);
      expect(res.body.field).to.equal(field);
    });
  }
});
