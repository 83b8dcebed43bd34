// The raw feed: every notification as it arrives, newest first, the latest
// `feedLength` of them.
import { compareIds, toneOf } from "./board.js";
import { el, timeElement, ui } from "./dom.js";

/** @typedef {import("./board.js").Board} Board */
/** @typedef {import("./board.js").OrderEvent} OrderEvent */

/** @param {OrderEvent} event */
function feedRow(event) {
  return el("li", { className: `feed-row ${toneOf(event.type)}`, attrs: { "data-event-id": event.id, "data-order-id": event.order_id, "data-seq": String(event.seq) } },
    timeElement(event.time),
    el("code", { className: "order-id", text: event.order_id.slice(0, 8), attrs: { title: event.order_id } }),
    el("span", { className: "message", text: event.message }),
  );
}

/**
 * Draws the events just added. Usually they are newer than any shown: they go on
 * top. Otherwise (a live event came before the history that precedes it) the feed
 * is drawn anew.
 * @param {Board} board
 * @param {number} feedLength
 * @param {OrderEvent[]} added
 * @param {number} animateAtMost rows that arrive together and are still animated
 */
export function drawFeed(board, feedLength, added, animateAtMost) {
  const feed = board.feed(feedLength);
  const kept = new Set(feed.map((e) => e.id));
  const fresh = added.filter((e) => kept.has(e.id));
  if (fresh.length === 0) return;
  const top = ui.feed.firstElementChild?.getAttribute("data-event-id");
  if (top == null || fresh.every((e) => compareIds(e.id, top) > 0)) {
    fresh.sort((a, b) => compareIds(b.id, a.id));
    const rows = fresh.slice(0, feedLength).map(feedRow);
    if (rows.length <= animateAtMost) for (const row of rows) row.classList.add("arrived");
    ui.feed.prepend(...rows);
  } else {
    ui.feed.replaceChildren(...feed.map(feedRow));
  }
  while (ui.feed.childElementCount > feedLength) ui.feed.lastElementChild?.remove();
}
