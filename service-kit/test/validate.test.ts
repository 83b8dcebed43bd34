import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { createApp, HttpError, isOrderId, maxOrderTotal, orderSchema, parse, parseBody, Router, z } from "../src/index.js";
import { memoryLogger, request } from "../src/testing.js";

/** The 400 that parse throws, as {status, error, field}. */
function refusal(schema: z.ZodType, value: unknown) {
  try {
    parse(schema, value);
  } catch (err) {
    if (err instanceof HttpError) return { status: err.status, error: err.message, field: err.details.field };
    throw err;
  }
  throw new Error(`${JSON.stringify(value)} was accepted`);
}

describe("parse", () => {
  const order = { id: randomUUID(), customer: "joni", item: "kiwi", total: 121.5 };

  it("gives the parsed value: strings trimmed", () => {
    expect(parse(orderSchema, { ...order, customer: "  joni " })).to.deep.equal(order);
  });

  it("answers 400 naming the field: missing, wrong type, empty, too long", () => {
    expect(refusal(orderSchema, { ...order, customer: undefined })).to.deep.equal({ status: 400, error: "customer is required", field: "customer" });
    expect(refusal(orderSchema, { ...order, total: "121" })).to.deep.equal({ status: 400, error: "total must be a number", field: "total" });
    expect(refusal(orderSchema, { ...order, customer: "  " })).to.deep.equal({ status: 400, error: "customer must be a non-empty string", field: "customer" });
    expect(refusal(orderSchema, { ...order, customer: "x".repeat(101) })).to.deep.equal({
      status: 400,
      error: "customer must be at most 100 characters",
      field: "customer",
    });
    expect(parse(orderSchema, { ...order, customer: "x".repeat(100) }).customer).to.have.length(100);
  });

  it("answers 400 naming a field it does not know", () => {
    expect(refusal(orderSchema, { ...order, discount: 5 })).to.deep.equal({ status: 400, error: "discount is not a known field", field: "discount" });
  });

  it("names a nested field by its path", () => {
    const schema = z.strictObject({ order: z.strictObject({ total: z.number() }) });
    expect(refusal(schema, { order: { total: null } }).field).to.equal("order.total");
    expect(refusal(schema, { order: { total: 1, x: 1 } }).field).to.equal("order.x");
  });

  it("answers 400 without a field when the body is not a JSON object", () => {
    for (const body of [[order], "joni", null, 7]) {
      expect(refusal(orderSchema, body)).to.deep.equal({ status: 400, error: "request body must be a JSON object", field: undefined });
    }
  });
});

describe("order fields", () => {
  const order = { id: randomUUID(), customer: "joni", item: "kiwi", total: 1 };
  const field = (value: object) => refusal(orderSchema, { ...order, ...value }).field;

  it("takes order ids as order-processor makes them, and nothing else", () => {
    expect(parse(orderSchema, { ...order, id: "2c624232-cdec-4b7e-9b7e-1a2b3c4d5e6f" }).id).to.be.a("string");
    expect(parse(orderSchema, { ...order, id: "a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90" }).id, "from an Idempotency-Key").to.be.a("string");
    for (const id of ["o-1", "", "2C624232-CDEC-4B7E-9B7E-1A2B3C4D5E6F", `${randomUUID()}x`, "../../etc/passwd", 7]) {
      expect(field({ id }), String(id)).to.equal("id");
    }
    expect(isOrderId(randomUUID())).to.equal(true);
    expect(isOrderId("no-such-order")).to.equal(false);
  });

  it("takes item names of a-z, 0-9 and -, 1 to 40 characters", () => {
    expect(parse(orderSchema, { ...order, item: "blood-orange-2" }).item).to.equal("blood-orange-2");
    for (const item of ["", "Kiwi", "kiwi fruit", "<b>", "x".repeat(41)]) expect(field({ item }), item).to.equal("item");
  });

  it(`takes totals over 0 up to ${maxOrderTotal}`, () => {
    expect(parse(orderSchema, { ...order, total: maxOrderTotal }).total).to.equal(maxOrderTotal);
    expect(parse(orderSchema, { ...order, total: 0.01 }).total).to.equal(0.01);
    for (const total of [0, -1, maxOrderTotal + 0.01, Infinity, NaN, null]) expect(field({ total }), String(total)).to.equal("total");
  });
});

describe("parseBody", () => {
  it("turns a body that does not fit into a 400 {error, field}", async () => {
    const routes = new Router();
    routes.post("/orders", (ctx) => {
      ctx.body = parseBody(ctx, orderSchema);
    });
    const app = createApp({ logger: memoryLogger(), routes });
    const order = { id: randomUUID(), customer: "joni", item: "kiwi", total: 1 };
    expect((await request(app, "POST", "/orders", { body: order })).body).to.deep.equal(order);
    const res = await request(app, "POST", "/orders", { body: { ...order, total: maxOrderTotal * 2 } });
    expect(res.status).to.equal(400);
    expect(res.body).to.deep.equal({ error: `total must be at most ${maxOrderTotal}`, field: "total" });
  });
});
