// order-processor's metrics, counted by the API and the real activities (the
// workflow driven by the harness, no Dapr): each test compares what this process's
// registry shows after with what it showed before.
import { expect } from "chai";
import { createApp } from "@dapr-orders/service-kit";
import { memoryLogger, metricValue, ownMetrics, request } from "@dapr-orders/service-kit/testing";
import { orderRoutes } from "../src/api.js";
import type { Order, OrderInput } from "../src/model.js";
import type { OrderView, OrderWorkflows } from "../src/orders.js";
import { defaultPolicy, runWorkflow, type Script } from "./workflow-harness.js";

const order: Order = { id: "order-1", customer: "joni", item: "kiwi", total: 121 };
const expensive: Order = { ...order, total: 1500 };
const no = (message: string) => ({ id: order.id, success: false, message });

const counted = [
  ["orders_placed_total"],
  ["orders_completed_total"],
  ["orders_failed_total", { reason: "reservation_failed" }],
  ["orders_failed_total", { reason: "approval_expired" }],
  ["orders_failed_total", { reason: "approval_rejected" }],
  ["orders_failed_total", { reason: "payment_failed" }],
  ["orders_failed_total", { reason: "shipping_failed" }],
  ["orders_compensations_total", { step: "releaseInventory" }],
  ["orders_compensations_total", { step: "refundPayment" }],
  ["orders_approval_waits_total"],
] as const;

/** How much each counter above moved while `action` ran; those that did not move left out. */
async function moved(action: () => Promise<unknown>): Promise<Record<string, number>> {
  const key = ([name, labels]: (typeof counted)[number]) =>
    labels === undefined ? name : `${name}{${Object.values(labels).join()}}`;
  const read = async () => {
    const samples = await ownMetrics();
    return counted.map(([name, labels]) => metricValue(samples, name, labels));
  };
  const before = await read();
  await action();
  const after = await read();
  return Object.fromEntries(counted.map((c, i) => [key(c), after[i]! - before[i]!]).filter(([, delta]) => delta !== 0));
}

/** How many activities of `step` were timed, by outcome. */
async function timedSteps(step: string): Promise<Record<string, number>> {
  const samples = await ownMetrics();
  const outcomes = ["success", "failure", "error"];
  return Object.fromEntries(outcomes.map((outcome) => [outcome, metricValue(samples, "orders_step_duration_seconds_count", { step, outcome })]));
}

describe("order-processor metrics", () => {
  it("counts an order placed once, also when its Idempotency-Key comes again", async () => {
    const views = new Map<string, OrderView>();
    const workflows: OrderWorkflows = {
      start: async ({ order }: OrderInput) => {
        views.set(order.id, { id: order.id, details: order, status: "RUNNING", awaiting_approval: false, compensating: false, created_time: "", last_updated_time: "" });
      },
      get: async (id) => views.get(id),
      approve: async () => {},
    };
    const app = createApp({ logger: memoryLogger(), routes: orderRoutes(workflows, defaultPolicy, { maxStartsInFlight: 3, startTimeoutMs: 200 }) });
    const body = { customer: "joni", item: "kiwi", total: 121 };
    const headers = { "Idempotency-Key": "metrics-test" };
    expect(
      await moved(async () => {
        await request(app, "POST", "/orders", { body });
        await request(app, "POST", "/orders", { body, headers });
        await request(app, "POST", "/orders", { body, headers });
        await request(app, "POST", "/orders", { body: { ...body, total: -1 } });
      }),
    ).to.deep.equal({ orders_placed_total: 2 });
  });

  it("counts a completed order, and times its three steps", async () => {
    const before = { reserve: await timedSteps("reserveInventory"), ship: await timedSteps("shipOrder") };
    expect(await moved(() => runWorkflow(order))).to.deep.equal({ orders_completed_total: 1 });
    expect((await timedSteps("reserveInventory")).success).to.equal(before.reserve.success + 1);
    expect((await timedSteps("shipOrder")).success).to.equal(before.ship.success + 1);
  });

  it("counts an order out of stock as failed, with nothing to undo", async () => {
    const failures = (await timedSteps("reserveInventory")).failure;
    const script: Script = { answer: (step) => (step === "reserveInventory" ? no("Out of stock: kiwi") : undefined) };
    expect(await moved(() => runWorkflow(order, script))).to.deep.equal({ "orders_failed_total{reservation_failed}": 1 });
    expect((await timedSteps("reserveInventory")).failure).to.equal(failures + 1);
  });

  it("counts the wait for approval, and the reason of an order that ends there", async () => {
    expect(await moved(() => runWorkflow(expensive, { approval: "timeout" }))).to.deep.equal({
      "orders_approval_waits_total": 1,
      "orders_failed_total{approval_expired}": 1,
      "orders_compensations_total{releaseInventory}": 1,
    });
    expect(await moved(() => runWorkflow(expensive, { approval: { approver: "kendall", approved: false } }))).to.deep.equal({
      "orders_approval_waits_total": 1,
      "orders_failed_total{approval_rejected}": 1,
      "orders_compensations_total{releaseInventory}": 1,
    });
    expect(await moved(() => runWorkflow(expensive, { approval: { approver: "kendall", approved: true } }))).to.deep.equal({
      "orders_approval_waits_total": 1,
      "orders_completed_total": 1,
    });
  });

  it("counts a declined payment and the release; a failed shipment, the refund and the release", async () => {
    const declined: Script = { answer: (step) => (step === "processPayment" ? no("declined") : undefined) };
    expect(await moved(() => runWorkflow(order, declined))).to.deep.equal({
      "orders_failed_total{payment_failed}": 1,
      "orders_compensations_total{releaseInventory}": 1,
    });
    const notShipped: Script = { answer: (step) => (step === "shipOrder" ? no("No courier delivers to joni") : undefined) };
    expect(await moved(() => runWorkflow(order, notShipped))).to.deep.equal({
      "orders_failed_total{shipping_failed}": 1,
      "orders_compensations_total{releaseInventory}": 1,
      "orders_compensations_total{refundPayment}": 1,
    });
  });

  it("times a step that could not reach its app as an error, and counts the order's end once", async () => {
    const errors = (await timedSteps("processPayment")).error;
    const script: Script = {
      answer: (step, attempt) => {
        if (step === "processPayment" && attempt < 3) throw new Error("connect ECONNREFUSED 127.0.0.1:3500");
        return undefined;
      },
    };
    expect(await moved(() => runWorkflow(order, script))).to.deep.equal({ orders_completed_total: 1 });
    expect((await timedSteps("processPayment")).error).to.equal(errors + 2);
  });

  it("counts an order's end once its notification is published, not before", async () => {
    let failures = 2; // the completed notification fails twice, then goes through (the workflow publishes it again)
    const script: Script = {
      publish: (n) => {
        if (n.type === "completed" && failures-- > 0) throw new Error("pubsub unavailable");
      },
    };
    expect(await moved(() => runWorkflow(order, script))).to.deep.equal({ orders_completed_total: 1 });
  });
});
