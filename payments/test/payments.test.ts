import { expect } from "chai";
import { createApp } from "@dapr-orders/service-kit";
import { MemoryStateStore, memoryLogger, request } from "@dapr-orders/service-kit/testing";
import { decideCharge, decideRefund, Payments, type PaymentRecord } from "../src/payments.js";
import { paymentRoutes } from "../src/routes.js";

const order = { id: "o-1", customer: "joni", total: 121 };
const payments = (store = new MemoryStateStore(), cardLimit = 500) => new Payments(store, { cardLimit, maxAttempts: 5 });
/** Writes that took effect on `key`. */
function countWrites(store: MemoryStateStore, key: string) {
  const writes = { count: 0 };
  store.after = ({ op, keys }) => void (op === "set" && keys[0] === key && writes.count++);
  return writes;
}

describe("payment decisions", () => {
  it("charge a total up to the card limit, and decline one over it", () => {
    expect(decideCharge(undefined, { ...order, total: 500 }, 500)).to.deep.equal({
      write: { id: "o-1", status: "charged", customer: "joni", total: 500, message: "Charged 500 to joni", effects: [{ kind: "charge", amount: 500 }] },
      answer: { id: "o-1", success: true, message: "Charged 500 to joni" },
    });
    const declined = decideCharge(undefined, { ...order, total: 501 }, 500);
    expect(declined.write?.status).to.equal("declined");
    expect(declined.write?.effects).to.deep.equal([]);
    expect(declined.answer).to.deep.equal({ id: "o-1", success: false, message: "Payment declined: 501 is over the card limit of 500" });
  });

  it("answer a known order from its record, writing nothing", () => {
    const charged: PaymentRecord = { id: "o-1", status: "charged", customer: "joni", total: 121, message: "Charged 121 to joni" };
    expect(decideCharge(charged, { ...order, total: 9999 }, 500)).to.deep.equal({
      answer: { id: "o-1", success: true, message: "Charged 121 to joni" },
    });
    for (const status of ["refunded", "voided"] as const) {
      const decision = decideCharge({ ...charged, status }, order, 500);
      expect(decision.write).to.equal(undefined);
      expect(decision.answer.success).to.equal(false);
      expect(decision.answer.message).to.match(/nothing charged/);
    }
  });

  it("refund a charge once, and void an order with no payment", () => {
    const charged: PaymentRecord = {
      id: "o-1",
      status: "charged",
      customer: "joni",
      total: 121,
      message: "Charged 121 to joni",
      effects: [{ kind: "charge", amount: 121 }],
    };
    expect(decideRefund("o-1", charged)).to.deep.equal({
      write: { ...charged, status: "refunded", effects: [{ kind: "charge", amount: 121 }, { kind: "refund", amount: 121 }] },
      answer: { id: "o-1", success: true, message: "Refunded 121 to joni", undone: true },
    });
    expect(decideRefund("o-1", { ...charged, status: "refunded" })).to.deep.equal({
      answer: { id: "o-1", success: true, message: "Already refunded", undone: true },
    });
    expect(decideRefund("o-1", undefined)).to.deep.include({ write: { id: "o-1", status: "voided", effects: [] } });
    expect(decideRefund("o-1", undefined).answer.undone).to.equal(false);
    expect(decideRefund("o-1", { ...charged, status: "declined" }).answer).to.include({ success: true, undone: false });
    expect(decideRefund("o-1", { id: "o-1", status: "voided" })).to.deep.equal({
      answer: { id: "o-1", success: true, message: "Nothing to refund: no payment for this order", undone: false },
    });
  });
});

describe("payments", () => {
  it("charges an order once: asking again gives the first answer, also after a restart", async () => {
    const store = new MemoryStateStore();
    const first = await payments(store).charge(order);
    expect(first).to.deep.equal({ id: "o-1", success: true, message: "Charged 121 to joni" });
    const writes = countWrites(store, "payment-o-1");
    expect(await payments(store).charge({ ...order, total: 9999 })).to.deep.equal(first); // a new process, the same store
    expect(writes.count).to.equal(0);
  });

  it("declines a total over the card limit, and answers the same when asked again", async () => {
    const store = new MemoryStateStore();
    const declined = await payments(store, 100).charge(order);
    expect(declined.success).to.equal(false);
    expect(declined.message).to.include("declined");
    expect(await payments(store, 1000).charge(order)).to.deep.equal(declined);
  });

  it("charges once when the same order is charged twice at once in one process, the second call waiting for the first", async () => {
    const store = new MemoryStateStore();
    const writes = countWrites(store, "payment-o-1");
    let conflicts = 0;
    const service = new Payments(store, { cardLimit: 500, maxAttempts: 5, onConflict: () => void conflicts++ });
    const [a, b] = await Promise.all([service.charge(order), service.charge(order)]);
    expect(a).to.deep.equal(b);
    expect(writes.count).to.equal(1);
    expect(conflicts).to.equal(0);
  });

  it("charges once when two replicas charge the same order at once: the second write is refused and it reads again", async () => {
    const store = new MemoryStateStore();
    const writes = countWrites(store, "payment-o-1");
    const conflicts: number[] = [];
    const replica = () => new Payments(store, { cardLimit: 500, maxAttempts: 5, onConflict: (_key, attempt) => void conflicts.push(attempt) });
    const [a, b] = await Promise.all([replica().charge(order), replica().charge(order)]);
    expect(a).to.deep.equal(b);
    expect(writes.count).to.equal(1);
    expect(conflicts).to.deep.equal([1]); // the race really happened
  });

  it("refunds a payment once", async () => {
    const store = new MemoryStateStore();
    await payments(store).charge(order);
    expect(await payments(store).refund("o-1")).to.deep.equal({ id: "o-1", success: true, message: "Refunded 121 to joni", undone: true });
    expect(await payments(store).refund("o-1")).to.deep.equal({ id: "o-1", success: true, message: "Already refunded", undone: true });
    expect(await payments(store).find("o-1")).to.deep.equal({
      id: "o-1",
      status: "refunded",
      customer: "joni",
      total: 121,
      effects: [
        { kind: "charge", amount: 121 },
        { kind: "refund", amount: 121 },
      ],
    });
  });

  it("refunds nothing for a declined payment", async () => {
    const store = new MemoryStateStore();
    await payments(store, 100).charge(order);
    expect(await payments(store, 100).refund("o-1")).to.include({ success: true, undone: false });
    expect((await payments(store).find("o-1"))?.status).to.equal("declined");
  });

  it("voids an order refunded before it was charged: the charge that comes later charges nothing", async () => {
    const store = new MemoryStateStore();
    expect(await payments(store).refund("o-9")).to.deep.equal({
      id: "o-9",
      success: true,
      message: "Nothing to refund: no payment for this order",
      undone: false,
    });
    expect(await payments(store).charge({ ...order, id: "o-9" })).to.deep.equal({
      id: "o-9",
      success: false,
      message: "Payment voided: nothing charged",
    });
    expect(await payments(store).find("o-9")).to.deep.equal({ id: "o-9", status: "voided", effects: [] });
  });

  it("keeps a ledger with one charge and one refund, whatever the repeats, races and lost answers", async () => {
    const store = new MemoryStateStore();
    const lost = new Error("answer lost");
    let lose = 2; // the first two writes take effect, and their answers are lost
    store.after = ({ op }) => {
      if (op === "set" && lose-- > 0) throw lost;
    };
    const retried = async <T>(call: () => Promise<T>) => call().catch((err) => (err === lost ? call() : Promise.reject(err)));
    const replica = () => payments(store);
    await Promise.all([retried(() => replica().charge(order)), retried(() => replica().charge(order))]);
    await Promise.all([retried(() => replica().refund("o-1")), retried(() => replica().refund("o-1")), replica().charge(order)]);
    expect((await replica().find("o-1"))?.effects).to.deep.equal([
      { kind: "charge", amount: 121 },
      { kind: "refund", amount: 121 },
    ]);
  });

  it("shows a record of an older shape with an empty ledger", async () => {
    const store = new MemoryStateStore();
    await store.set("payment-o-1", { id: "o-1", status: "declined", customer: "joni", total: 9999 }, undefined);
    expect((await payments(store).find("o-1"))?.effects).to.deep.equal([]);
  });

  it("keeps no queue for orders that are done", async () => {
    const service = payments();
    await Promise.all([service.charge(order), service.refund("o-1"), service.charge({ ...order, id: "o-2" })]);
    expect((service as unknown as { queue: { size: number } }).queue.size).to.equal(0);
  });
});

describe("payments API", () => {
  const app = (store = new MemoryStateStore(), appToken?: string) =>
    createApp({ logger: memoryLogger(), routes: paymentRoutes(payments(store, 5000), appToken) });
  // Order ids as order-processor makes them; the body is the whole order, as it sends it.
  const id = "2c624232-cdec-4b7e-9b7e-1a2b3c4d5e6f";
  const unknownId = "9b1d5e7a-3c2f-4e8b-a6d4-0f1e2d3c4b5a";
  const placed = { id, customer: "joni", item: "kiwi", total: 121 };

  it("answers 201 with the payment's result", async () => {
    const res = await request(app(), "POST", "/api/v1/payments", { body: placed });
    expect(res.status).to.equal(201);
    expect(res.body).to.deep.equal({ id, success: true, message: "Charged 121 to joni" });
  });

  it("answers 201 with success false for a declined payment", async () => {
    const res = await request(app(), "POST", "/api/v1/payments", { body: { ...placed, total: 6000 } });
    expect(res.status).to.equal(201);
    expect(res.body.success).to.equal(false);
    expect(res.body.message).to.match(/declined/);
  });

  it("refunds through POST /api/v1/payments/:id/refund, and answers 200 for an unknown order too", async () => {
    const server = app();
    await request(server, "POST", "/api/v1/payments", { body: placed });
    const refund = await request(server, "POST", `/api/v1/payments/${id}/refund`, { body: placed });
    expect(refund.status).to.equal(200);
    expect(refund.body).to.deep.equal({ id, success: true, message: "Refunded 121 to joni", undone: true });
    const unknown = await request(server, "POST", `/api/v1/payments/${unknownId}/refund`, { body: {} });
    expect(unknown.status).to.equal(200);
    expect(unknown.body).to.include({ success: true, undone: false });
  });

  it("shows a payment through GET /api/v1/payments/:id, and answers 404 for an unknown one", async () => {
    const server = app();
    await request(server, "POST", "/api/v1/payments", { body: placed });
    const found = await request(server, "GET", `/api/v1/payments/${id}`);
    expect(found.status).to.equal(200);
    expect(found.body).to.deep.equal({ id, status: "charged", customer: "joni", total: 121, effects: [{ kind: "charge", amount: 121 }] });
    expect((await request(server, "GET", `/api/v1/payments/${unknownId}`)).status).to.equal(404);
  });

  it("answers 500 when the state store fails, so that the caller tries again later, without the store's error", async () => {
    const store = new MemoryStateStore();
    store.before = () => {
      throw new Error("connection refused");
    };
    const charge = await request(app(store), "POST", "/api/v1/payments", { body: placed });
    expect(charge.status).to.equal(500);
    expect(charge.body).to.deep.equal({ error: "internal error" });
    expect((await request(app(store), "POST", `/api/v1/payments/${id}/refund`, { body: {} })).status).to.equal(500);
  });

  for (const [why, body, field] of [
    ["id is missing", { customer: "joni", total: 1 }, "id"],
    ["id is not an order id", { id: "o-1", customer: "joni", total: 1 }, "id"],
    ["customer is empty", { id, customer: "", total: 1 }, "customer"],
    ["customer is too long", { id, customer: "j".repeat(101), total: 1 }, "customer"],
    ["total is negative", { id, customer: "joni", total: -1 }, "total"],
    ["total is a string", { id, customer: "joni", total: "1" }, "total"],
    ["total is over the bound", { id, customer: "joni", total: 1_000_001 }, "total"],
    ["a field is unknown", { id, customer: "joni", total: 1, card: "4111" }, "card"],
  ] as const) {
    it(`answers 400 naming the field when ${why}`, async () => {
      const res = await request(app(), "POST", "/api/v1/payments", { body });
      expect(res.status).to.equal(400);
      expect(res.body.field).to.equal(field);
    });
  }

  it("answers 404 to a refund or a read of an id that is not an order id, and writes nothing", async () => {
    const store = new MemoryStateStore();
    const refund = await request(app(store), "POST", "/api/v1/payments/o-1/refund", { body: {} });
    expect(refund.status).to.equal(404);
    expect(refund.body.error).to.equal("no payment for order o-1");
    expect(await payments(store).find("o-1")).to.equal(undefined);
    expect((await request(app(store), "GET", "/api/v1/payments/o-1")).status).to.equal(404);
  });

  it("answers 415 for a body that is not JSON, and for a refund without a body", async () => {
    expect((await request(app(), "POST", "/api/v1/payments", { raw: "joni", contentType: "text/plain" })).status).to.equal(415);
    expect((await request(app(), "POST", `/api/v1/payments/${id}/refund`)).status).to.equal(415);
  });

  describe("with an app API token", () => {
    const token = { "dapr-api-token": "app-t0ken" };

    it("refuses every route without the token (401), and charges nothing", async () => {
      const store = new MemoryStateStore();
      const server = app(store, "app-t0ken");
      expect((await request(server, "POST", "/api/v1/payments", { body: placed })).status).to.equal(401);
      expect((await request(server, "POST", `/api/v1/payments/${id}/refund`, { body: {} })).status).to.equal(401);
      expect((await request(server, "GET", `/api/v1/payments/${id}`)).status).to.equal(401);
      expect((await payments(store).find(id))).to.equal(undefined);
    });

    it("takes every route with it", async () => {
      const server = app(new MemoryStateStore(), "app-t0ken");
      expect((await request(server, "POST", "/api/v1/payments", { body: placed, headers: token })).status).to.equal(201);
      expect((await request(server, "GET", `/api/v1/payments/${id}`, { headers: token })).status).to.equal(200);
      expect((await request(server, "POST", `/api/v1/payments/${id}/refund`, { body: {}, headers: token })).status).to.equal(200);
      expect((await request(server, "GET", "/healthz")).status, "health stays open").to.equal(200);
    });
  });
});
