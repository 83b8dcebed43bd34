// The dashboard's side of notifications, from the outside: the event history that a
// page gets when it (re)connects, two instances of notifications showing the same
// events (Socket.IO's Redis adapter), and the API that the page's buttons call,
// which goes on to the other apps through Dapr.
import { freePort } from "@dapr-orders/local-stack";
import { expect } from "chai";
import { io, type Socket } from "socket.io-client";
import { call } from "@dapr-orders/service-kit/http-client";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { ensureInStock, operatorSession, placeOrder, waitUntilFinished } from "./http.js";
import { expectMessages, straightThrough } from "./messages.js";
import type { OrderEvent } from "./notifications.js";
import { stackControl, urls } from "./target.js";

type StoredEvent = OrderEvent;

/** An order's events by seq (a page shows them so, whatever order they arrived in). */
const bySeq = (events: StoredEvent[]) => [...events].sort((a, b) => a.seq - b.seq);

/** A page's connection: the history it got when it connected, then the live events. */
class Page {
  history: StoredEvent[] = [];
  live: StoredEvent[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on("notification", (event: StoredEvent) => this.live.push(event));
  }

  /** Connects as a page that has seen everything up to `lastEventId`; resolves once it has its history. */
  static open(url: string, lastEventId?: string): Promise<Page> {
    const socket = io(url, { transports: ["websocket"], reconnection: false, auth: { lastEventId } });
    const page = new Page(socket);
    return new Promise((resolve, reject) => {
      socket.once("history", (reply: { events: StoredEvent[]; error?: string }) => {
        if (reply.error !== undefined) reject(new Error(`history from ${url}: ${reply.error}`));
        page.history = reply.events;
        resolve(page);
      });
      socket.once("connect_error", (err) => reject(new Error(`cannot connect to ${url}: ${err.message}`)));
    });
  }

  /** The live events of the order, once it has `count` of them. */
  async liveEvents(orderId: string, count: number): Promise<StoredEvent[]> {
    const of = () => this.live.filter((e) => e.order_id === orderId);
    await pollUntil(`${count} live events of order ${orderId}`, async () => of().length >= count, { timeoutMs: 60_000 });
    return of();
  }

  close(): void {
    this.socket.close();
  }
}

const small = (customer: string) => ({ customer, item: "kiwi", total: 42.5 });
const compareIds = (a: string, b: string) => {
  const [aMs, aSeq] = a.split("-").map(Number);
  const [bMs, bSeq] = b.split("-").map(Number);
  return aMs! - bMs! || aSeq! - bSeq!;
};

describe("dashboard", function () {
  this.timeout(120_000);
  const pages: Page[] = [];
  const open = async (url: string, lastEventId?: string) => {
    const page = await Page.open(url, lastEventId);
    pages.push(page);
    return page;
  };

  before(() => ensureInStock(["kiwi"]));
  afterEach(() => {
    for (const page of pages.splice(0)) page.close();
  });

  it("gives every event an id, and a page that reconnects exactly the events it missed", async () => {
    const first = await open(urls.notifications);
    const order = small("hana");
    const { id } = await placeOrder(order);
    const live = await first.liveEvents(id, 5);
    expectMessages(bySeq(live), straightThrough(order), order);
    const ids = live.map((e) => e.id);
    expect([...ids].sort(compareIds), "ids increase, in the order the events arrived").to.deep.equal(ids);

    // A page that had the first two events when it lost its connection.
    const returning = await open(urls.notifications, ids[1]);
    expect(returning.history.filter((e) => e.order_id === id)).to.deep.equal(live.slice(2));
    expect(returning.history.every((e) => compareIds(e.id, ids[1]!) > 0), "nothing it had").to.equal(true);

    // A new page gets the recent history, this order's events included, oldest first.
    const fresh = await open(urls.notifications);
    expect(fresh.history.filter((e) => e.order_id === id)).to.deep.equal(live);
  });

  it("shows the same events on the pages of every instance of notifications (local stack)", async function () {
    const startInstance = stackControl()?.startInstance;
    if (startInstance === undefined) this.skip();
    const secondUrl = await startInstance("notifications", await freePort());
    const [onFirst, onSecond] = [await open(urls.notifications), await open(secondUrl)];

    const order = small("ines");
    const { id } = await placeOrder(order);
    // Dapr delivers each event to the first instance only; the adapter passes it on.
    const [first, second] = [await onFirst.liveEvents(id, 5), await onSecond.liveEvents(id, 5)];
    expectMessages(bySeq(second), straightThrough(order), order);
    expect(second).to.deep.equal(first);

    // Both read the same history.
    const fresh = await open(secondUrl);
    expect(fresh.history.filter((e) => e.order_id === id)).to.deep.equal(first);
  });

  it("passes the page's actions on to the apps, and their errors back", async () => {
    const api = `${urls.notifications}/api`;
    const stock = await call("GET", `${api}/inventory`);
    expect(stock.status).to.equal(200);
    expect(stock.body.items.map((i: { name: string }) => i.name)).to.include("kiwi");

    const invalid = await call("POST", `${api}/orders`, { json: { customer: "joni", item: "kiwi", total: -1 } });
    expect(invalid.status).to.equal(400);
    expect(invalid.body.error).to.equal("total must be a finite number greater than 0");

    const cookie = await operatorSession("kendall");
    const unknown = await call("POST", `${api}/orders/no-such-order/approve`, { json: { approved: true }, headers: { cookie } });
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error).to.equal("no order no-such-order");

    const placed = await call("POST", `${api}/orders`, { json: small("joni") });
    expect(placed.status).to.equal(202);
    expect(placed.body.instance_id).to.be.a("string").and.not.empty;
    expect((await waitUntilFinished(placed.body.instance_id)).status).to.equal("COMPLETED");

    // The page sends an Idempotency-Key with each order, and sends it again on a retry: one order.
    const headers = { "Idempotency-Key": `page-${placed.body.instance_id}` };
    const first = await call("POST", `${api}/orders`, { json: small("joni"), headers });
    const again = await call("POST", `${api}/orders`, { json: small("joni"), headers });
    expect([first.status, again.status]).to.deep.equal([202, 202]);
    expect(again.body.instance_id).to.equal(first.body.instance_id);
  });
});
