import { expect } from "chai";
import type { Order } from "../src/model.js";
import { createOrderWorkflow } from "../src/workflow.js";
import { runWorkflow, startTime, type Script } from "./workflow-harness.js";

const settings = { approvalThreshold: 1000, approvalTimeoutSeconds: 60 };
const workflow = createOrderWorkflow(settings);

const order: Order = { id: "order-1", customer: "joni", item: "kiwi", total: 121 };
const expensive: Order = { ...order, total: 1500 };

const ok = (message = "ok") => ({ id: order.id, success: true, message });
const no = (message: string) => ({ id: order.id, success: false, message });

/** Every step succeeds unless `answers` says otherwise. */
function script(answers: Record<string, () => unknown> = {}, approval?: Script["approval"]): Script {
  return {
    activity: (name) => (answers[name] ?? (() => (name === "notify" ? undefined : ok())))(),
    approval,
  };
}

const names = (calls: { name: string }[]) => calls.map((c) => c.name).filter((n) => n !== "notify");

describe("order workflow", () => {
  it("processes an order: reserve, pay, ship, with every notification", async () => {
    const run = await runWorkflow(workflow, order, script());
    expect(run.result).to.deep.equal({ id: "order-1", success: true, message: "Order processed" });
    expect(names(run.calls)).to.deep.equal(["reserveInventory", "processPayment", "shipOrder"]);
    expect(run.notifications).to.deep.equal([
      "Processing order for joni. Item: kiwi, Total: 121",
      "Reserved inventory: kiwi",
      "Payment processed",
      "Order submitted for shipping",
      "Order processed for joni. Item: kiwi, Total: 121",
    ]);
    expect(run.events).to.be.empty;
  });

  it("passes the order to every step and names the order in every notification", async () => {
    const run = await runWorkflow(workflow, order, script());
    for (const call of run.calls) {
      if (call.name === "notify") expect(call.input.order_id).to.equal("order-1");
      else expect(call.input).to.deep.equal(order);
    }
  });

  it("ends unsuccessfully when the item is out of stock, releasing nothing", async () => {
    const run = await runWorkflow(workflow, order, script({ reserveInventory: () => no("Out of stock: kiwi") }));
    expect(run.result).to.deep.equal(no("Failed to reserve inventory: Out of stock: kiwi"));
    expect(names(run.calls)).to.deep.equal(["reserveInventory"]);
    expect(run.notifications).to.deep.equal([
      "Processing order for joni. Item: kiwi, Total: 121",
      "Failed to reserve inventory: Out of stock: kiwi",
    ]);
  });

  it("treats a reservation that fails outright (inventory unreachable) as a failed reservation", async () => {
    const unreachable = () => {
      throw new Error("inventory/api/v1/inventory/reserve failed: connection refused");
    };
    const run = await runWorkflow(workflow, order, script({ reserveInventory: unreachable }));
    expect(run.result?.success).to.equal(false);
    expect(run.notifications.at(-1)).to.equal(
      "Failed to reserve inventory: inventory/api/v1/inventory/reserve failed: connection refused",
    );
    expect(names(run.calls)).to.deep.equal(["reserveInventory"]);
  });

  describe("approval", () => {
    it("is not asked below the threshold", async () => {
      const run = await runWorkflow(workflow, { ...order, total: 999.99 }, script());
      expect(run.events).to.be.empty;
      expect(run.result?.success).to.equal(true);
    });

    it("is asked at the threshold, with a deadline from the workflow's own clock", async () => {
      const deadline = new Date(startTime.getTime() + 60_000);
      const run = await runWorkflow(workflow, { ...order, total: 1000 }, script({}, { approver: "kendall", approved: true }));
      expect(run.events).to.deep.equal(["approval"]);
      expect(run.timers).to.deep.equal([deadline]);
      expect(run.notifications).to.include(
        `Waiting for approval: total 1000 is at or above 1000. Deadline: ${deadline.toISOString()}`,
      );
    });

    it("continues to payment and shipping when approved", async () => {
      const run = await runWorkflow(workflow, expensive, script({}, { approver: "kendall", approved: true }));
      expect(run.result?.success).to.equal(true);
      expect(names(run.calls)).to.deep.equal(["reserveInventory", "processPayment", "shipOrder"]);
      expect(run.notifications.slice(2, 4)).to.deep.equal([
        "Waiting for approval: total 1500 is at or above 1000. Deadline: 2026-01-02T03:05:05.000Z",
        "Order was approved by kendall.",
      ]);
    });

    it("releases the stock and ends unsuccessfully when rejected", async () => {
      const run = await runWorkflow(workflow, expensive, script({}, { approver: "kendall", approved: false }));
      expect(run.result).to.deep.equal(no("Order was rejected by kendall."));
      expect(names(run.calls)).to.deep.equal(["reserveInventory", "releaseInventory"]);
      expect(run.notifications.slice(-2)).to.deep.equal(["Order was rejected by kendall.", "Released inventory: kiwi"]);
    });

    it("releases the stock and ends unsuccessfully when the deadline passes", async () => {
      const run = await runWorkflow(workflow, expensive, script({}, "timeout"));
      expect(run.result).to.deep.equal(no("Approval deadline expired."));
      expect(names(run.calls)).to.deep.equal(["reserveInventory", "releaseInventory"]);
      expect(run.notifications.slice(-2)).to.deep.equal(["Approval deadline expired.", "Released inventory: kiwi"]);
    });

    it("uses the configured threshold and timeout", async () => {
      const strict = createOrderWorkflow({ approvalThreshold: 100, approvalTimeoutSeconds: 5 });
      const run = await runWorkflow(strict, order, script({}, "timeout"));
      expect(run.timers).to.deep.equal([new Date(startTime.getTime() + 5000)]);
      expect(run.result?.message).to.equal("Approval deadline expired.");
    });
  });

  it("releases the stock, refunds nothing and ends unsuccessfully when the payment is declined", async () => {
    const declined = "Payment declined: 121 is over the card limit of 100";
    const run = await runWorkflow(workflow, order, script({ processPayment: () => no(declined) }));
    expect(run.result).to.deep.equal(no(`Payment failed: ${declined}`));
    expect(names(run.calls)).to.deep.equal(["reserveInventory", "processPayment", "releaseInventory"]);
    expect(run.notifications.slice(-2)).to.deep.equal([`Payment failed: ${declined}`, "Released inventory: kiwi"]);
  });

  it("refunds, then releases, then fails with the shipping error when shipping fails", async () => {
    const run = await runWorkflow(workflow, order, script({ shipOrder: () => no("No courier delivers to joni") }));
    expect(run.result).to.equal(undefined);
    expect(run.error?.message).to.equal("No courier delivers to joni");
    expect(names(run.calls)).to.deep.equal([
      "reserveInventory",
      "processPayment",
      "shipOrder",
      "refundPayment",
      "releaseInventory",
    ]);
    expect(run.notifications).to.deep.equal([
      "Processing order for joni. Item: kiwi, Total: 121",
      "Reserved inventory: kiwi",
      "Payment processed",
      "Shipping failed: No courier delivers to joni",
      "Payment refunded",
      "Released inventory: kiwi",
    ]);
  });

  it("decides the same way every time it is replayed", async () => {
    const first = await runWorkflow(workflow, expensive, script({}, { approver: "kendall", approved: true }));
    const again = await runWorkflow(workflow, expensive, script({}, { approver: "kendall", approved: true }));
    expect(again).to.deep.equal(first);
  });
});
