// How notifications reach the page, with the real sidecar and Redis pub/sub: each
// test publishes notifications of the contract's format itself, through
// notifications' own sidecar, and watches the page. Repeats and notifications out
// of order, a notifications that cannot keep a notification at first (it answers
// 500: the sidecar's resiliency policy delivers it again), and one it refuses (400:
// a dead letter).
import { expect } from "chai";
import { Dashboard } from "./dashboard.js";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { logOf, publishNotification, redis, say, straightThrough, type NewOrder } from "./system.js";

type Step = { type: string; message: string };

/** An order's notifications as order-processor numbers them: seq 1, 2, 3... */
const numbered = (order_id: string, order: NewOrder, steps: Step[]) => steps.map((step, i) => ({ order_id, seq: i + 1, ...step, order }));

const straight = (o: NewOrder): Step[] =>
  ["placed", "reserved", "paid", "shipped", "completed"].map((type, i) => ({ type, message: straightThrough(o)[i] as string }));

/** The request lines notifications logged for the order's deliveries, by status. */
const deliveries = (orderId: string, status: number) =>
  logOf("notifications").filter((l) => l.msg === "request" && l.path === "/notifications" && l.order_id === orderId && l.status === status);

describe("delivery from pub/sub to the page", function () {
  let dashboard: Dashboard;
  const run = Date.now().toString(36);

  before(async () => {
    dashboard = await Dashboard.open();
  });
  afterEach(async function () {
    if (this.currentTest?.state === "failed")
      await dashboard.screenshot(`failed-delivery-${this.currentTest.title.slice(0, 40).replace(/\W+/g, "-")}`, true).catch(() => {});
  });
  after(async () => {
    await dashboard?.close();
  });

  it("loads notifications' resiliency policy in its sidecar", () => {
    const loaded = logOf("notifications-dapr").filter((l) => String(l.text).includes("Loading Resiliency configuration: notifications-resiliency"));
    expect(loaded, "daprd's log").to.have.length.at.least(1);
  });

  it("shows each notification once and by seq, however often and in whatever order it is published", async () => {
    const id = `repeated-${run}`;
    const order = { customer: "ines", item: "kiwi", total: 42 };
    const [placed, reserved, paid, shipped, completed] = numbered(id, order, straight(order));
    for (const notification of [paid, placed, placed, completed, reserved, paid, shipped, completed]) await publishNotification(notification);

    await dashboard.expectTimeline(id, straightThrough(order));
    await dashboard.waitForStatus(id, "completed");
    // A repeat is acknowledged, not shown or kept again: a fresh page gets each once from the history.
    await pollUntil("every copy to be delivered", () => deliveries(id, 200).length === 8);
    await dashboard.reload();
    await dashboard.expectTimeline(id, straightThrough(order));
    dashboard.expectNoErrors();
  });

  it("delivers a notification that notifications could not keep at first (it answered 500), once it can", async () => {
    const id = `retried-${run}`;
    const order = { customer: "ravi", item: "pear", total: 12 };
    // Redis refuses notifications' script for this order (WRONGTYPE on the order's
    // key of kept notifications), so it answers 500, until the key is gone.
    const seenKey = `dashboard:events:seen:${id}`;
    await redis("SET", seenKey, "not a hash");
    const [placed] = numbered(id, order, straight(order));
    await publishNotification(placed);
    await pollUntil("notifications to answer 500 twice (the sidecar tries again)", () => deliveries(id, 500).length >= 2, { timeoutMs: 30_000 });
    expect(await dashboard.card(id).count(), "a card before notifications kept it").to.equal(0);

    await redis("DEL", seenKey);
    await dashboard.expectTimeline(id, [say.processing(order)], { timeoutMs: 30_000 });
    await pollUntil("the delivery that worked to be logged", () => deliveries(id, 200).length === 1);
    dashboard.expectNoErrors();
  });

  it("sends a notification that notifications refuses (400) to the dead letters at once, logged with its order", async () => {
    const id = `refused-${run}`;
    // A notification without seq and type: notifications answers 400 naming seq.
    await publishNotification({ order_id: id, message: "Payment processed" });
    await pollUntil("the dead letter to be kept in Redis", async () => (await redis("LRANGE", "dashboard:dead-letters", "0", "9")).includes(id));
    // The stack's log is written asynchronously: the line may come after the dead letter.
    const logged = () => logOf("notifications").filter((l) => l.level === "error" && l.order_id === id);
    await pollUntil("the dead letter to be logged with its order", () => logged().length > 0, { timeoutMs: 10_000 });
    expect(logged().map((l) => l.msg)).to.deep.equal(["notification could not be delivered (dead letter)"]);
    expect(deliveries(id, 400), "tried once: a 400 is not retried").to.have.length(1);
    expect(await dashboard.card(id).count()).to.equal(0);
    dashboard.expectNoErrors();
  });
});
