// Finished orders' workflow state is purged, and the orders still answer: a local
// stack of its own whose sidecars purge a finished workflow's state 5 s after its end
// (stateRetentionPolicy.anyTerminal). An order completes, its workflow is then gone
// from Dapr, and GET /orders/:id answers from the order's outcome record, as before;
// its Idempotency-Key still names it and starts nothing. A failed order the same.
// (.mocharc.retention.json: runs on its own, after the main suite.)
import path from "node:path";
import { expect } from "chai";
import { repoRoot, startTestStack, type TestStack } from "@dapr-orders/local-stack";
import { call } from "@dapr-orders/service-kit/http-client";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { ensureInStock, getOrder, waitUntilFinished, type OrderView } from "./http.js";
import { credentials, settings, settingsEnv, urls } from "./target.js";

const retention = "5s";

describe("retention of finished orders", function () {
  this.timeout(180_000);
  let running: TestStack | undefined;
  let sidecar = "";

  before(async function () {
    this.timeout(20 * 60_000); // the first time on a machine, Dapr is built from source
    running = await startTestStack({
      logFile: path.join(repoRoot, "test-artifacts", "e2e", "retention-stack.log"),
      env: { ...settingsEnv(), RECORD_TTL_SECONDS: "3600" },
      workflowStateRetention: retention,
    });
    const { stack } = running;
    urls.orders = stack.url("order-processor");
    urls.inventory = stack.url("inventory");
    credentials.tokens = (appId) => stack.tokens(appId);
    sidecar = stack.apps.find((a) => a.appId === "order-processor")!.daprUrl;
    await ensureInStock(["kiwi"]);
  });

  after(async function () {
    this.timeout(60_000);
    await running?.stop();
  });

  /** The workflow's state as Dapr has it: its status, or 404 once purged. */
  const workflowStatus = async (id: string) => {
    const res = await call("GET", `${sidecar}/v1.0/workflows/dapr/${id}`, {
      headers: { "dapr-api-token": credentials.tokens("order-processor").daprApiToken },
    });
    if (res.status !== 200 && res.status !== 404) throw new Error(`the sidecar answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.status === 404 ? 404 : (res.body.runtimeStatus as string);
  };
  const purged = (id: string) => pollUntil(`the workflow of order ${id} to be purged`, async () => (await workflowStatus(id)) === 404, { timeoutMs: 90_000 });
  const place = (body: object, key: string) => call("POST", `${urls.orders}/orders`, { json: body, headers: { "Idempotency-Key": key } });

  it("purges a completed order's workflow, and still answers for the order and its Idempotency-Key", async () => {
    const body = { customer: "joni", item: "kiwi", total: 12 };
    const key = `retention-${Date.now()}`;
    const placed = await place(body, key);
    expect(placed.status).to.equal(202);
    const id = placed.body.instance_id as string;
    const finished = await waitUntilFinished(id);
    expect(finished.status).to.equal("COMPLETED");

    await purged(id);
    const after: OrderView = await getOrder(id);
    expect(after).to.deep.include({ id, status: "COMPLETED", awaiting_approval: false, details: { id, ...body } });
    expect(after.order_result).to.deep.equal({ id, success: true, message: "Order processed" });
    // The workflow's first turn, a moment after it was scheduled.
    expect(Math.abs(Date.parse(after.created_time) - Date.parse(finished.created_time))).to.be.below(30_000);
    expect(Date.parse(after.last_updated_time)).to.be.at.most(Date.parse(finished.last_updated_time));

    const again = await place(body, key);
    expect(again.status).to.equal(202);
    expect(again.body.instance_id).to.equal(id);
    expect(await workflowStatus(id), "the same key starts nothing").to.equal(404);
    expect((await place({ ...body, total: 13 }, key)).status, "the key still names its order").to.equal(409);
  });

  it("purges a failed order's workflow, and still answers with its failure", async () => {
    const body = { customer: settings.blockedCustomer, item: "kiwi", total: 12 };
    const placed = await place(body, `retention-failed-${Date.now()}`);
    const id = placed.body.instance_id as string;
    const finished = await waitUntilFinished(id);
    expect(finished.status).to.equal("FAILED");
    await purged(id);
    const after = await getOrder(id);
    expect(after.status).to.equal("FAILED");
    expect(after.failure_details).to.deep.equal(finished.failure_details);
  });

  it("answers 404 for an order it never had", async () => {
    const res = await call("GET", `${urls.orders}/orders/9b1d5e7a-3c2f-4e8b-a6d4-0f1e2d3c4b5a`);
    expect(res.status).to.equal(404);
  });
});
