// The dashboard under load: the notifications of 2000 orders, published as fast as
// the stack takes them (through notifications' own sidecar, so they take the real
// path: Redis pub/sub, the subscription, the app, Socket.IO) while the page is open.
// The page must keep every order's events (the counts add up), stay small (older
// finished orders fold away) and keep answering.
import { expect } from "chai";
import { Dashboard } from "./dashboard.js";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { publishNotification } from "./system.js";

const orders = 2000;
/** Orders published at once (each one's notifications in turn, as a workflow does). */
const publishers = 16;
/** The page shows this many finished orders (app.js). */
const finishedShown = 50;
/** The DOM may never have more nodes than this (with every order shown, it would be over 100 000). */
const nodeBound = 20_000;
const publishDeadlineMs = 180_000;

type Kind = "completed" | "outOfStock" | "awaiting";

/** Every 50th order waits for approval (it stays open), every 10th is out of stock, the others go through. */
const kindOf = (n: number): Kind => (n % 50 === 25 ? "awaiting" : n % 10 === 3 ? "outOfStock" : "completed");

const typesOf: Record<Kind, string[]> = {
  completed: ["placed", "reserved", "paid", "shipped", "completed"],
  outOfStock: ["placed", "reserveFailed"],
  awaiting: ["placed", "reserved", "awaitingApproval"],
};

function notifications(orderId: string, n: number) {
  const order = { customer: `load ${n}`, item: "kiwi", total: 10 + (n % 90) };
  const deadline = new Date(Date.now() + 3_600_000).toISOString();
  return typesOf[kindOf(n)].map((type, i) => ({
    order_id: orderId,
    seq: i + 1,
    type,
    message: `${type} of order ${n}`,
    order,
    ...(type === "awaitingApproval" ? { deadline } : {}),
  }));
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? NaN;

describe("dashboard under load", function () {
  this.timeout(420_000);
  let dashboard: Dashboard;

  before(async () => {
    dashboard = await Dashboard.open();
  });
  after(async () => {
    await dashboard?.close();
  });

  it(`stays small and responsive while the notifications of ${orders} orders arrive`, async () => {
    const run = Date.now().toString(36);
    const idOf = (n: number) => `load-${run}-${String(n).padStart(4, "0")}`;
    const before = await dashboard.counts();
    // Chromium's own account of the page's main thread: how long it was busy, and with what.
    const cdp = await dashboard.page.context().newCDPSession(dashboard.page);
    await cdp.send("Performance.enable");
    const metrics = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
    const busyBefore = await metrics();

    // The page, sampled while the notifications come: its node count, and how long a round trip into it takes.
    const nodes: number[] = [];
    const roundTrips: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const start = performance.now();
        nodes.push(await dashboard.page.evaluate(countNodes));
        roundTrips.push(performance.now() - start);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    // Publishers take the next order and publish its notifications in turn, until all are out (or the deadline).
    const started = Date.now();
    let next = 0;
    let published = 0;
    const publisher = async () => {
      for (let n = next++; n < orders; n = next++) {
        if (Date.now() - started > publishDeadlineMs) throw new Error(`published ${published} notifications in ${publishDeadlineMs / 1000} s: too slow`);
        for (const notification of notifications(idOf(n), n)) {
          await publishNotification(notification);
          published += 1;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: publishers }, publisher));
    } finally {
      next = orders; // the other publishers stop too
    }
    const publishSeconds = (Date.now() - started) / 1000;

    // One more order, the newest: it goes on top once everything before it is drawn.
    const newest = idOf(orders);
    for (const notification of notifications(newest, 0)) await publishNotification(notification);

    const kinds = Array.from({ length: orders }, (_, n) => kindOf(n));
    const count = (kind: Kind) => kinds.filter((k) => k === kind).length;
    const expected = {
      completed: before.completed! + count("completed") + 1,
      failed: before.failed! + count("outOfStock"),
      awaiting: before.awaiting! + count("awaiting"),
    };
    let shown: Record<string, number> = {};
    await pollUntil(
      `the page to count every order (expected ${JSON.stringify(expected)}, it shows ${JSON.stringify(shown)})`,
      async () => {
        shown = await dashboard.counts();
        return shown.completed === expected.completed && shown.failed === expected.failed && shown.awaiting === expected.awaiting;
      },
      { timeoutMs: 120_000 },
    );
    const drainSeconds = (Date.now() - started) / 1000;
    sampling = false;
    await sampler;
    const busyAfter = await metrics();
    const busy = (name: string) => (busyAfter[name]! - busyBefore[name]!).toFixed(1);
    await cdp.detach();

    const cards = await dashboard.page
      .locator("#board article")
      .evaluateAll((all) => all.map((card) => ({ id: card.getAttribute("data-order-id") ?? "", status: card.getAttribute("data-status") })));
    const finishedCards = cards.filter((c) => c.status === "completed" || c.status === "failed");
    const folded = Number(((await dashboard.page.locator("#board-folded").textContent()) ?? "").replace(/\D/g, ""));
    const total = published + typesOf.completed.length;
    const figures =
      `${total} notifications of ${orders + 1} orders published in ${publishSeconds.toFixed(1)} s (${Math.round(published / publishSeconds)}/s), ` +
      `all on the page after ${drainSeconds.toFixed(1)} s; DOM nodes: at most ${Math.max(...nodes)} (${nodes.length} samples, bound ${nodeBound}), ` +
      `${await dashboard.page.evaluate(() => document.getElementsByTagName("*").length)} elements at the end, ${cards.length} cards; ` +
      `round trip into the page: p50 ${percentile(roundTrips, 50).toFixed(0)} ms, p95 ${percentile(roundTrips, 95).toFixed(0)} ms, ` +
      `max ${Math.max(...roundTrips).toFixed(0)} ms; the page's main thread: in tasks ${busy("TaskDuration")} s, ` +
      `on a CPU ${busy("ThreadTime")} s (script ${busy("ScriptDuration")} s, style ${busy("RecalcStyleDuration")} s, ` +
      `layout ${busy("LayoutDuration")} s, other ${busy("TaskOtherDuration")} s, DevTools ${busy("DevToolsCommandDuration")} s)`;
    console.log(`      ${figures}`);

    expect(Math.max(...nodes), "DOM nodes while the notifications came").to.be.below(nodeBound);
    expect(cards[0]?.id, "the newest order on top").to.equal(newest);
    expect(finishedCards, "finished orders shown").to.have.length(finishedShown);
    // The finished ones shown are the newest: among the last orders published (publishers run side by side).
    const oldestShown = Math.min(...finishedCards.map((c) => (c.id.startsWith(`load-${run}-`) ? Number(c.id.slice(-4)) : -1)));
    expect(oldestShown, "the oldest finished order shown").to.be.at.least(orders - finishedShown - 2 * publishers - 10);
    const awaiting = Array.from({ length: orders }, (_, n) => n)
      .filter((n) => kindOf(n) === "awaiting")
      .map(idOf);
    expect(
      awaiting.filter((id) => !cards.some((c) => c.id === id)),
      "open orders not shown",
    ).to.deep.equal([]);
    expect(folded, "the folded orders' count").to.equal(shown.completed! + shown.failed! - finishedShown);
    dashboard.expectNoErrors();
  });
});

/** The page's DOM nodes, elements and text (runs in the page). */
function countNodes(): number {
  const walker = document.createTreeWalker(document, NodeFilter.SHOW_ALL);
  let n = 1;
  while (walker.nextNode()) n += 1;
  return n;
}
