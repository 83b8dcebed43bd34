// Every path of the order workflow (docs/spec.md, "The order workflow") through the
// running system: the order's final status and result, the stock of its item
// afterwards, and exactly the notifications a dashboard receives for it.
//
// The orders run concurrently, started in before(); each test waits for its own.
// Orders for the same item take turns, so each can compare the stock of its item
// before and after it.
import { expect } from "chai";
import { approve, ensureInStock, type NewOrder, type OrderView, placeOrder, restock, stockOf, waitUntilFinished } from "./http.js";
import { announcedDeadline, approvedAndShipped, expectMessages, say, straightThrough } from "./messages.js";
import { NotificationFeed, type OrderEvent } from "./notifications.js";
import { settings, urls } from "./target.js";

const approver = "kendall";
const small = 121.5; // below the approval threshold
const large = settings.approvalThreshold + 500; // needs approval, within the card limit
const overLimit = settings.cardLimit + 1000; // needs approval, then declined

const orders = {
  success: { customer: "joni", item: "orange", total: small },
  outOfStock: { customer: "joni", item: "durian", total: small }, // an item the inventory does not stock
  approved: { customer: "mona", item: "apple", total: large },
  rejected: { customer: "mona", item: "pear", total: large },
  timedOut: { customer: "mona", item: "kiwi", total: large },
  declined: { customer: "ravi", item: "orange", total: overLimit },
  notShipped: { customer: settings.blockedCustomer, item: "apple", total: small },
} satisfies Record<string, NewOrder>;

type Scenario = keyof typeof orders;

/** How many notifications each order ends with. */
const notificationCount: Record<Scenario, number> = {
  success: 5,
  outOfStock: 2,
  approved: 7,
  rejected: 5,
  timedOut: 5,
  declined: 6,
  notShipped: 6,
};

interface Outcome {
  id: string;
  location: string | null;
  view: OrderView;
  events: OrderEvent[];
  stockBefore: number | undefined;
  stockAfter: number | undefined;
}

describe("order workflow", function () {
  this.timeout(180_000);
  let feed: NotificationFeed;
  const outcomes = new Map<Scenario, Promise<Outcome>>();
  const turns = new Map<string, Promise<unknown>>();

  /** Runs `task` after the earlier tasks for the same item. */
  function inTurn<T>(item: string, task: () => Promise<T>): Promise<T> {
    const run = (turns.get(item) ?? Promise.resolve()).then(task);
    turns.set(item, run.catch(() => {}));
    return run;
  }

  /** Places the scenario's order, lets `drive` act on it, and waits until it is over. */
  function start(scenario: Scenario, drive?: (id: string) => Promise<void>): void {
    const order = orders[scenario];
    const outcome = inTurn(order.item, async () => {
      const stockBefore = await stockOf(order.item);
      const { id, location } = await placeOrder(order);
      await drive?.(id);
      const view = await waitUntilFinished(id);
      const stockAfter = await stockOf(order.item);
      const events = await feed.settle(id, notificationCount[scenario]);
      return { id, location, view, events, stockBefore, stockAfter };
    });
    outcome.catch(() => {}); // its test reports the failure
    outcomes.set(scenario, outcome);
  }

  const outcome = (scenario: Scenario) => outcomes.get(scenario)!;

  /** Decides on the order once it waits for approval, as a person on the dashboard would. */
  const decide = (approved: boolean) => async (id: string) => {
    await feed.waitFor(id, /^Waiting for approval/);
    const res = await approve(id, approver, approved);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.equal({ id, approver, approved });
  };

  before(async function () {
    feed = await NotificationFeed.connect(urls.notifications);
    await ensureInStock(settings.items);
    start("timedOut"); // the longest: first
    start("success");
    start("outOfStock");
    start("approved", decide(true));
    start("rejected", decide(false));
    start("declined", decide(true));
    start("notShipped");
  });

  after(() => feed?.close());

  it("processes an order below the approval threshold: reserved, paid, shipped", async () => {
    const { id, location, view, events, stockBefore, stockAfter } = await outcome("success");
    const order = orders.success;
    expect(location).to.equal(`/orders/${id}`);
    expect(view).to.include({ id, status: "COMPLETED" });
    expect(view.details).to.deep.equal({ id, ...order });
    expect(view.order_result).to.deep.equal({ id, success: true, message: "Order processed" });
    expect(view.failure_details).to.equal(undefined);
    expect(Date.parse(view.last_updated_time)).to.be.at.least(Date.parse(view.created_time));
    expect(stockAfter).to.equal(stockBefore! - 1);
    expectMessages(events, straightThrough(order));
  });

  it("ends an order for an item out of stock after the reservation fails", async () => {
    const { id, view, events, stockBefore, stockAfter } = await outcome("outOfStock");
    const order = orders.outOfStock;
    expect(view.status).to.equal("COMPLETED");
    expect(view.order_result).to.deep.equal({ id, success: false, message: say.outOfStock(order) });
    expect([stockBefore, stockAfter]).to.deep.equal([undefined, undefined]); // nothing got stocked
    expectMessages(events, [say.processing(order), say.outOfStock(order)]);
  });

  it("processes an order at or above the threshold once it is approved", async () => {
    const { id, view, events, stockBefore, stockAfter } = await outcome("approved");
    const order = orders.approved;
    expect(view.status).to.equal("COMPLETED");
    expect(view.order_result).to.deep.equal({ id, success: true, message: "Order processed" });
    expect(stockAfter).to.equal(stockBefore! - 1);
    expectMessages(events, approvedAndShipped(order, approver));
    // The deadline is the approval timeout after the order reached the wait.
    const wait = (announcedDeadline(events, order).getTime() - Date.parse(view.created_time)) / 1000;
    expect(wait).to.be.within(settings.approvalTimeoutSeconds, settings.approvalTimeoutSeconds + 30);
  });

  it("ends a rejected order and puts its item back", async () => {
    const { id, view, events, stockBefore, stockAfter } = await outcome("rejected");
    const order = orders.rejected;
    expect(view.status).to.equal("COMPLETED");
    expect(view.order_result).to.deep.equal({ id, success: false, message: say.rejected(approver) });
    expect(stockAfter).to.equal(stockBefore);
    expectMessages(events, [
      say.processing(order),
      say.reserved(order),
      say.waiting(order),
      say.rejected(approver),
      say.released(order),
    ]);
  });

  it("ends an order nobody approves at its deadline and puts its item back", async () => {
    const { id, view, events, stockBefore, stockAfter } = await outcome("timedOut");
    const order = orders.timedOut;
    expect(view.status).to.equal("COMPLETED");
    expect(view.order_result).to.deep.equal({ id, success: false, message: say.expired });
    expect(stockAfter).to.equal(stockBefore);
    expectMessages(events, [say.processing(order), say.reserved(order), say.waiting(order), say.expired, say.released(order)]);
    // Not before the deadline it announced (the timer may fire a little late, never early).
    const expiredAt = Date.parse(events.find((e) => e.message === say.expired)!.time);
    expect(expiredAt).to.be.at.least(announcedDeadline(events, order).getTime());
  });

  it("ends an approved order whose payment is declined and puts its item back", async () => {
    const { id, view, events, stockBefore, stockAfter } = await outcome("declined");
    const order = orders.declined;
    expect(view.status).to.equal("COMPLETED");
    expect(view.order_result).to.deep.equal({ id, success: false, message: say.declined(order) });
    expect(stockAfter).to.equal(stockBefore);
    expectMessages(events, [
      say.processing(order),
      say.reserved(order),
      say.waiting(order),
      say.approved(approver),
      say.declined(order),
      say.released(order),
    ]);
  });

  it("fails an order that cannot be shipped, after refunding it and putting its item back", async () => {
    const { view, events, stockBefore, stockAfter } = await outcome("notShipped");
    const order = orders.notShipped;
    expect(view.status).to.equal("FAILED");
    expect(view.order_result).to.equal(undefined);
    expect(view.failure_details).to.include({ message: `No courier delivers to ${order.customer}` });
    expect(view.failure_details!.error_type).to.equal("ShippingFailed");
    expect(view.compensating, "done compensating").to.equal(false);
    expect(stockAfter).to.equal(stockBefore);
    expectMessages(events, [
      say.processing(order),
      say.reserved(order),
      say.paid,
      say.notShipped(order),
      say.refunded, // the undo steps run newest first; the shipment's cancel found none and says nothing
      say.released(order),
    ]);
  });

  it("sent no notification twice or late, over one connection that stayed up", async () => {
    for (const [scenario, result] of outcomes) {
      const { id, events } = await result;
      expect(feed.events(id), scenario).to.deep.equal(events);
    }
    expect(feed.disconnects).to.equal(0);
  });

  it("restocks every item to its full quantity after the orders", async () => {
    await Promise.all([...outcomes.values()].map((o) => o.catch(() => {})));
    const res = await restock();
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const quantities = await Promise.all(settings.items.map(stockOf));
    expect(quantities).to.deep.equal(settings.items.map(() => settings.restockQuantity));
  });
});
