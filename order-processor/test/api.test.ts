import { expect } from "chai";
import type { DaprWorkflowClient } from "@dapr/dapr";
import { createApp } from "@dapr-orders/service-kit";
import { FakeSidecar, memoryLogger, request, type SidecarReply } from "@dapr-orders/service-kit/testing";
import { AwaitingApproval, orderIdForKey, orderRoutes, WindowLimit } from "../src/api.js";
import { ShippingFailed, type Approval, type Order, type OrderInput } from "../src/model.js";
import {
  daprOrderWorkflows,
  retryingServerErrors,
  WorkflowApiError,
  toOrderView,
  withheldFailureMessage,
  WorkflowExists,
  type OrderView,
  type OrderWorkflows,
} from "../src/orders.js";
import { OrderOutcomes, withOutcomes } from "../src/outcomes.js";
import { MemoryStateStore } from "@dapr-orders/service-kit/testing";
import { defaultPolicy } from "./workflow-harness.js";

/** OrderWorkflows in memory: what the API asked for, and orders in a chosen status. */
class RecordedWorkflows implements OrderWorkflows {
  started: Order[] = [];
  inputs: OrderInput[] = [];
  approvals: { id: string; approval: Approval }[] = [];
  views = new Map<string, OrderView>();
  /** When set, start() waits for this before it answers. */
  gate: Promise<void> | undefined;

  async start(input: OrderInput) {
    await this.gate;
    if (this.views.has(input.order.id)) throw new WorkflowExists(input.order.id);
    this.started.push(input.order);
    this.inputs.push(input);
    this.add(input.order.id, "RUNNING", input.order);
  }
  async get(id: string) {
    return this.views.get(id);
  }
  async approve(id: string, approval: Approval) {
    this.approvals.push({ id, approval });
  }
  add(id: string, status: string, details: Order = { id, customer: "joni", item: "kiwi", total: 1500 }, awaiting_approval = false) {
    this.views.set(id, { id, details, status, awaiting_approval, compensating: false, created_time: "", last_updated_time: "" });
  }
}

const intake = { maxStartsInFlight: 3, startTimeoutMs: 200 };
/** Order ids as this API makes them. */
const id = "2c624232-cdec-4b7e-9b7e-1a2b3c4d5e6f";
const unknownId = "9b1d5e7a-3c2f-4e8b-a6d4-0f1e2d3c4b5a";

function setup(appToken?: string) {
  const workflows = new RecordedWorkflows();
  const app = createApp({ logger: memoryLogger(), routes: orderRoutes(workflows, defaultPolicy, intake, appToken) });
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

    it("passes the settings the order is decided by in the workflow's input", async () => {
      const { app, workflows } = setup();
      await request(app, "POST", "/orders", { body: { customer: "joni", item: "kiwi", total: 121.0 } });
      expect(workflows.inputs[0]!.policy).to.deep.equal(defaultPolicy);
    });

    it("gives the workflow the request's trace context, or a new sampled one when the request has none", async () => {
      const { app, workflows } = setup();
      const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
      const body = { customer: "joni", item: "kiwi", total: 121.0 };
      await request(app, "POST", "/orders", { body, headers: { traceparent } });
      await request(app, "POST", "/orders", { body, headers: { traceparent: "not-a-traceparent" } });
      expect(workflows.inputs[0]!.traceparent).to.equal(traceparent);
      expect(workflows.inputs[1]!.traceparent).to.match(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(workflows.inputs[1]!.traceparent!.slice(3, 35)).to.not.equal("4bf92f3577b34da6a3ce929d0e0e4736");
    });

    describe("Idempotency-Key", () => {
      const body = { customer: "joni", item: "kiwi", total: 121 };
      const headers = { "Idempotency-Key": "order-from-client-7" };

      it("gives the same order for the same key, and starts it once", async () => {
        const { app, workflows } = setup();
        const first = await request(app, "POST", "/orders", { body, headers });
        const again = await request(app, "POST", "/orders", { body, headers });
        expect(first.status).to.equal(202);
        expect(again.status).to.equal(202);
        expect(again.body.instance_id).to.equal(first.body.instance_id);
        expect(first.body.instance_id).to.equal(orderIdForKey("order-from-client-7"));
        expect(workflows.started).to.have.length(1);
      });

      it("gives the same order for the same key once its workflow is purged, from its outcome record, starting nothing", async () => {
        const workflows = new RecordedWorkflows();
        const outcomes = new OrderOutcomes(new MemoryStateStore(), 600);
        const app = createApp({ logger: memoryLogger(), routes: orderRoutes(withOutcomes(workflows, outcomes), defaultPolicy, intake) });
        const first = await request(app, "POST", "/orders", { body, headers });
        const id = first.body.instance_id as string;
        await outcomes.record({ order: { id, ...body }, created_time: new Date().toISOString(), result: { id, success: true, message: "Order processed" } });
        workflows.views.delete(id); // purged
        const again = await request(app, "POST", "/orders", { body, headers });
        expect(again.status).to.equal(202);
        expect(again.body.instance_id).to.equal(id);
        expect(workflows.started).to.have.length(1);
        const read = await request(app, "GET", `/orders/${id}`);
        expect(read.status).to.equal(200);
        expect(read.body).to.include({ id, status: "COMPLETED" });
        const other = await request(app, "POST", "/orders", { body: { ...body, total: 5 }, headers });
        expect(other.status, "the key still names its order").to.equal(409);
      });

      it("answers 503 with Retry-After, not a 500, while the key's order is too new to show its input", async () => {
        const { app, workflows } = setup();
        const first = await request(app, "POST", "/orders", { body, headers });
        const id: string = first.body.instance_id;
        const { details: _, ...justStarted } = workflows.views.get(id)!;
        workflows.views.set(id, justStarted);
        const again = await request(app, "POST", "/orders", { body, headers });
        expect(again.status).to.equal(503);
        expect(again.headers.get("retry-after")).to.equal("1");
        expect(again.body).to.include({ instance_id: id });
        expect(workflows.started).to.have.length(1);
      });

      it("gives the same order to two requests that race with one key", async () => {
        const { app, workflows } = setup();
        let open!: () => void;
        workflows.gate = new Promise((resolve) => (open = resolve));
        const both = Promise.all([1, 2].map(() => request(app, "POST", "/orders", { body, headers })));
        setTimeout(open, 20);
        const answers = await both;
        expect(answers.map((a) => a.status)).to.deep.equal([202, 202]);
        expect(answers[0]!.body.instance_id).to.equal(answers[1]!.body.instance_id);
        expect(workflows.started).to.have.length(1);
      });

      it("gives the same order for a repeat that comes while the workflow does not show its input yet", async () => {
        const { app, workflows } = setup();
        const first = await request(app, "POST", "/orders", { body, headers });
        const placed = workflows.views.get(first.body.instance_id)!;
        const { details, ...withoutInput } = placed; // as the sidecar shows a workflow scheduled but not yet running
        workflows.views.set(placed.id, withoutInput);
        setTimeout(() => workflows.views.set(placed.id, { ...withoutInput, details }), 60);
        const again = await request(app, "POST", "/orders", { body, headers });
        expect(again.status).to.equal(202);
        expect(again.body.instance_id).to.equal(first.body.instance_id);
        expect(workflows.started).to.have.length(1);
      });

      it("answers 503 with Retry-After to a repeat while the workflow's input stays unknown past the start timeout", async () => {
        const { app, workflows } = setup();
        const first = await request(app, "POST", "/orders", { body, headers });
        const { details: _, ...withoutInput } = workflows.views.get(first.body.instance_id)!;
        workflows.views.set(withoutInput.id, withoutInput);
        const again = await request(app, "POST", "/orders", { body, headers });
        expect(again.status).to.equal(503);
        expect(again.headers.get("retry-after")).to.equal("1");
        expect(workflows.started).to.have.length(1);
      });

      it("answers 409 when the key was used for another order", async () => {
        const { app, workflows } = setup();
        await request(app, "POST", "/orders", { body, headers });
        const res = await request(app, "POST", "/orders", { body: { ...body, total: 5 }, headers });
        expect(res.status).to.equal(409);
        expect(workflows.started).to.have.length(1);
      });

      it("gives different keys different orders", () => {
        expect(orderIdForKey("a")).to.not.equal(orderIdForKey("b"));
        expect(orderIdForKey("a")).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      });
    });

    describe("under load", () => {
      const body = { customer: "joni", item: "kiwi", total: 1 };

      it("answers 503 with Retry-After when too many starts are under way, and accepts again after", async () => {
        const { app, workflows } = setup();
        let open!: () => void;
        workflows.gate = new Promise((resolve) => (open = resolve));
        const pending = [1, 2, 3].map(() => request(app, "POST", "/orders", { body }));
        await new Promise((resolve) => setTimeout(resolve, 50));
        const shed = await request(app, "POST", "/orders", { body });
        expect(shed.status).to.equal(503);
        expect(shed.headers.get("retry-after")).to.equal("1");
        open();
        expect((await Promise.all(pending)).map((r) => r.status)).to.deep.equal([202, 202, 202]);
        expect((await request(app, "POST", "/orders", { body })).status).to.equal(202);
      });

      it("answers 503 naming the order when the sidecar is too slow to start it", async () => {
        const { app, workflows } = setup();
        workflows.gate = new Promise(() => {}); // never starts
        const res = await request(app, "POST", "/orders", { body });
        expect(res.status).to.equal(503);
        expect(res.headers.get("retry-after")).to.equal("1");
        expect(res.body.instance_id).to.match(/^[0-9a-f-]{36}$/);
      });
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
      ["total is over 1,000,000", { customer: "joni", item: "kiwi", total: 1_000_000.01 }, "total"],
      ["customer is over 100 characters", { customer: "j".repeat(101), item: "kiwi", total: 1 }, "customer"],
      ["item is not an item name", { customer: "joni", item: "Kiwi!", total: 1 }, "item"],
      ["item is over 40 characters", { customer: "joni", item: "k".repeat(41), total: 1 }, "item"],
      ["a field is unknown", { customer: "joni", item: "kiwi", total: 1, discount: 50 }, "discount"],
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

    it("takes a total of 1,000,000 and a customer of 100 characters, trimmed", async () => {
      const { app, workflows } = setup();
      const res = await request(app, "POST", "/orders", { body: { customer: ` ${"j".repeat(100)} `, item: "kiwi", total: 1_000_000 } });
      expect(res.status).to.equal(202);
      expect(workflows.started[0]).to.include({ customer: "j".repeat(100), total: 1_000_000 });
    });

    it("answers 400 naming the header for an Idempotency-Key over 200 characters", async () => {
      const { app, workflows } = setup();
      const res = await request(app, "POST", "/orders", { body: { customer: "joni", item: "kiwi", total: 1 }, headers: { "Idempotency-Key": "k".repeat(201) } });
      expect(res.status).to.equal(400);
      expect(res.body.field).to.equal("Idempotency-Key");
      expect(workflows.started).to.be.empty;
    });

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
      expect((await request(app, "POST", "/orders", { headers: { "content-type": "application/json" } })).status).to.equal(400);
    });

    it("answers 400 for malformed JSON", async () => {
      const { app } = setup();
      const res = await request(app, "POST", "/orders", { raw: '{"customer": "joni",' });
      expect(res.status).to.equal(400);
      expect(res.body.error).to.match(/not valid JSON/);
    });

    it("answers 415 for a body that is not JSON, or none that does not say it is JSON (a cross-site form)", async () => {
      const { app, workflows } = setup();
      const form = "application/x-www-form-urlencoded";
      expect((await request(app, "POST", "/orders", { raw: "customer=joni&item=kiwi&total=1", contentType: form })).status).to.equal(415);
      expect((await request(app, "POST", "/orders", { raw: "", contentType: form })).status).to.equal(415);
      expect((await request(app, "POST", "/orders")).status).to.equal(415);
      const text = await request(app, "POST", "/orders", { raw: '{"customer":"joni","item":"kiwi","total":1}', contentType: "text/plain" });
      expect(text.status).to.equal(415);
      expect(workflows.started).to.be.empty;
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
      workflows.add(id, "RUNNING");
      const res = await request(app, "GET", `/orders/${id}`);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal(workflows.views.get(id));
    });

    it("answers 404 for an unknown order", async () => {
      const { app } = setup();
      const res = await request(app, "GET", `/orders/${unknownId}`);
      expect(res.status).to.equal(404);
      expect(res.body.error).to.include(unknownId);
    });

    it("answers 404 for an id that is not an order id, without asking for it", async () => {
      const { app, workflows } = setup();
      workflows.add("nope", "RUNNING");
      const res = await request(app, "GET", "/orders/nope");
      expect(res.status).to.equal(404);
      expect(res.body.error).to.equal("no order nope");
    });
  });

  describe("POST /orders/:id/approve", () => {
    it("raises the approval event of a waiting order", async () => {
      const { app, workflows } = setup();
      workflows.add(id, "RUNNING", undefined, true);
      const res = await request(app, "POST", `/orders/${id}/approve`, { body: { approver: "kendall", approved: false } });
      expect(res.status).to.equal(200);
      expect(workflows.approvals).to.deep.equal([{ id: id, approval: { approver: "kendall", approved: false } }]);
    });

    it("answers 404 for an unknown order", async () => {
      const { app, workflows } = setup();
      const res = await request(app, "POST", `/orders/${unknownId}/approve`, { body: { approver: "kendall", approved: true } });
      expect(res.status).to.equal(404);
      expect(workflows.approvals).to.be.empty;
    });

    it("answers 409 for a running order that is not waiting for approval", async () => {
      const { app, workflows } = setup();
      workflows.add(id, "RUNNING");
      const res = await request(app, "POST", `/orders/${id}/approve`, { body: { approver: "kendall", approved: true } });
      expect(res.status).to.equal(409);
      expect(workflows.approvals).to.be.empty;
    });

    it("answers 409 for an order that has finished", async () => {
      const { app, workflows } = setup();
      workflows.add(id, "COMPLETED");
      const res = await request(app, "POST", `/orders/${id}/approve`, { body: { approver: "kendall", approved: true } });
      expect(res.status).to.equal(409);
      expect(workflows.approvals).to.be.empty;
    });

    for (const [why, body, field] of [
      ["approver is missing", { approved: true }, "approver"],
      ["approver is empty", { approver: "", approved: true }, "approver"],
      ["approved is missing", { approver: "kendall" }, "approved"],
      ["approved is not a boolean", { approver: "kendall", approved: "yes" }, "approved"],
      ["approver is over 100 characters", { approver: "k".repeat(101), approved: true }, "approver"],
      ["a field is unknown", { approver: "kendall", approved: true, amount: 1 }, "amount"],
    ] as const) {
      it(`answers 400 naming the field when ${why}`, async () => {
        const { app, workflows } = setup();
        workflows.add(id, "RUNNING", undefined, true);
        const res = await request(app, "POST", `/orders/${id}/approve`, { body });
        expect(res.status).to.equal(400);
        expect(res.body.field).to.equal(field);
        expect(workflows.approvals).to.be.empty;
      });
    }

    describe("with an app API token (APP_API_TOKEN)", () => {
      const token = "sidecar-secret";
      const approval = { body: { approver: "kendall", approved: true } };

      it("refuses an approval without it or with another (401), and approves nothing", async () => {
        const { app, workflows } = setup(token);
        workflows.add(id, "RUNNING", undefined, true);
        expect((await request(app, "POST", `/orders/${id}/approve`, approval)).status).to.equal(401);
        const guessed = await request(app, "POST", `/orders/${id}/approve`, { ...approval, headers: { "dapr-api-token": "guess" } });
        expect(guessed.status).to.equal(401);
        expect(workflows.approvals).to.be.empty;
      });

      it("takes one with it; placing and reading orders stay open", async () => {
        const { app, workflows } = setup(token);
        workflows.add(id, "RUNNING", undefined, true);
        const res = await request(app, "POST", `/orders/${id}/approve`, { ...approval, headers: { "dapr-api-token": token } });
        expect(res.status).to.equal(200);
        expect(workflows.approvals).to.have.length(1);
        expect((await request(app, "GET", `/orders/${id}`)).status).to.equal(200);
        expect((await request(app, "POST", "/orders", { body: { customer: "joni", item: "kiwi", total: 5 } })).status).to.equal(202);
      });
    });
  });
});

describe("toOrderView", () => {
  // What the sidecar answers to GET /v1.0/workflows/dapr/o-1.
  const state = {
    instanceID: "o-1",
    runtimeStatus: "COMPLETED",
    createdAt: "2026-01-01T00:00:00.123456789Z",
    lastUpdatedAt: "2026-01-01T00:00:02Z",
    properties: {
      "dapr.workflow.input": JSON.stringify({ order: { id: "o-1", customer: "joni", item: "kiwi", total: 121 }, policy: defaultPolicy }),
      "dapr.workflow.output": JSON.stringify({ id: "o-1", success: true, message: "Order processed" }),
    },
  };
  const failed = (type: string, message: string) => ({
    ...state,
    runtimeStatus: "FAILED",
    properties: { ...state.properties, "dapr.workflow.output": undefined, "dapr.workflow.failure.error_type": type, "dapr.workflow.failure.error_message": message },
  });

  it("gives the status by name and times in ISO 8601", () => {
    expect(toOrderView(state)).to.deep.equal({
      id: "o-1",
      details: { id: "o-1", customer: "joni", item: "kiwi", total: 121 },
      status: "COMPLETED",
      awaiting_approval: false,
      compensating: false,
      created_time: "2026-01-01T00:00:00.123Z",
      last_updated_time: "2026-01-01T00:00:02.000Z",
      order_result: { id: "o-1", success: true, message: "Order processed" },
    });
  });

  it("says when the order waits for approval", () => {
    const waiting = { ...state, runtimeStatus: "RUNNING", properties: { ...state.properties, "dapr.workflow.custom_status": "awaiting-approval" } };
    expect(toOrderView(waiting).awaiting_approval).to.equal(true);
  });

  it("says when the order is undoing what it did", () => {
    const undoing = { ...state, runtimeStatus: "RUNNING", properties: { ...state.properties, "dapr.workflow.custom_status": "compensating" } };
    expect(toOrderView(undoing)).to.include({ compensating: true, awaiting_approval: false });
    expect(toOrderView(state).compensating).to.equal(false);
  });

  it("reads a workflow just started, which has no properties yet", () => {
    const view = toOrderView({ instanceID: "o-1", runtimeStatus: "PENDING", createdAt: state.createdAt, lastUpdatedAt: state.createdAt });
    expect(view).to.include({ id: "o-1", status: "PENDING", awaiting_approval: false });
    expect(view).to.not.have.property("order_result");
  });

  it("gives the failure details of a failed order (shipping failed, as the workflow throws it), no stack trace and no result", () => {
    const view = toOrderView(failed(ShippingFailed.name, "No courier delivers to nowhere"));
    expect(view.status).to.equal("FAILED");
    expect(view).to.not.have.property("order_result");
    expect(view.failure_details).to.deep.equal({ message: "No courier delivers to nowhere", error_type: "ShippingFailed" });
  });

  it("withholds the text of a plain Error: only the workflow's own failure type is shown", () => {
    expect(toOrderView(failed("Error", "connect ECONNREFUSED 10.0.3.7:6379")).failure_details).to.deep.equal({ message: withheldFailureMessage, error_type: "Error" });
  });

  it("withholds the text of a failure the workflow did not throw on purpose (the runtime's, or a bug's)", () => {
    const view = toOrderView(failed("TaskFailedError", "Activity task #3 failed: payments/api/v1/payments answered 500: dial tcp 10.0.3.7:6379: connection refused"));
    expect(view.failure_details).to.deep.equal({ message: withheldFailureMessage, error_type: "TaskFailedError" });
    expect(JSON.stringify(view)).to.not.include("10.0.3.7");
  });
});

describe("daprOrderWorkflows (the sidecar's workflow API)", () => {
  const order: Order = { id: "0b7a4c2e-5d1f-4e8a-9c3b-2f6d8e1a7b90", customer: "joni", item: "kiwi", total: 121 };
  let fake: FakeSidecar | undefined;
  const answering = async (...replies: SidecarReply[]) => {
    fake = await FakeSidecar.start(() => replies.shift() ?? { status: 500 });
    return daprOrderWorkflows({} as DaprWorkflowClient, fake.sidecar, memoryLogger());
  };
  afterEach(async () => fake?.stop());

  it("reads an order (undefined for an unknown one), reading again after a transient store read failure", async () => {
    const transient = { status: 500, body: { message: "inbox key missing (transient store read failure; retry)" } };
    const found = { status: 200, body: { instanceID: order.id, runtimeStatus: "RUNNING", createdAt: "2026-01-01T00:00:00Z", lastUpdatedAt: "2026-01-01T00:00:01Z" } };
    const workflows = await answering(transient, found, { status: 404, body: { errorCode: "ERR_INSTANCE_ID_NOT_FOUND" } });
    expect((await workflows.get(order.id))?.status).to.equal("RUNNING");
    expect(await workflows.get(order.id)).to.equal(undefined);
    expect(fake!.calls.map((c) => `${c.method} ${c.url}`)).to.deep.equal(Array(3).fill(`GET /v1.0/workflows/dapr/${order.id}`));
  });

  it("reads again after any 5xx of the sidecar, by status (not by its text); a 4xx is an error at once", async () => {
    const busy = { status: 503, body: { errorCode: "ERR_SOMETHING" } };
    const found = { status: 200, body: { instanceID: order.id, runtimeStatus: "RUNNING", createdAt: "2026-01-01T00:00:00Z", lastUpdatedAt: "2026-01-01T00:00:01Z" } };
    const workflows = await answering(busy, found, { status: 403, body: { errorCode: "ERR_PERMISSION" } });
    expect((await workflows.get(order.id))?.status).to.equal("RUNNING");
    const error = await workflows.get(order.id).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(WorkflowApiError).and.include({ status: 403 });
    expect(fake!.calls).to.have.length(3);
  });

  it("says WorkflowExists when the sidecar refuses a start with ALREADY_EXISTS (the gRPC code, whatever the text)", async () => {
    const refusing = (code: number, details: string) =>
      ({ scheduleNewWorkflow: async () => Promise.reject(Object.assign(new Error(`${code} ${details}`), { code, details })) }) as unknown as DaprWorkflowClient;
    const input = { order, policy: defaultPolicy };
    const exists = await daprOrderWorkflows(refusing(6, "an active workflow with ID 'x' is there"), {} as never, memoryLogger()).start(input).catch((e: unknown) => e);
    expect(exists).to.be.instanceOf(WorkflowExists);
    const other = await daprOrderWorkflows(refusing(14, "already exists (but unavailable)"), {} as never, memoryLogger()).start(input).catch((e: unknown) => e);
    expect(other).to.not.be.instanceOf(WorkflowExists);
  });

  it("raises the approval event with the decision", async () => {
    await (await answering({ status: 202 })).approve(order.id, { approver: "kendall", approved: true });
    expect(fake!.calls.map(({ method, url, body }) => ({ method, url, body }))).to.deep.equal([
      { method: "POST", url: `/v1.0/workflows/dapr/${order.id}/raiseEvent/approval`, body: { approver: "kendall", approved: true } },
    ]);
  });
});

describe("retryingServerErrors", () => {
  const failingTimes = (times: number, status: number) => {
    let calls = 0;
    const read = async () => {
      calls++;
      if (calls <= times) throw new WorkflowApiError("reading", status, "{}");
      return "state";
    };
    return { read, calls: () => calls };
  };

  it("reads again after a 5xx", async () => {
    const source = failingTimes(2, 500);
    expect(await retryingServerErrors(source.read, 5, 1)).to.equal("state");
    expect(source.calls()).to.equal(3);
  });

  it("gives up after the attempts it was given", async () => {
    const source = failingTimes(9, 500);
    const error = await retryingServerErrors(source.read, 3, 1).catch((e: Error) => e);
    expect(error).to.be.instanceOf(WorkflowApiError).and.include({ status: 500 });
    expect(source.calls()).to.equal(3);
  });

  it("does not retry other errors", async () => {
    const source = failingTimes(1, 404);
    const error = await retryingServerErrors(source.read, 5, 1).catch((e: Error) => e);
    expect(error).to.include({ status: 404 });
    expect(source.calls()).to.equal(1);
    const other = await retryingServerErrors(async () => Promise.reject(new Error("transient")), 5, 1).catch((e: Error) => e);
    expect(String(other)).to.include("transient");
  });
});

describe("placing orders: per-client limit and the bound on orders waiting for approval", () => {
  const order = (total: number) => ({ body: { customer: "joni", item: "kiwi", total } });

  it("answers 429 with Retry-After past ORDER_RATE_LIMIT orders per client address, but not to the sidecar's calls", async () => {
    const workflows = new RecordedWorkflows();
    const app = createApp({ logger: memoryLogger(), routes: orderRoutes(workflows, defaultPolicy, { ...intake, rateLimit: { points: 2, windowSeconds: 60 } }, "app-t0ken") });
    expect((await request(app, "POST", "/orders", order(5))).status).to.equal(202);
    expect((await request(app, "POST", "/orders", order(5))).status).to.equal(202);
    const third = await request(app, "POST", "/orders", order(5));
    expect(third.status).to.equal(429);
    expect(Number(third.headers.get("retry-after"))).to.be.within(1, 60);
    expect((await request(app, "POST", "/orders", { ...order(5), headers: { "dapr-api-token": "app-t0ken" } })).status, "through the sidecar").to.equal(202);
    expect(workflows.started).to.have.length(3);
  });

  it("takes at most MAX_AWAITING_APPROVAL orders that wait for approval: 503 with Retry-After past it, room again once one is decided", async () => {
    const workflows = new RecordedWorkflows();
    const app = createApp({ logger: memoryLogger(), routes: orderRoutes(workflows, defaultPolicy, { ...intake, maxAwaitingApproval: 2 }, "app-t0ken") });
    const big = order(defaultPolicy.approvalThreshold);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push((await request(app, "POST", "/orders", big)).body.instance_id);
    const refused = await request(app, "POST", "/orders", big);
    expect(refused.status).to.equal(503);
    expect(refused.headers.get("retry-after")).to.equal("60");
    expect(refused.body.error).to.include("waiting for approval");
    expect((await request(app, "POST", "/orders", order(5))).status, "a small order").to.equal(202);
    workflows.add(ids[0]!, "RUNNING", undefined, true);
    const decided = await request(app, "POST", `/orders/${ids[0]}/approve`, { body: { approver: "kendall", approved: false }, headers: { "dapr-api-token": "app-t0ken" } });
    expect(decided.status).to.equal(200);
    expect((await request(app, "POST", "/orders", big)).status, "after a decision").to.equal(202);
    expect(workflows.started.filter((o) => o.total >= defaultPolicy.approvalThreshold)).to.have.length(3);
  });

  it("counts parallel requests before any starts, and makes room for orders that finished elsewhere", async () => {
    const bound = new AwaitingApproval(2, 60, 0);
    const never = async () => false;
    const admitted = await Promise.all(["a", "b", "c", "d"].map((id) => bound.admit(id, never)));
    expect(admitted.filter(Boolean)).to.have.length(2);
    expect(await bound.admit("e", async (id) => id === "a")).to.equal(true);
    expect(bound.size).to.equal(2);
  });

  it("lets an order's timeout end its wait, and a limit window end", () => {
    const limit = new WindowLimit(1, 10);
    expect(limit.take("x", 0)).to.equal(0);
    expect(limit.take("x", 1000)).to.equal(9);
    expect(limit.take("y", 1000)).to.equal(0);
    expect(limit.take("x", 10_000)).to.equal(0);
  });
});
