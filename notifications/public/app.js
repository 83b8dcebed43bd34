// The dashboard: draws the board (board.js) as events arrive over Socket.IO, and
// sends the page's actions to notifications' /api, which passes them on to the
// apps through Dapr. Anyone may place orders; approving, rejecting, restocking and
// clearing need the operator, who signs in with the operator token (the login URL
// notifications prints carries it in its #fragment) and a name: the session is an
// HttpOnly cookie the page never sees, and approvals carry the session's name. Text
// from orders only ever goes in with textContent, never as HTML; the
// Content-Security-Policy forbids inline script as a second guard.
import { Board, compareIds, statusLabels, toneOf } from "./board.js";

/** @typedef {import("./board.js").OrderEvent} OrderEvent */
/** @typedef {import("./board.js").OrderView} OrderView */
/** @typedef {import("./board.js").Status} Status */

/** The Socket.IO client, which /socket.io/socket.io.js (served by this app) defines. */
const io = /** @type {typeof import("socket.io-client").io} */ (/** @type {any} */ (globalThis).io);

/** How many finished orders the board shows (older ones fold away), and how many events the feed. */
const finishedShown = 50;
const feedLength = 200;
const board = new Board({ finishedShown, feedLength });
/** Changes drawn at once that are still animated (more come under load: those are not). */
const animateAtMost = 5;
/** Whether the first history has come: until then the board is still loading. */
let synced = false;

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the page has no #${id}`);
  return element;
}

const ui = {
  connection: byId("connection", HTMLElement),
  board: byId("board", HTMLElement),
  boardFolded: byId("board-folded", HTMLElement),
  boardEmpty: byId("board-empty", HTMLElement),
  filters: byId("filters", HTMLElement),
  feed: byId("feed", HTMLOListElement),
  signIn: byId("sign-in", HTMLFormElement),
  operatorName: byId("operator-name", HTMLInputElement),
  operatorToken: byId("operator-token", HTMLInputElement),
  signedIn: byId("signed-in", HTMLElement),
  operatorWho: byId("operator-who", HTMLElement),
  signOut: byId("sign-out", HTMLButtonElement),
  orderForm: byId("order-form", HTMLFormElement),
  orderError: byId("order-error", HTMLElement),
  presets: byId("presets", HTMLElement),
  stock: byId("stock", HTMLUListElement),
  stockNote: byId("stock-note", HTMLElement),
  restock: byId("restock", HTMLButtonElement),
  clearStock: byId("clear-stock", HTMLButtonElement),
  items: byId("items", HTMLDataListElement),
  toasts: byId("toasts", HTMLElement),
};

/**
 * An element with a class and text (always as text, never parsed as HTML), and children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {{ className?: string, text?: string, attrs?: Record<string, string> }} [options]
 * @param {(Node | string)[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
function el(tag, { className, text, attrs } = {}, ...children) {
  const element = document.createElement(tag);
  if (className !== undefined) element.className = className;
  if (text !== undefined) element.textContent = text;
  for (const [name, value] of Object.entries(attrs ?? {})) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** @param {string} iso */
const timeOf = (iso) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : clock.format(date);
};

/** @param {string} iso */
function timeElement(iso) {
  return el("time", { text: timeOf(iso), attrs: { datetime: iso } });
}

// ---- the board ------------------------------------------------------------------

/** Orders whose Approve or Reject was clicked and not yet answered. */
const deciding = new Set();

/** The signed-in operator's name; null when nobody is signed in (the actions are then disabled). */
/** @type {string | null} */
let operator = null;
const signInFirst = "Sign in as the operator to do this";

/** @param {OrderView} view */
function card(view) {
  const article = el("article", {
    className: "order",
    attrs: { "data-order-id": view.id, "data-status": view.status, "aria-label": `Order ${view.id}` },
  });

  const title = el("div", { className: "order-title" },
    el("h3", { className: "customer", text: view.customer ?? "Unknown customer" }),
    el("p", { className: "order-what" },
      el("span", { className: "item", text: view.item ?? "?" }),
      el("span", { className: "total", text: view.total === undefined ? "" : money.format(view.total) }),
    ),
  );
  const badge = el("span", { className: `badge ${view.status}`, text: statusLabels[view.status], attrs: { "data-status": view.status } });
  article.append(el("header", { className: "order-head" }, title, badge));

  const steps = el("ol", { className: "steps", attrs: { "aria-label": "Steps" } });
  for (const step of view.steps) {
    steps.append(el("li", { className: `step ${step.state}`, text: step.label, attrs: { "data-step": step.key, title: `${step.label}: ${step.state}` } }));
  }
  article.append(steps);

  if (view.status === "awaiting") {
    const approve = el("button", { className: "button approve", text: "Approve", attrs: { type: "button", "data-decision": "approve" } });
    const reject = el("button", { className: "button reject", text: "Reject", attrs: { type: "button", "data-decision": "reject" } });
    for (const button of [approve, reject]) operatorOnly(button, deciding.has(view.id));
    const deadline = view.deadline === undefined ? "" : `Decide by ${timeOf(view.deadline)}`;
    article.append(
      el("div", { className: "decision" },
        el("div", {}, el("p", { className: "deadline", text: deadline }), el("p", { className: "decision-hint", text: "Sign in as the operator to decide" })),
        el("div", { className: "decision-buttons" }, reject, approve),
      ),
    );
  } else if (view.status === "failed" && view.reason !== undefined) {
    article.append(el("p", { className: "reason", text: view.reason }));
  }

  const timeline = el("ol", { className: "timeline", attrs: { "aria-label": "Events" } });
  for (const event of view.events) {
    timeline.append(
      el("li", { className: `event ${toneOf(event.type)}`, attrs: { "data-event-id": event.id, "data-seq": String(event.seq), "data-type": event.type } },
        timeElement(event.time),
        el("span", { className: "message", text: event.message }),
      ),
    );
  }
  article.append(timeline);

  const started = view.events[0];
  const decision = view.decision === undefined ? "" : `${view.decision.approved ? "approved" : "rejected"} by ${view.decision.approver}`;
  article.append(
    el("footer", { className: "order-foot" },
      el("code", { className: "order-id", text: view.id.slice(0, 8), attrs: { title: view.id } }),
      started === undefined ? "" : el("span", { text: `started ${timeOf(started.time)}` }),
      decision === "" ? "" : el("span", { className: "decided", text: decision }),
      traceLink(view),
    ),
  );
  return article;
}

/**
 * Where an order's trace is (the Zipkin UI, from GET /api/tracing); null while
 * unknown, or when tracing is off: the cards then have no trace link.
 * @type {string | null}
 */
let zipkinUrl = null;

/**
 * A link to the order's trace in Zipkin, or "" when there is none to show.
 * @param {OrderView} view
 */
function traceLink(view) {
  if (zipkinUrl === null || view.traceId === undefined) return "";
  const href = `${zipkinUrl}/zipkin/traces/${view.traceId}`;
  return el("a", { className: "trace-link", text: "trace", attrs: { href, target: "_blank", rel: "noopener noreferrer", title: `This order's trace in Zipkin (${view.traceId})` } });
}

/** The cards on the board, by order id. */
/** @type {Map<string, HTMLElement>} */
const cards = new Map();

/** @param {string} id */
function cardOf(id) {
  return cards.get(id);
}

/**
 * Redraws the orders that changed and takes away those folded; a new card goes
 * where its order's age puts it (newest first).
 * @param {Set<string>} changed
 * @param {Set<string>} added
 * @param {Set<string>} folded
 */
function drawOrders(changed, added, folded) {
  for (const id of folded) {
    cards.get(id)?.remove();
    cards.delete(id);
  }
  // A few changes are shown with a glow; many at once (under load) are not animated.
  const animate = synced && changed.size <= animateAtMost;
  const views = board.orders();
  for (let i = views.length - 1; i >= 0; i--) {
    const view = /** @type {OrderView} */ (views[i]);
    if (!changed.has(view.id)) continue;
    const fresh = card(view);
    const old = cards.get(view.id);
    cards.set(view.id, fresh);
    if (old !== undefined) {
      old.replaceWith(fresh);
      if (animate) fresh.classList.add("updated");
    } else {
      const older = views[i + 1] === undefined ? null : (cards.get(/** @type {OrderView} */ (views[i + 1]).id) ?? null);
      ui.board.insertBefore(fresh, older);
      if (animate && added.has(view.id)) fresh.classList.add("arrived");
    }
  }
  const hidden = board.folded;
  ui.boardFolded.hidden = hidden === 0;
  ui.boardFolded.textContent = `${hidden.toLocaleString()} older finished order${hidden === 1 ? "" : "s"}`;
  drawCounts();
}

function drawCounts() {
  const counts = board.counts();
  for (const button of ui.filters.querySelectorAll("button[data-filter]")) {
    const filter = /** @type {Status | "all"} */ (button.getAttribute("data-filter"));
    const count = button.querySelector(".count");
    if (count !== null) count.textContent = String(counts[filter] ?? 0);
  }
  ui.boardEmpty.hidden = counts.all > 0 || !synced;
}

ui.filters.addEventListener("click", (e) => {
  const button = e.target instanceof Element ? e.target.closest("button[data-filter]") : null;
  if (button === null) return;
  const filter = button.getAttribute("data-filter") ?? "all";
  ui.board.dataset.filter = filter;
  for (const other of ui.filters.querySelectorAll("button[data-filter]")) {
    other.setAttribute("aria-pressed", String(other === button));
  }
});

// ---- the raw feed -----------------------------------------------------------------

/** @param {OrderEvent} event */
function feedRow(event) {
  return el("li", { className: `feed-row ${toneOf(event.type)}`, attrs: { "data-event-id": event.id, "data-order-id": event.order_id, "data-seq": String(event.seq) } },
    timeElement(event.time),
    el("code", { className: "order-id", text: event.order_id.slice(0, 8), attrs: { title: event.order_id } }),
    el("span", { className: "message", text: event.message }),
  );
}

/** @param {OrderEvent[]} added */
function drawFeed(added) {
  // Usually the new events are newer than any shown: they go on top. Otherwise (a
  // live event came before the history that precedes it) the feed is drawn anew.
  const feed = board.feed(feedLength);
  const kept = new Set(feed.map((e) => e.id));
  const fresh = added.filter((e) => kept.has(e.id));
  if (fresh.length === 0) return;
  const top = ui.feed.firstElementChild?.getAttribute("data-event-id");
  if (top == null || fresh.every((e) => compareIds(e.id, top) > 0)) {
    fresh.sort((a, b) => compareIds(b.id, a.id));
    const rows = fresh.slice(0, feedLength).map(feedRow);
    if (synced && rows.length <= animateAtMost) for (const row of rows) row.classList.add("arrived");
    ui.feed.prepend(...rows);
  } else {
    ui.feed.replaceChildren(...feed.map(feedRow));
  }
  while (ui.feed.childElementCount > feedLength) ui.feed.lastElementChild?.remove();
}

// ---- events in --------------------------------------------------------------------

/**
 * Shows the events that the page does not have yet; returns how many that were.
 * @param {unknown[]} events
 */
function take(events) {
  const { added, changed, newOrders, folded } = board.add(events);
  if (added.length === 0 && folded.size === 0) return 0;
  drawOrders(changed, newOrders, folded);
  drawFeed(added);
  if (added.some((e) => e.type === "reserved" || e.type === "released")) refreshStockSoon();
  if (placedId !== undefined && newOrders.has(placedId)) {
    cardOf(placedId)?.scrollIntoView({ block: "nearest", behavior: "smooth" });
    placedId = undefined;
  }
  return added.length;
}

// Live events are drawn together, at most every `drawEveryMs`: however many come
// in a second, the page changes ten times.
const drawEveryMs = 100;
/** @type {unknown[]} */
let pending = [];
/** @type {ReturnType<typeof setTimeout> | undefined} */
let drawTimer;

function drawPending() {
  clearTimeout(drawTimer);
  drawTimer = undefined;
  const events = pending;
  pending = [];
  take(events);
}

/** @param {unknown} event */
function receive(event) {
  pending.push(event);
  drawTimer ??= setTimeout(drawPending, drawEveryMs);
}

/**
 * @param {"connecting" | "live" | "reconnecting"} state
 * @param {string} text
 */
function showConnection(state, text) {
  ui.connection.dataset.state = state;
  ui.connection.querySelector(".connection-text")?.replaceChildren(text);
}

// The handshake carries the last event id the page has: the server answers with
// "history", the events after it (all that it keeps, on the first connection).
const socket = io({ auth: (send) => send({ lastEventId: board.lastId ?? null }) });

socket.on("connect", () => {
  showConnection("live", "Live");
  void loadStock(); // it may have changed while the page was away
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
  const missed = take(reply.events);
  synced = true;
  drawCounts();
  document.body.dataset.synced = "true";
  if (reply.error !== undefined) toast(`Showing live events only: ${reply.error}`, "error");
  else if (!first && missed > 0) toast(`Caught up on ${missed} missed event${missed === 1 ? "" : "s"}`, "info");
});
socket.on("notification", receive);

// ---- actions ----------------------------------------------------------------------

/**
 * Calls notifications' API; throws an Error with the message it answered.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {Record<string, string>} [headers]
 */
async function api(method, path, body, headers = {}) {
  /** @type {Response} */
  let res;
  try {
    // Every POST is JSON, an empty object when there is nothing to say (the API refuses anything else).
    const json = method === "GET" ? undefined : JSON.stringify(body ?? {});
    res = await fetch(path, {
      method,
      headers: json === undefined ? headers : { ...headers, "content-type": "application/json" },
      body: json,
    });
  } catch {
    throw new Error("notifications cannot be reached");
  }
  const answer = await res.json().catch(() => ({}));
  if (res.status === 401 && operator !== null && !path.startsWith("/api/session")) {
    setOperator(null); // the session ended (expired, or signed out elsewhere)
    throw new Error("your operator session has ended: sign in again");
  }
  if (!res.ok) throw new Error(answer.error ?? `${res.status} ${res.statusText}`);
  return answer;
}

/**
 * @param {string} text
 * @param {"info" | "success" | "error"} kind
 */
function toast(text, kind) {
  const note = el("div", { className: `toast ${kind}`, text, attrs: { role: kind === "error" ? "alert" : "status" } });
  ui.toasts.append(note);
  setTimeout(() => note.classList.add("leaving"), 5000);
  setTimeout(() => note.remove(), 5600);
}

/** The order the form placed last, to show its card when it comes. */
/** @type {string | undefined} */
let placedId;

/**
 * The order the form is placing, with its Idempotency-Key: sending the same order again
 * after an error (a timeout, a 503) reuses the key, so it is placed once whatever happened.
 * @type {{ order: string, key: string } | undefined}
 */
let placing;

ui.orderForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const data = new FormData(ui.orderForm);
  const order = { customer: String(data.get("customer") ?? ""), item: String(data.get("item") ?? ""), total: Number(data.get("total")) };
  const submit = ui.orderForm.querySelector("button[type=submit]");
  if (submit instanceof HTMLButtonElement) submit.disabled = true;
  ui.orderError.textContent = "";
  try {
    const json = JSON.stringify(order);
    const attempt = placing?.order === json ? placing : { order: json, key: crypto.randomUUID() };
    placing = attempt;
    const { instance_id } = await api("POST", "/api/orders", order, { "Idempotency-Key": attempt.key });
    placing = undefined;
    placedId = instance_id;
    toast(`Order placed for ${order.customer}`, "success");
  } catch (err) {
    ui.orderError.textContent = err instanceof Error ? err.message : String(err);
  } finally {
    if (submit instanceof HTMLButtonElement) submit.disabled = false;
  }
});

/** Example orders, one for each path of the workflow (with the default settings). */
const presets = {
  small: { customer: "joni", item: "kiwi", total: "121.50" },
  approval: { customer: "kendall", item: "pear", total: "1500" },
  declined: { customer: "ravi", item: "orange", total: "6200" },
  unshippable: { customer: "nowhere", item: "apple", total: "75" },
  unstocked: { customer: "mona", item: "durian", total: "42" },
};

ui.presets.addEventListener("click", (e) => {
  const button = e.target instanceof Element ? e.target.closest("button[data-preset]") : null;
  const preset = presets[/** @type {keyof typeof presets} */ (button?.getAttribute("data-preset"))];
  if (preset === undefined) return;
  for (const [name, value] of Object.entries(preset)) {
    const field = ui.orderForm.elements.namedItem(name);
    if (field instanceof HTMLInputElement) field.value = value;
  }
  ui.orderError.textContent = "";
});

ui.board.addEventListener("click", async (e) => {
  const button = e.target instanceof Element ? e.target.closest("button[data-decision]") : null;
  const article = button?.closest("article[data-order-id]");
  const id = article?.getAttribute("data-order-id");
  if (button == null || id == null || operator === null) return;
  const approved = button.getAttribute("data-decision") === "approve";
  deciding.add(id);
  for (const b of article?.querySelectorAll("button[data-decision]") ?? []) /** @type {HTMLButtonElement} */ (b).disabled = true;
  try {
    // The approver is the signed-in operator: notifications takes the name from the session.
    await api("POST", `/api/orders/${encodeURIComponent(id)}/approve`, { approved });
  } catch (err) {
    toast(`Could not ${approved ? "approve" : "reject"} the order: ${err instanceof Error ? err.message : String(err)}`, "error");
  } finally {
    deciding.delete(id);
    for (const b of cardOf(id)?.querySelectorAll("button[data-decision]") ?? []) operatorOnly(/** @type {HTMLButtonElement} */ (b), false);
  }
});

// ---- the operator ------------------------------------------------------------------

/**
 * Enables a button of the operator's when someone is signed in (and it is not `busy`);
 * otherwise disables it and says why.
 * @param {HTMLButtonElement} button
 * @param {boolean} busy
 */
function operatorOnly(button, busy) {
  button.disabled = busy || operator === null;
  if (operator === null) {
    button.title = signInFirst;
    button.dataset.reason = "signed-out";
  } else {
    button.removeAttribute("title");
    delete button.dataset.reason;
  }
}

/**
 * Shows who is signed in (or the sign-in form), and enables the operator's buttons or not.
 * @param {string | null} name
 */
function setOperator(name) {
  operator = name;
  document.body.dataset.operator = name === null ? "signed-out" : "signed-in";
  ui.signIn.hidden = name !== null;
  ui.signedIn.hidden = name === null;
  ui.operatorWho.textContent = name ?? "";
  operatorOnly(ui.restock, false);
  operatorOnly(ui.clearStock, false);
  for (const button of ui.board.querySelectorAll("button[data-decision]")) {
    const id = button.closest("article[data-order-id]")?.getAttribute("data-order-id");
    operatorOnly(/** @type {HTMLButtonElement} */ (button), id != null && deciding.has(id));
  }
}

// The login URL carries the token in its fragment (never sent to a server): take it
// into the form, and out of the address bar and the history.
const fromUrl = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromUrl !== null) {
  ui.operatorToken.value = fromUrl;
  history.replaceState(null, "", location.pathname + location.search);
}
ui.operatorName.value = localStorage.getItem("operator-name") ?? "";

ui.signIn.addEventListener("submit", async (e) => {
  e.preventDefault();
  const name = ui.operatorName.value.trim();
  try {
    const answer = await api("POST", "/api/session", { token: ui.operatorToken.value, name });
    localStorage.setItem("operator-name", name);
    ui.operatorToken.value = "";
    setOperator(answer.operator);
    toast(`Signed in as ${answer.operator}`, "success");
  } catch (err) {
    toast(`Could not sign in: ${err instanceof Error ? err.message : String(err)}`, "error");
  }
});

ui.signOut.addEventListener("click", async () => {
  await api("DELETE", "/api/session").catch(() => {}); // signed out here whatever it answers
  setOperator(null);
});

// Tracing: once the page knows where Zipkin is, every card gets its trace link.
api("GET", "/api/tracing").then(
  (answer) => {
    zipkinUrl = typeof answer.zipkin_url === "string" && /^https?:\/\//.test(answer.zipkin_url) ? answer.zipkin_url : null;
    if (zipkinUrl !== null) drawOrders(new Set(board.orders().map((view) => view.id)), new Set(), new Set());
  },
  () => {}, // no links, then
);

setOperator(null);
api("GET", "/api/session").then(
  (answer) => setOperator(answer.operator),
  () => setOperator(null),
);

// ---- inventory --------------------------------------------------------------------

/** @param {{ name: string, quantity: number }[]} items */
function drawStock(items) {
  const most = Math.max(100, ...items.map((i) => i.quantity));
  ui.stock.replaceChildren(
    ...items.map((item) => {
      const bar = el("span", { className: "stock-bar" }, el("span", { className: "stock-fill" }));
      /** @type {HTMLElement} */ (bar.firstElementChild).style.width = `${(100 * item.quantity) / most}%`;
      return el("li", { className: item.quantity === 0 ? "stock-row empty" : "stock-row", attrs: { "data-item": item.name } },
        el("span", { className: "stock-name", text: item.name }),
        bar,
        el("span", { className: "stock-quantity", text: String(item.quantity) }),
      );
    }),
  );
  ui.items.replaceChildren(...items.map((item) => el("option", { attrs: { value: item.name } })));
  ui.stockNote.textContent = items.length === 0 ? "No stock: every order will fail to reserve. Restock to fill it." : "";
}

/** @param {number} bytes */
const megabytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The store's size under the inventory, every 10 s: used memory, its limit, keys. */
async function loadStoreSize() {
  const note = /** @type {HTMLElement} */ (document.getElementById("store-size"));
  try {
    const size = await api("GET", "/api/store");
    const limit = size.max_memory_bytes > 0 ? ` of ${megabytes(size.max_memory_bytes)}` : "";
    note.textContent = `Store: ${megabytes(size.used_memory_bytes)}${limit}, ${size.keys.toLocaleString("en")} keys`;
  } catch (err) {
    note.textContent = `Store size unavailable: ${err instanceof Error ? err.message : String(err)}`;
  }
}
void loadStoreSize();
setInterval(loadStoreSize, 10_000);

async function loadStock() {
  try {
    drawStock((await api("GET", "/api/inventory")).items);
  } catch (err) {
    ui.stockNote.textContent = `Inventory unavailable: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let stockTimer;
function refreshStockSoon() {
  clearTimeout(stockTimer);
  stockTimer = setTimeout(loadStock, 300);
}

/**
 * One of the inventory's buttons: calls the API, draws the stock it answers, says so.
 * @param {HTMLButtonElement} button
 * @param {string} method
 * @param {string} path
 * @param {string} done
 * @param {string} failed
 */
function stockAction(button, method, path, done, failed) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      drawStock((await api(method, path)).items);
      toast(done, "success");
    } catch (err) {
      toast(`${failed}: ${err instanceof Error ? err.message : String(err)}`, "error");
    } finally {
      operatorOnly(button, false);
    }
  });
}
stockAction(ui.restock, "POST", "/api/inventory/restock", "Inventory restocked", "Could not restock");
stockAction(ui.clearStock, "DELETE", "/api/inventory", "Inventory cleared", "Could not clear the inventory");

