import { expect } from "chai";
import { memoryLogger } from "@dapr-orders/service-kit/testing";
import { createActivities } from "../src/activities.js";
import { notes, numbered } from "../src/notes.js";
import type { Notification, Order } from "../src/model.js";
import type { OrderStep } from "../src/notes.js";
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
    const run = await runWorkflow(order, {
      answer: (step) => (step === "shipOrder" ? no("no courier") : undefined),
      publish: (n) => {
        if (n.type === "paid") throw new Error("pubsub unavailable"); // published again by notify
      },
    });
    expect(run.calls).to.include.members(["reserveInventory", "processPayment", "shipOrder", "refundPayment", "releaseInventory"]);
    expect(run.activities).to.include("notify");
    expect(run.callTraceparents).to.have.length(run.calls.length);
    expect(new Set(run.callTraceparents)).to.deep.equal(new Set([orderTraceparent]));
    expect(run.publishedTraceparents).to.have.length(run.published.length);
    expect(new Set(run.publishedTraceparents)).to.deep.equal(new Set([orderTraceparent]));
  });

  it("publishes the list of a notify that an order scheduled before tracing (its input the list alone)", async () => {
    const published: [number, string | undefined][] = [];
    const activities = createActivities(async () => Promise.reject(new Error("no call")), async (list, traceparent) => list.forEach((n) => published.push([n.seq, traceparent])), memoryLogger(), { record: async () => {} });
    const list = numbered(order, 1, [notes.placed(order), notes.reserved(order)]);
    await activities.notify({} as never, list as never);
    expect(published).to.deep.equal([
      [1, undefined],
      [2, undefined],
    ]);
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

  it("ends unsuccessfully when the item is out of stock, releasing nothing", async () => {
    const run = await runWorkflow(order, answering({ reserveInventory: () => no("Out of stock: kiwi") }));
    expect(run.result).to.deep.equal(no("Failed to reserve inventory: Out of stock: kiwi"));
    expect(run.calls).to.deep.equal(["reserveInventory"]);
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
      const run = await runWorkflow(order, answering({ reserveInventory: unreachable }));
      expect(run.result).to.deep.equal(no("Failed to reserve inventory: inventory could not be reached"));
      expect(run.calls).to.deep.equal([...Array(4).fill("reserveInventory"), "releaseInventory"]);
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
      expect(run.calls).to.deep.equal(["reserveInventory"]);
      expect(run.result).to.deep.equal(no("Failed to reserve inventory: inventory refused the request"));
    });
  });

  describe("compensation always finishes", () => {
    it("still releases the stock when the refund keeps failing", async () => {
      const run = await runWorkflow(order, answering({ shipOrder: () => no("No courier delivers to joni"), refundPayment: unreachable }));
      expect(run.error?.message).to.equal("No courier delivers to joni");
      expect(run.calls.filter((c) => c === "refundPayment")).to.have.length(4);
      expect(run.calls.at(-1)).to.equal("releaseInventory");
      expect(types(run)).to.deep.equal(["placed", "reserved", "paid", "shippingFailed", "released"]);
    });

    it("goes on when notifications cannot be published, and publishes them again later", async () => {
      let failures = 0;
      const flaky: Script = {
        answer: (step) => (step === "shipOrder" ? no("No courier delivers to joni") : undefined),
        publish: () => {
          if (failures++ < 3) throw new Error("pubsub unavailable");
        },
      };
      const run = await runWorkflow(order, flaky);
      expect(run.error?.message).to.equal("No courier delivers to joni");
      expect(run.calls).to.deep.equal(["reserveInventory", "processPayment", "shipOrder", "refundPayment", "releaseInventory"]);
      expect(run.activities).to.include("notify");
      expect(types(run)).to.deep.equal(["placed", "reserved", "paid", "shippingFailed", "refunded", "released"]);
    });

    it("never stops the order when notifications cannot be published at all", async () => {
      const run = await runWorkflow(order, { publish: () => { throw new Error("pubsub unavailable"); } });
      expect(run.result?.success).to.equal(true);
      expect(run.calls).to.deep.equal(["reserveInventory", "processPayment", "shipOrder"]);
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
      const waiting = run.published.find((n) => n.type === "awaitingApproval");
      expect(waiting?.message).to.equal(`Waiting for approval: total 1000 is at or above 1000. Deadline: ${deadline.toISOString()}`);
      expect(waiting?.deadline).to.equal(deadline.toISOString());
    });

    it("continues to payment and shipping when approved", async () => {
      const run = await runWorkflow(expensive, { approval: { approver: "kendall", approved: true } });
      expect(run.result?.success).to.equal(true);
      expect(run.calls).to.deep.equal(["reserveInventory", "processPayment", "shipOrder"]);
      // Reserve; then, once approved, pay and ship: two step activities.
      expect(run.activities).to.deep.equal(["runSteps", "notify", "notify", "runSteps"]);
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

  it("releases the stock, refunds nothing and ends unsuccessfully when the payment is declined", async () => {
    const declined = "Payment declined: 121 is over the card limit of 100";
    const run = await runWorkflow(order, answering({ processPayment: () => no(declined) }));
    expect(run.result).to.deep.equal(no(`Payment failed: ${declined}`));
    expect(run.calls).to.deep.equal(["reserveInventory", "processPayment", "releaseInventory"]);
    expect(messages(run).slice(-2)).to.deep.equal([`Payment failed: ${declined}`, "Released inventory: kiwi"]);
  });

  it("refunds, then releases, then fails with the shipping error when shipping fails", async () => {
    const run = await runWorkflow(order, answering({ shipOrder: () => no("No courier delivers to joni") }));
    expect(run.result).to.equal(undefined);
    expect(run.error?.message).to.equal("No courier delivers to joni");
    expect(run.calls).to.deep.equal(["reserveInventory", "processPayment", "shipOrder", "refundPayment", "releaseInventory"]);
    expect(messages(run)).to.deep.equal([
      "Processing order for joni. Item: kiwi, Total: 121",
      "Reserved inventory: kiwi",
      "Payment processed",
      "Shipping failed: No courier delivers to joni",
      "Payment refunded",
      "Released inventory: kiwi",
    ]);
  });

  it("decides the same way every time it is replayed", async () => {
    const script = { approval: { approver: "kendall", approved: true } };
    const first = await runWorkflow(expensive, script);
    const again = await runWorkflow(expensive, script);
    const withoutWriteTime = (run: Run) => ({ ...run, outcome: { ...run.outcome, last_updated_time: "" } });
    expect(withoutWriteTime(again)).to.deep.equal(withoutWriteTime(first));
  });

  describe("records the order's outcome before it ends (outcomes.ts)", () => {
    const recorded = (run: Run) => {
      const { last_updated_time, ...outcome } = run.outcome ?? ({} as NonNullable<Run["outcome"]>);
      expect(last_updated_time, "when it was recorded").to.be.a("string");
      return outcome;
    };
    const created_time = startTime.toISOString();

    it("in the activity that ships, for an order that completes: no activity more", async () => {
      for (const [placed, script] of [[order, {}], [expensive, { approval: { approver: "kendall", approved: true } }]] as const) {
        const run = await runWorkflow(placed, script);
        expect(run.activities).to.not.include("recordOutcome");
        expect(recorded(run)).to.deep.equal({ id: "order-1", details: placed, status: "COMPLETED", created_time, order_result: run.result });
      }
    });

    it("with an activity of its own for an order that ends unsuccessfully, last", async () => {
      const run = await runWorkflow(expensive, { approval: { approver: "kendall", approved: false } });
      expect(run.activities.at(-1)).to.equal("recordOutcome");
      expect(recorded(run)).to.deep.equal({ id: "order-1", details: expensive, status: "COMPLETED", created_time, order_result: no("Order was rejected by kendall.") });
    });

    it("as a failure, for an order whose workflow fails (shipping failed)", async () => {
      const run = await runWorkflow(order, answering({ shipOrder: () => no("No courier delivers to joni") }));
      expect(run.error?.message).to.equal("No courier delivers to joni");
      expect(run.activities.at(-1)).to.equal("recordOutcome");
      expect(recorded(run)).to.deep.equal({ id: "order-1", details: order, status: "FAILED", created_time, failure: { error_type: "Error", message: "No courier delivers to joni" } });
    });

    it("tries again until it is written, when the store fails: the order still completes", async () => {
      const run = await runWorkflow(order, { outcomeWritesFailing: 3 });
      expect(run.result?.success).to.equal(true);
      expect(run.activities).to.deep.equal(["runSteps", "recordOutcome", "recordOutcome", "recordOutcome"]);
      expect(recorded(run).status).to.equal("COMPLETED");
    });
  });
});
