// An order's workflow outlives the process that runs it: order-processor and its
// sidecar are stopped while the order waits for approval, started again, and the
// approval then finishes the order. Runs after the other tests: it takes the API
// away for a while.
import { expect } from "chai";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { approve, ensureInStock, getOrder, type OrderView, placeOrder, stockOf, waitUntilFinished } from "./http.js";
import { approvedAndShipped, expectMessages } from "./messages.js";
import { NotificationFeed } from "./notifications.js";
import { settings, stackControl, urls } from "./target.js";

describe("durability", function () {
  this.timeout(180_000);
  let feed: NotificationFeed | undefined;

  before(async function () {
    if (stackControl() === undefined) {
      console.log("    (E2E_STACK=external without E2E_RESTART_COMMAND: no restart test)");
      this.skip();
    }
    feed = await NotificationFeed.connect(urls.notifications);
    await ensureInStock(["pear"]);
  });

  after(() => feed?.close());

  it("finishes an order approved after order-processor and its sidecar were restarted", async () => {
    const order = { customer: "kendall", item: "pear", total: settings.approvalThreshold + 1 };
    const stockBefore = await stockOf(order.item);
    const { id } = await placeOrder(order);
    await feed!.waitFor(id, /^Waiting for approval/);

    const restartStarted = Date.now();
    await stackControl()!.restart("order-processor");
    const restartSeconds = (Date.now() - restartStarted) / 1000;
    expect(restartSeconds, "the restart must end well before the approval deadline").to.be.below(
      settings.approvalTimeoutSeconds - 3,
    );

    // Still waiting, as the workflow state lives in the state store, not in the process.
    let waiting!: OrderView;
    await pollUntil(`order ${id} to be readable again`, async () => ((waiting = await getOrder(id)), true), { timeoutMs: 30_000 });
    expect(waiting.status).to.equal("RUNNING");

    const res = await approve(id, "kendall", true);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const view = await waitUntilFinished(id);
    expect(view.status).to.equal("COMPLETED");
    expect(view.order_result).to.deep.equal({ id, success: true, message: "Order processed" });
    expect(await stockOf(order.item)).to.equal(stockBefore! - 1);
    expectMessages(await feed!.settle(id, 7), approvedAndShipped(order, "kendall"));
  });
});
