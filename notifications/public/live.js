// The live connection: Socket.IO to notifications, the history on every (re)connection
// and each notification as it comes, drawn together at most every `drawEveryMs`; and
// the connection's state in the top bar.
import { toast, ui } from "./dom.js";

/** @typedef {import("./board.js").Board} Board */
/** @typedef {import("./board.js").OrderEvent} OrderEvent */

/** The Socket.IO client, which /socket.io/socket.io.js (served by this app) defines. */
const io = /** @type {typeof import("socket.io-client").io} */ (/** @type {any} */ (globalThis).io);

/** Live events are drawn together: however many come in a second, the page changes ten times. */
const drawEveryMs = 100;

/**
 * @param {"connecting" | "live" | "reconnecting"} state
 * @param {string} text
 */
function showConnection(state, text) {
  ui.connection.dataset.state = state;
  ui.connection.querySelector(".connection-text")?.replaceChildren(text);
}

/**
 * Connects, and hands the events to `show` (which says how many were new to the
 * page; `synced`: whether the first history has come, until which the board is
 * still loading). `connected` is told at each (re)connection, `caughtUp` after
 * each history.
 * @param {Board} board
 * @param {{ show: (events: unknown[], synced: boolean) => number, connected: () => void, caughtUp: () => void }} handlers
 */
export function connect(board, { show, connected, caughtUp }) {
  let synced = false;
  /** @type {unknown[]} */
  let pending = [];
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let drawTimer;

  const drawPending = () => {
    clearTimeout(drawTimer);
    drawTimer = undefined;
    const events = pending;
    pending = [];
    show(events, synced);
  };

  // The handshake carries the last event id the page has: the server answers with
  // "history", the events after it (all that it keeps, on the first connection).
  const socket = io({ auth: (send) => send({ lastEventId: board.lastId ?? null }) });

  socket.on("connect", () => {
    showConnection("live", "Live");
    connected();
  });
  socket.on("disconnect", (reason) => {
    showConnection("reconnecting", "Reconnecting…");
    if (reason === "io server disconnect") socket.connect(); // the server hung up: Socket.IO leaves reconnecting to us
  });
  socket.on("connect_error", (err) => {
    showConnection("reconnecting", "Reconnecting…");
    // Refused by the server (too many connections from here): Socket.IO does not try
    // again by itself then; the answer says when to.
    const retryAfter = /** @type {{ data?: { retryAfter?: number } }} */ (err).data?.retryAfter;
    if (!socket.active) setTimeout(() => socket.connect(), 1000 * (retryAfter ?? 5));
  });
  socket.io.on("reconnect_attempt", (attempt) => showConnection("reconnecting", `Reconnecting… (${attempt})`));

  socket.on("history", (/** @type {{ events: OrderEvent[], error?: string }} */ reply) => {
    const first = !synced;
    drawPending();
    const missed = show(reply.events, synced);
    synced = true;
    caughtUp();
    document.body.dataset.synced = "true";
    if (reply.error !== undefined) toast(`Showing live events only: ${reply.error}`, "error");
    else if (!first && missed > 0) toast(`Caught up on ${missed} missed event${missed === 1 ? "" : "s"}`, "info");
  });
  socket.on("notification", (/** @type {unknown} */ event) => {
    pending.push(event);
    drawTimer ??= setTimeout(drawPending, drawEveryMs);
  });
}
