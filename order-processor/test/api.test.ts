import { expect } from "chai";
import { WorkflowRuntimeStatus } from "@dapr/dapr";
import { createApp } from "@dapr-orders/service-kit";
import { memoryLogger, request } from "@dapr-orders/service-kit/testing";
import { orderRoutes } from "../src/api.js";
import type { Approval, Order } from "../src/model.js";
import { retryingTransient, toOrderView, type OrderView, type OrderWorkflows } from "../src/orders.js";

/** OrderWorkflows in memory: what the API asked for, and orders in a chosen status. */
class RecordedWorkflows implements OrderWorkflows {
  started: Order[] = [];
  approvals: { id: string; approval: Approval }[] = [];
  views = new Map<string, OrderView>();

  async start(order: Order) {
    this.started.push(order);
  }
  async get(id: string) {
    return this.views.get(id);
  }
  async approve(id: string, approval: Approval) {
    this.approvals.push({ id, approval });
  }
  add(id: string, status: string) {
    const details = { id, customer: "joni", item: "kiwi", total: 1500 };
    this.views.set(id, { id, details, status, created_time: "", last_updated_time: "" });
  }
}

function setup() {
  const workflows = new RecordedWorkflows();
  const app = createApp({ logger: memoryLogger(), routes: orderRoutes(workflows) });
  return { workflows, app };
}

describe("order-processor API", () => {
  describe("POST /orders", () => {
    it("starts a workflow for the order and answers 202 with its id and status URL", async () => {
      const { app, workflows } = setup();
      const res = await request(app, "POST", "/orders", { body: { customer: "joni", item: "kiwi", total: 121.0 } });
      expect(res.status).to.equal(202);
      const id = res.body.instance_id;
      expect(id).to.match(/^[0-9a-f-]{36}$/);
      expect(res.headers.get("location")).to.equal(`/orders/${id}`);
      expect(workflows.started).to.deep.equal([{ id, customer: "joni", item: "kiwi", total: 121 }]);
    });

    it("gives every order its own id", async () => {
      const { app, workflows } = setup();
      const body = { customer: "joni", item: "kiwi", total: 1 };
      await request(app, "POST", "/orders", { body });
      await request(app, "POST", "/orders", { body });
      expect(workflows.started[0]!.id).to.not.equal(workflows.started[1]!.id);
    });

    const invalid: [string, unknown, string][] = [
      ["customer is missing", { item: "kiwi", total: 1 }, "customer"],
      ["customer is empty", { customer: " ", item: "kiwi", total: 1 }, "customer"],
      ["customer is not a string", { customer: 7, item: "kiwi", total: 1 }, "customer"],
      ["item is missing", { customer: "joni", total: 1 }, "item"],
      ["item is not a string", { customer: "joni", item: ["kiwi"], total: 1 }, "item"],
      ["total is missing", { customer: "joni", item: "kiwi" }, "total"],
      ["total is a string", { customer: "joni", item: "kiwi", total: "121" }, "total"],
      ["total is zero", { customer: "joni", item: "kiwi", total: 0 }, "total"],
      ["total is negative", { customer: "joni", item: "kiwi", total: -5 }, "total"],
      ["total is null", { customer: "joni", item: "kiwi", total: null }, "total"],
    ];
    for (const [why, body, field] of invalid) {
      it(`answers 400 naming the field when ${why}`, async () => {
        const { app, workflows } = setup();
        const res = await request(app, "POST", "/orders", { body });
        expect(res.status).to.equal(400);
        expect(res.body.field).to.equal(field);
        expect(res.body.error).to.include(field);
        expect(workflows.started).to.be.empty;
      });
    }

    it("answers 400 for a total too large to be a finite number", async () => {
      const { app } = setup();
      const res = await request(app, "POST", "/orders", { raw: '{"customer":"joni","item":"kiwi","total":1e999}' });
      expect(res.status).to.equal(400);
      expect(res.body.field).to.equal("total");
    });

    it("answers 400 when the body is not a JSON object", async () => {
      const { app } = setup();
      expect((await request(app, "POST", "/orders", { raw: "[1,2]" })).status).to.equal(400);
      expect((await request(app, "POST", "/orders", { raw: '"joni"' })).status).to.equal(400);
      expect((await request(app, "POST", "/orders")).status).to.equal(400);
    });

    it("answers 400 for malformed JSON", async () => {
      const { app } = setup();
      const res = await request(app, "POST", "/orders", { raw: '{"customer": "joni",' });
      expect(res.status).to.equal(400);
      expect(res.body.error).to.match(/not valid JSON/);
    });

    it("answers 415 for a body that is not JSON", async () => {
      const { app } = setup();
      const res = await request(app, "POST", "/orders", { raw: "customer=joni", contentType: "application/x-www-form-urlencoded" });
      expect(res.status).to.equal(415);
    });

    it("answers 413 for an over-large body", async () => {
      const { app } = setup();
      const res = await request(app, "POST", "/orders", { body: { customer: "x".repeat(20_000), item: "kiwi", total: 1 } });
      expect(res.status).to.equal(413);
    });
  });

  describe("GET /orders/:id", () => {
    it("answers with the order's state", async () => {
      const { app, workflows } = setup();
      workflows.add("o-1", "RUNNING");
      const res = await request(app, "GET", "/orders/o-1");
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal(workflows.views.get("o-1"));
    });

    it("answers 404 for an unknown order", async () => {
      const { app } = setup();
      const res = await request(app, "GET", "/orders/nope");
      expect(res.status).to.equal(404);
      expect(res.body.error).to.include("nope");
    });
  });

  describe("POST /orders/:id/approve", () => {
    it("raises the approval event of a waiting order", async () => {
      const { app, workflows } = setup();
      workflows.add("o-1", "RUNNING");
      const res = await request(app, "POST", "/orders/o-1/approve", { body: { approver: "kendall", approved: false } });
      expect(res.status).to.equal(200);
      expect(workflows.approvals).to.deep.equal([{ id: "o-1", approval: { approver: "kendall", approved: false } }]);
    });

    it("answers 404 for an unknown order", async () => {
      const { app, workflows } = setup();
      const res = await request(app, "POST", "/orders/nope/approve", { body: { approver: "kendall", approved: true } });
      expect(res.status).to.equal(404);
      expect(workflows.approvals).to.be.empty;
    });

    it("answers 409 for an order that has finished", async () => {
      const { app, workflows } = setup();
      workflows.add("o-1", "COMPLETED");
      const res = await request(app, "POST", "/orders/o-1/approve", { body: { approver: "kendall", approved: true } });
      expect(res.status).to.equal(409);
      expect(workflows.approvals).to.be.empty;
    });

    for (const [why, body, field] of [
      ["approver is missing", { approved: true }, "approver"],
      ["approver is empty", { approver: "", approved: true }, "approver"],
      ["approved is missing", { approver: "kendall" }, "approved"],
      ["approved is not a boolean", { approver: "kendall", approved: "yes" }, "approved"],
    ] as const) {
      it(`answers 400 naming the field when ${why}`, async () => {
        const { app, workflows } = setup();
        workflows.add("o-1", "RUNNING");
        const res = await request(app, "POST", "/orders/o-1/approve", { body });
        expect(res.status).to.equal(400);
        expect(res.body.field).to.equal(field);
        expect(workflows.approvals).to.be.empty;
      });
    }
  });
});

describe("toOrderView", () => {
  const state = {
    instanceId: "o-1",
    runtimeStatus: WorkflowRuntimeStatus.COMPLETED,
    createdAt: new Date("2026-01-01T00:00:00Z"),
    lastUpdatedAt: new Date("2026-01-01T00:00:02Z"),
    serializedInput: JSON.stringify({ id: "o-1", customer: "joni", item: "kiwi", total: 121 }),
    serializedOutput: JSON.stringify({ id: "o-1", success: true, message: "Order processed" }),
  };

  it("names the status in upper case and gives times in ISO 8601", () => {
    expect(toOrderView(state)).to.deep.equal({
      id: "o-1",
      details: { id: "o-1", customer: "joni", item: "kiwi", total: 121 },
      status: "COMPLETED",
      created_time: "2026-01-01T00:00:00.000Z",
      last_updated_time: "2026-01-01T00:00:02.000Z",
      order_result: { id: "o-1", success: true, message: "Order processed" },
    });
  });

  it("converts every numeric status of the SDK to its name", () => {
    const names = [0, 1, 3, 5, 6, 7].map((s) => toOrderView({ ...state, runtimeStatus: s }).status);
    expect(names).to.deep.equal(["RUNNING", "COMPLETED", "FAILED", "TERMINATED", "PENDING", "SUSPENDED"]);
  });

  it("gives the failure details of a failed order and no result", () => {
    const failure = {
      getErrorMessage: () => "No courier delivers to nowhere",
      getErrorType: () => "Error",
      getStackTrace: () => "Error: No courier…",
    };
    const view = toOrderView({
      ...state,
      runtimeStatus: WorkflowRuntimeStatus.FAILED,
      serializedOutput: undefined,
      workflowFailureDetails: failure,
    });
    expect(view.status).to.equal("FAILED");
    expect(view).to.not.have.property("order_result");
    expect(view.failure_details).to.deep.equal({
      message: "No courier delivers to nowhere",
      error_type: "Error",
      stack_trace: "Error: No courier…",
    });
  });
});

describe("retryingTransient", () => {
  const failingTimes = (times: number, message: string) => {
    let calls = 0;
    const read = async () => {
      calls++;
      if (calls <= times) throw new Error(message);
      return "state";
    };
    return { read, calls: () => calls };
  };

  it("reads again after a transient store read failure", async () => {
    const source = failingTimes(2, "2 UNKNOWN: inbox key missing (transient store read failure; retry)");
    expect(await retryingTransient(source.read, 5, 1)).to.equal("state");
    expect(source.calls()).to.equal(3);
  });

  it("gives up after the attempts it was given", async () => {
    const source = failingTimes(9, "transient store read failure");
    const error = await retryingTransient(source.read, 3, 1).catch((e: Error) => e);
    expect(String(error)).to.include("transient");
    expect(source.calls()).to.equal(3);
  });

  it("does not retry other errors", async () => {
    const source = failingTimes(1, "5 NOT_FOUND");
    const error = await retryingTransient(source.read, 5, 1).catch((e: Error) => e);
    expect(String(error)).to.include("NOT_FOUND");
    expect(source.calls()).to.equal(1);
  });
});
