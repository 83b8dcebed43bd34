import { expect } from "chai";
import { StateReadError } from "@dapr-orders/service-kit";
import { MemoryStateStore } from "@dapr-orders/service-kit/testing";
import type { OrderView, OrderWorkflows } from "../src/orders.js";
import { OrderOutcomes, outcomeKey, outcomeOf, outcomeView, withOutcomes, type OrderEnding } from "../src/outcomes.js";

const order = { id: "order-1", customer: "joni", item: "kiwi", total: 121 };
const created_time = "2026-01-02T03:04:05.000Z";
const now = new Date("2026-01-02T03:04:09.000Z");
const completed: OrderEnding = { order, created_time, result: { id: "order-1", success: true, message: "Order processed" } };

describe("order outcomes", () => {
  it("record a completed order as GET /orders/:id showed its finished workflow", () => {
    expect(outcomeView(outcomeOf(completed, now))).to.deep.equal({
      id: "order-1",
      details: order,
      status: "COMPLETED",
      awaiting_approval: false,
      compensating: false,
      created_time,
      last_updated_time: now.toISOString(),
      order_result: { id: "order-1", success: true, message: "Order processed" },
    });
  });

  it("record a failed order with its failure, whose text is shown only for a failed shipment", () => {
    const failed = (error_type: string) =>
      outcomeView(outcomeOf({ order, created_time, failure: { error_type, message: "No courier delivers to joni" } }, now));
    expect(failed("ShippingFailed")).to.include({ status: "FAILED" });
    expect(failed("ShippingFailed").failure_details).to.deep.equal({ error_type: "ShippingFailed", message: "No courier delivers to joni" });
    expect(failed("TypeError").failure_details?.message).to.match(/its details are in order-processor's log/);
    expect(failed("ShippingFailed")).to.not.have.property("order_result");
  });

  it("are written once with their time to live, and a second write (an activity run again) changes nothing", async () => {
    const store = new MemoryStateStore();
    const outcomes = new OrderOutcomes(store, 600);
    await outcomes.record(completed, now);
    await outcomes.record({ ...completed, result: { id: "order-1", success: false, message: "other" } }, new Date());
    expect(store.ttlOf(outcomeKey("order-1"))).to.equal(600);
    expect(await outcomes.find("order-1")).to.deep.equal(outcomeView(outcomeOf(completed, now)));
    expect(await outcomes.find("order-2")).to.equal(undefined);
  });

  it("throw when the store cannot write, or cannot read: a failed read is never an absence", async () => {
    const store = new MemoryStateStore();
    const outcomes = new OrderOutcomes(store, 600);
    store.before = () => {
      throw new StateReadError("outcome-order-1", "redis: i/o timeout");
    };
    expect(await outcomes.record(completed).catch((err) => err)).to.be.instanceOf(Error);
    expect(await outcomes.find("order-1").catch((err) => err)).to.be.instanceOf(StateReadError);
  });
});

describe("withOutcomes: an order read through", () => {
  const running = { id: "order-1", status: "RUNNING" } as OrderView;
  const workflows = (found: OrderView | undefined | Error): OrderWorkflows => ({
    start: async () => {},
    approve: async () => {},
    get: async () => {
      if (found instanceof Error) throw found;
      return found;
    },
  });
  const outcomes = (found: OrderView | undefined | Error) => ({
    find: async () => {
      if (found instanceof Error) throw found;
      return found;
    },
  });
  const purged = outcomeView(outcomeOf(completed, now));

  it("answers from the workflow while it is there, from the outcome once it is purged, and nothing when neither is", async () => {
    expect(await withOutcomes(workflows(running), outcomes(purged)).get("order-1")).to.equal(running);
    expect(await withOutcomes(workflows(undefined), outcomes(purged)).get("order-1")).to.equal(purged);
    expect(await withOutcomes(workflows(undefined), outcomes(undefined)).get("order-1")).to.equal(undefined);
  });

  it("fails when either read fails, never answering that the order is unknown", async () => {
    const down = new Error("the sidecar answered 500");
    expect(
      await withOutcomes(workflows(down), outcomes(purged))
        .get("order-1")
        .catch((err) => err),
    ).to.equal(down);
    expect(
      await withOutcomes(workflows(undefined), outcomes(down))
        .get("order-1")
        .catch((err) => err),
    ).to.equal(down);
  });
});
