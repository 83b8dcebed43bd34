// The dashboard: draws the board (board.js) as events arrive over Socket.IO, and
// sends the page's actions to notifications' /api, which passes them on to the
// apps through Dapr. Each part of the page is a module of its own: the cards
// (cards.js), the raw feed (feed.js), the inventory (stock.js), the operator
// (operator.js), the New order form (order-form.js), the live connection (live.js).
// Text from orders only ever goes in with textContent, never as HTML; the
// Content-Security-Policy forbids inline script as a second guard.
import { createApi } from "./api.js";
import { Board } from "./board.js";
import { Cards } from "./cards.js";
import { drawFeed } from "./feed.js";
import { connect } from "./live.js";
import { Operator } from "./operator.js";
import { wireOrderForm } from "./order-form.js";
import { Stock } from "./stock.js";

/** How many finished orders the board shows (older ones fold away), and how many events the feed. */
const finishedShown = 50;
const feedLength = 200;
/** Changes drawn at once that are still animated (more come under load: those are not). */
const animateAtMost = 5;

const board = new Board({ finishedShown, feedLength });
const operator = new Operator();
const api = createApi(() => {
  if (operator.name === null) return false;
  operator.set(null); // the session ended (expired, or signed out elsewhere)
  return true;
});
const cards = new Cards(board, operator, api);
const stock = new Stock(api, operator);
operator.onChange(() => {
  stock.operatorChanged();
  cards.operatorChanged();
});

/** The order the form placed last, to show its card when it comes. */
/** @type {string | undefined} */
let placedId;

/**
 * Shows the events that the page does not have yet; returns how many that were.
 * @param {unknown[]} events
 * @param {boolean} synced whether the first history has come (until then nothing is animated)
 */
function show(events, synced) {
  const { added, changed, newOrders, folded } = board.add(events);
  if (added.length === 0 && folded.size === 0) return 0;
  cards.draw(changed, newOrders, folded, synced && changed.size <= animateAtMost);
  cards.drawCounts(synced);
  drawFeed(board, feedLength, added, synced ? animateAtMost : 0);
  if (added.some((e) => e.type === "reserved" || e.type === "released")) stock.refreshSoon();
  if (placedId !== undefined && newOrders.has(placedId)) {
    cards.cardOf(placedId)?.scrollIntoView({ block: "nearest", behavior: "smooth" });
    placedId = undefined;
  }
  return added.length;
}

cards.wire();
stock.wire();
stock.watchStoreSize();
operator.wire(api);
wireOrderForm(api, (id) => (placedId = id));
connect(board, {
  show,
  connected: () => void stock.load(), // the stock may have changed while the page was away
  caughtUp: () => cards.drawCounts(true),
});

// Tracing: once the page knows where Zipkin is, every card gets its trace link.
api("GET", "/api/tracing").then(
  (answer) => {
    if (typeof answer.zipkin_url === "string" && /^https?:\/\//.test(answer.zipkin_url)) cards.showTraces(answer.zipkin_url);
  },
  () => {}, // no links, then
);
