import { expect } from "chai";
import { memoryLogger } from "@dapr-orders/service-kit/testing";
import { createActivities } from "../src/activities.js";
import { notes } from "../src/notes.js";
import type { Notification, Order, OrderStep } from "../src/model.js";
import { withNotes, emptyOutbox } from "../src/outbox.js";
import { retryDelaySeconds } from "../src/workflow.js";
import { defaultPolicy, orderTraceparent, refusal, runWorkflow, startTime, type Run, type Script } from "./workflow-harness.js";

const order: Order = { id: "order-1", customer: "joni", item: "kiwi", total: 121 };
const expensive: Order = { ...order, total: 1500 };

const no = (message: string) => ({ id: order.id, success: false, message });
const nothingToUndo = { id: order.id, success: true, message: "nothing to undo", undone: false };

/** Each step answers as `answers` says, else with success. */
const answering = (answers: Partial<Record<OrderStep, (attempt: number) => unknown>>, approval?: Script["approval"]): Script => ({
  answer: (step, attempt) => answers[step]?.(attempt) as never,
  approval,
});

const unreachable = () => {
  throw new Error("connect ECONNREFUSED 127.0.0.1:3500");
};

/** The messages published, each once, by seq; and a check that seq runs 1..n with no gap and no conflict. */
function messages(run: Run): string[] {
  const bySeq = new Map<number, Notification>();
  for (const n of run.published) {
    const first = bySeq.get(n.seq);
    if (first !== undefined) expect(n, `notification ${n.seq} published again, differently`).to.deep.equal(first);
    bySeq.set(n.seq, n);
  }
  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  expect(seqs).to.deep.equal(seqs.map((_, i) => i + 1));
  return seqs.map((s) => bySeq.get(s)!.message);
}

const types = (run: Run) => [...new Map(run.published.map((n) => [n.seq, n.type])).entries()].sort(([a], [b]) => a - b).map(([, t]) => t);

describe("order workflow", () => {
  it("passes the order's trace context on to every call and every publish, those of notify and of the undo steps too", async () => {
    let refusals = 6; // every message of the two runs is refused: what they said goes out with notify at the end
    const run = await runWorkflow(order, {
      answer: (step) => (step === "shipOrder" ? no("no courier") : undefined),
      publish: () => {
        if (refusals-- > 0) throw new Error("pubsub unavailable");
      },
    });
    expect(run.calls).to.include.members(["reserveInventory", "processPayment", "shipOrder", "cancelShipment", "refundPayment", "releaseInventory"]);
    expect(run.activities).to.include("notify");
    expect(run.callTraceparents).to.have.length(run.calls.length);
    expect(new Set(run.callTraceparents)).to.deep.equal(new Set([orderTraceparent]));
    expect(run.publishedTraceparents).to.have.length(run.published.length);
    expect(new Set(run.publishedTraceparents)).to.deep.equal(new Set([orderTraceparent]));
  });

  it("notify publishes what the outbox holds as one message, and answers the emptied outbox", async () => {
    const published: number[][] = [];
    const activities = createActivities(async () => Promise.reject(new Error("no call")), async (list) => void published.push(list.map((n) => n.seq)), memoryLogger());
    const outbox = withNotes(emptyOutbox, order, [notes.placed(order), notes.reserved(order)]);
    expect(await activities.notify({} as never, { outbox })).to.deep.equal({ nextSeq: 3, held: [] });
    expect(published).to.deep.equal([[1, 2]]);
  });

  it("processes an order below the approval threshold in one activity (reserve, pay, ship), with every notification", async () => {
    const run = await runWorkflow(order);
    expect(run.result).to.deep.equal({ id: "order-1", success: true, message: "Order processed" });
    expect(run.activities).to.deep.equal(["runSteps"]);
    expect(run.calls).to.deep.equal(["reserveInventory", "processPayment", "shipOrder"]);
    expect(messages(run)).to.deep.equal([
      "Processing order for joni. Item: kiwi, Total: 121",
      "Reserved inventory: kiwi",
      "Payment processed",
      "Order submitted for shipping",
      "Order processed for joni. Item: kiwi, Total: 121",
    ]);
    expect(types(run)).to.deep.equal(["placed", "reserved", "paid", "shipped", "completed"]);
    expect(run.published.length, "each published once").to.equal(5);
    // One message a step: reserve (with "placed"), pay, ship.
    expect(run.messages).to.deep.equal([[1, 2], [3], [4, 5]]);
    expect(run.events).to.be.empty;
  });

  it("names the order, its details and its seq in every notification", async () => {
    const run = await runWorkflow(order);
    run.published.forEach((n, i) => {
      expect(n.order_id).to.equal("order-1");
      expect(n.seq).to.equal(i + 1);
      expect(n.order).to.deep.equal({ customer: "joni", item: "kiwi", total: 121 });
    });
  });

  it("ends unsuccessfully when the item is out of stock: its release has nothing to undo and says nothing", async () => {
    const run = await runWorkflow(order, answering({ reserveInventory: () => no("Out of stock: kiwi") }));
    expect(run.result).to.deep.equal(no("Failed to reserve inventory: Out of stock: kiwi"));
    expect(run.calls, "pay and ship never ran: nothing of theirs is undone").to.deep.equal(["reserveInventory", "releaseInventory"]);
    expect(messages(run)).to.deep.equal([
      "Processing order for joni. Item: kiwi, Total: 121",
      "Failed to reserve inventory: Out of stock: kiwi",
    ]);
  });

  describe("an outage delays an order, it does not fail it", () => {
    it("tries a step whose app is unreachable again after durable timers, and goes on once it answers", async () => {
      const run = await runWorkflow(order, answering({ processPayment: (attempt) => (attempt < 3 ? unreachable() : undefined) }));
      expect(run.result?.success).to.equal(true);
      // Each try starts again from the step it could not reach: the reservation is not asked again.
      expect(run.calls).to.deep.equal(["reserveInventory", "processPayment", "processPayment", "processPayment", "shipOrder"]);
      expect(run.activities).to.deep.equal(["runSteps", "runSteps", "runSteps"]);
      expect(run.timers).to.deep.equal([1, 2].map((s) => new Date(startTime.getTime() + s * 1000)));
      expect(types(run)).to.deep.equal(["placed", "reserved", "paid", "shipped", "completed"]);
    });

    it("gives up after the retry budget, releasing what the reservation may have taken", async () => {
      const tookIt = { id: order.id, success: true, message: "released", undone: true }; // the reservation had been made, its answers lost
      const run = await runWorkflow(order, answering({ reserveInventory: unreachable, releaseInventory: () => tookIt }));
      expect(run.result).to.deep.equal(no("Failed to reserve inventory: inventory could not be reached"));
      expect(run.calls, "only the step tried is undone").to.deep.equal([...Array(4).fill("reserveInventory"), "releaseInventory"]);
      expect(run.messages[0], "the first try publishes what was said before the step it could not reach").to.deep.equal([1]);
      expect(messages(run)).to.deep.equal([
        "Processing order for joni. Item: kiwi, Total: 121",
        "Failed to reserve inventory: inventory could not be reached",
        "Released inventory: kiwi",
      ]);
    });

    it("refunds a payment whose answer was lost (it may have charged), then releases", async () => {
      const run = await runWorkflow(order, answering({ processPayment: unreachable, refundPayment: () => nothingToUndo }));
      expect(run.result?.message).to.equal("Payment failed: payments could not be reached");
      expect(run.calls.slice(-2)).to.deep.equal(["refundPayment", "releaseInventory"]);
      expect(run.calls, "shipping never ran: no cancel").to.not.include("cancelShipment");
      expect(types(run)).to.deep.equal(["placed", "reserved", "paymentFailed", "released"]);
    });

    it("doubles the wait between tries, up to the cap", () => {
      const policy = { maxAttempts: 10, firstDelaySeconds: 1, maxDelaySeconds: 60 };
      expect([1, 2, 3, 6, 7, 8].map((a) => retryDelaySeconds(policy, a))).to.deep.equal([1, 2, 4, 32, 60, 60]);
    });

    it("takes a 4xx as a real answer: no retry", async () => {
      const refused = () => {
        throw refusal(400, "item is required");
      };
      const run = await runWorkflow(order, answering({ reserveInventory: refused }));
      expect(run.calls, "not tried again; its release finds nothing").to.deep.equal(["reserveInventory", "releaseInventory"]);
      expect(run.result).to.deep.equal(no("Failed to reserve inventory: inventory refused the request"));
    });
  });

  describe("compensation never gives up", () => {
    it("refunds at try 21 a refund whose app was away for 20 tries (past the forward steps' budget), then releases", async () => {
      const run = await runWorkflow(
        order,
        answering({ shipOrder: () => no("No courier delivers to joni"), refundPayment: (attempt) => (attempt <= 20 ? unreachable() : undefined) }),
      );
      expect(run.error?.message).to.equal("No courier delivers to joni");
      expect(run.calls.filter((c) => c === "refundPayment")).to.have.length(21);
      expect(run.calls.at(-1)).to.equal("releaseInventory");
      expect(types(run)).to.deep.equal(["placed", "reserved", "paid", "shippingFailed", "refunded", "released"]);
      // Capped backoff between the tries, on durable timers.
      const waits = run.timers.map((t) => (t.getTime() - startTime.getTime()) / 1000);
      expect(waits).to.have.length(20);
      expect(Math.max(...waits)).to.equal(defaultPolicy.retry.maxDelaySeconds);
    });

    it("tries again an undo that answers it did not undo, or answers nonsense, until it is done", async () => {
      const run = await runWorkflow(
        order,
        answering({
          processPayment: () => no("Payment declined"),
          releaseInventory: (attempt) => (attempt === 1 ? no("store busy") : attempt === 2 ? { status: "ok" } : undefined),
        }),
      );
      expect(run.calls).to.deep.equal(["reserveInventory", "processPayment", "refundPayment", "releaseInventory", "releaseInventory", "releaseInventory"]);
      expect(types(run).at(-1)).to.equal("released");
    });

    it("says it is compensating while it undoes, and no longer once done", async () => {
      const run = await runWorkflow(order, answering({ shipOrder: () => no("No courier delivers to joni"), refundPayment: (attempt) => (attempt <= 2 ? unreachable() : undefined) }));
      expect(run.customStatus).to.deep.equal(["compensating", ""]);
      const during = run.trace.slice(run.trace.indexOf("status:compensating"), run.trace.lastIndexOf("status:"));
      expect(during.filter((t) => t === "activity:runSteps")).to.have.length(3);
    });

    it("counts each try of an undo that is tried again, by step (orders_undo_retries_total)", async () => {
      const { metricValue, ownMetrics } = await import("@dapr-orders/service-kit/testing");
      const read = async () => metricValue(await ownMetrics(), "orders_undo_retries_total", { step: "refundPayment" });
      const before = await read();
      await runWorkflow(order, answering({ shipOrder: () => no("No courier delivers to joni"), refundPayment: (attempt) => (attempt <= 5 ? unreachable() : undefined) }));
      expect((await read()) - before).to.equal(5);
    });

    it("goes on when notifications cannot be published, and publishes them again with the next message", async () => {
      let failures = 0;
      const flaky: Script = {
        answer: (step) => (step === "shipOrder" ? no("No courier delivers to joni") : undefined),
        publish: () => {
          if (failures++ < 3) throw new Error("pubsub unavailable");
        },
      };
      const run = await runWorkflow(order, flaky);
      expect(run.error?.message).to.equal("No courier delivers to joni");
      expect(run.calls).to.deep.equal(["reserveInventory", "processPayment", "shipOrder", "cancelShipment", "refundPayment", "releaseInventory"]);
      expect(types(run)).to.deep.equal(["placed", "reserved", "paid", "shippingFailed", "refunded", "released"]);
      // Each message holds what earlier ones could not publish: seq order, no gap.
      expect(run.messages).to.deep.equal([[1, 2, 3, 4], [5], [6]]);
    });

    it("takes every step while notifications cannot be published, and ends once they are", async () => {
      let down = 12; // the notify at the end is refused this many times before pub/sub is back
      const run = await runWorkflow(order, { publish: () => { if (down-- > 0) throw new Error("pubsub unavailable"); } });
      expect(run.result?.success).to.equal(true);
      expect(run.calls).to.deep.equal(["reserveInventory", "processPayment", "shipOrder"]);
      expect(run.activities.filter((a) => a === "notify").length, "notify tried past the steps' budget").to.be.above(defaultPolicy.retry.maxAttempts);
      expect(types(run)).to.deep.equal(["placed", "reserved", "paid", "shipped", "completed"]);
    });

    it("keeps the notes said before a run whose activity failed, and publishes them with its next run", async () => {
      const run = await runWorkflow(order, { activityFails: (name, n) => name === "runSteps" && n === 1 });
      expect(run.result?.success).to.equal(true);
      expect(run.activities).to.deep.equal(["runSteps", "runSteps"]);
      expect(messages(run)[0]).to.equal("Processing order for joni. Item: kiwi, Total: 121");
      expect(types(run)).to.deep.equal(["placed", "reserved", "paid", "shipped", "completed"]);
    });

    it("says nothing for an undo that had nothing to undo", async () => {
      const run = await runWorkflow(order, answering({ processPayment: unreachable, refundPayment: () => nothingToUndo }));
      expect(messages(run)).to.not.include("Payment refunded");
    });
  });

  describe("approval", () => {
    it("is not asked below the threshold", async () => {
      const run = await runWorkflow({ ...order, total: 999.99 });
      expect(run.events).to.be.empty;
      expect(run.result?.success).to.equal(true);
    });

    it("is asked at the threshold, with a deadline from the workflow's own clock, while the status says so", async () => {
      const deadline = new Date(startTime.getTime() + 60_000);
      const run = await runWorkflow({ ...order, total: 1000 }, { approval: { approver: "kendall", approved: true } });
      expect(run.events).to.deep.equal(["approval"]);
      expect(run.timers).to.deep.equal([deadline]);
      expect(run.customStatus).to.deep.equal(["awaiting-approval", ""]);
      // Set before the notification that announces the wait, so an approval sent on seeing it is taken.
      expect(run.trace.slice(0, 3)).to.deep.equal(["activity:runSteps", "status:awaiting-approval", "activity:notify"]);
      expect(run.messages[1], "the wait's notification is published before the wait").to.deep.equal([3]);
      const waiting = run.published.find((n) => n.type === "awaitingApproval");
      expect(waiting?.message).to.equal(`Waiting for approval: total 1000 is at or above 1000. Deadline: ${deadline.toISOString()}`);
      expect(waiting?.deadline).to.equal(deadline.toISOString());
    });

    it("continues to payment and shipping when approved", async () => {
      const run = await runWorkflow(expensive, { approval: { approver: "kendall", approved: true } });
      expect(run.result?.success).to.equal(true);
      expect(run.calls).to.deep.equal(["reserveInventory", "processPayment", "shipOrder"]);
      // Reserve; announce the wait; then, once approved, pay and ship (the approval goes with the payment's message).
      expect(run.activities).to.deep.equal(["runSteps", "notify", "runSteps"]);
      expect(run.messages).to.deep.equal([[1, 2], [3], [4, 5], [6, 7]]);
      expect(messages(run).slice(2, 4)).to.deep.equal([
        "Waiting for approval: total 1500 is at or above 1000. Deadline: 2026-01-02T03:05:05.000Z",
        "Order was approved by kendall.",
      ]);
      expect(run.published.find((n) => n.type === "approved")?.approver).to.equal("kendall");
    });

    it("releases the stock and ends unsuccessfully when rejected", async () => {
      const run = await runWorkflow(expensive, { approval: { approver: "kendall", approved: false } });
      expect(run.result).to.deep.equal(no("Order was rejected by kendall."));
      expect(run.calls).to.deep.equal(["reserveInventory", "releaseInventory"]);
      expect(messages(run).slice(-2)).to.deep.equal(["Order was rejected by kendall.", "Released inventory: kiwi"]);
      expect(run.customStatus).to.deep.equal(["awaiting-approval", "", "compensating", ""]);
    });

    it("releases the stock and ends unsuccessfully when the deadline passes", async () => {
      const run = await runWorkflow(expensive, { approval: "timeout" });
      expect(run.result).to.deep.equal(no("Approval deadline expired."));
      expect(run.calls).to.deep.equal(["reserveInventory", "releaseInventory"]);
      expect(messages(run).slice(-2)).to.deep.equal(["Approval deadline expired.", "Released inventory: kiwi"]);
    });

    it("uses the threshold and timeout of the order's own input", async () => {
      const run = await runWorkflow(order, { approval: "timeout" }, { ...defaultPolicy, approvalThreshold: 100, approvalTimeoutSeconds: 5 });
      expect(run.timers).to.deep.equal([new Date(startTime.getTime() + 5000)]);
      expect(run.result?.message).to.equal("Approval deadline expired.");
    });
  });

  it("releases the stock, refunds nothing (its refund finds no payment) and ends unsuccessfully when the payment is declined", async () => {
    const declined = "Payment declined: 121 is over the card limit of 100";
    const run = await runWorkflow(order, answering({ processPayment: () => no(declined) }));
    expect(run.result).to.deep.equal(no(`Payment failed: ${declined}`));
    expect(run.calls).to.deep.equal(["reserveInventory", "processPayment", "refundPayment", "releaseInventory"]);
    expect(messages(run).slice(-2)).to.deep.equal([`Payment failed: ${declined}`, "Released inventory: kiwi"]);
  });

  it("refunds, then releases, then fails with the shipping error when shipping fails", async () => {
    const run = await runWorkflow(order, answering({ shipOrder: () => no("No courier delivers to joni") }));
    expect(run.result).to.equal(undefined);
    expect(run.error?.message).to.equal("No courier delivers to joni");
    expect(run.calls).to.deep.equal(["reserveInventory", "processPayment", "shipOrder", "cancelShipment", "refundPayment", "releaseInventory"]);
    expect(run.error?.name).to.equal("ShippingFailed");
    expect(messages(run)).to.deep.equal([
      "Processing order for joni. Item: kiwi, Total: 121",
      "Reserved inventory: kiwi",
      "Payment processed",
      "Shipping failed: No courier delivers to joni",
      "Payment refunded",
      "Released inventory: kiwi",
    ]);
  });

  describe("a shipment's undo", () => {
    it("cancels the shipment, then refunds, then releases, when the ship call's outcome is unknown", async () => {
      const run = await runWorkflow(order, answering({ shipOrder: unreachable }));
      expect(run.error?.message).to.equal("shipping could not be reached");
      expect(run.calls.slice(-3)).to.deep.equal(["cancelShipment", "refundPayment", "releaseInventory"]);
      // A cancel that found no shipment (nothing was shipped) says nothing: docs/spec.md's messages only.
      expect(types(run)).to.deep.equal(["placed", "reserved", "paid", "shippingFailed", "refunded", "released"]);
    });

    it("says so when the cancel really cancelled a shipment (the ship call took effect, its answer lost)", async () => {
      const cancelled = { id: order.id, success: true, message: "Shipment cancelled", undone: true };
      const run = await runWorkflow(order, answering({ shipOrder: unreachable, cancelShipment: () => cancelled }));
      expect(types(run)).to.deep.equal(["placed", "reserved", "paid", "shippingFailed", "shipmentCancelled", "refunded", "released"]);
    });

    it("registers each undo before its step: an order that fails before shipping cancels nothing", async () => {
      const run = await runWorkflow(order, answering({ processPayment: () => no("Payment declined") }));
      expect(run.calls).to.deep.equal(["reserveInventory", "processPayment", "refundPayment", "releaseInventory"]);
    });

    it("undoes in one activity: the whole compensation is one run of the undo steps, newest first", async () => {
      const run = await runWorkflow(order, answering({ shipOrder: () => no("No courier delivers to joni") }));
      expect(run.activities).to.deep.equal(["runSteps", "runSteps"]);
    });
  });

  it("tries again a step whose app answers something that is not an answer (another order's, or no success field)", async () => {
    const run = await runWorkflow(
      order,
      answering({ processPayment: (attempt) => (attempt === 1 ? { id: "order-2", success: true, message: "ok" } : attempt === 2 ? { id: order.id, message: "ok" } : undefined) }),
    );
    expect(run.result?.success).to.equal(true);
    expect(run.calls.filter((c) => c === "processPayment")).to.have.length(3);
  });

  it("decides the same way every time it is replayed", async () => {
    const script = { approval: { approver: "kendall", approved: true } };
    const first = await runWorkflow(expensive, script);
    const again = await runWorkflow(expensive, script);
    expect(again).to.deep.equal(first);
  });
});
