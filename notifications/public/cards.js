// The board's cards: one per order, newest first, redrawn when its order changes,
// with the operator's Approve and Reject on an order that waits for approval, and a
// link to the order's trace when tracing is on. The filters above them.
import { statusLabels, toneOf } from "./board.js";
import { el, messageOf, money, timeElement, timeOf, toast, ui } from "./dom.js";

/** @typedef {import("./board.js").Board} Board */
/** @typedef {import("./board.js").OrderView} OrderView */
/** @typedef {import("./board.js").Status} Status */
/** @typedef {import("./api.js").Api} Api */
/** @typedef {import("./operator.js").Operator} Operator */

export class Cards {
  /** The cards on the board, by order id. */
  /** @type {Map<string, HTMLElement>} */
  #cards = new Map();
  /** Orders whose Approve or Reject was clicked and not yet answered. */
  /** @type {Set<string>} */
  #deciding = new Set();
  /**
   * Where an order's trace is (the Zipkin UI, from GET /api/tracing); null while
   * unknown, or when tracing is off: the cards then have no trace link.
   * @type {string | null}
   */
  #zipkinUrl = null;

  /**
   * @param {Board} board
   * @param {Operator} operator
   * @param {Api} api
   */
  constructor(board, operator, api) {
    this.board = board;
    this.operator = operator;
    this.api = api;
  }

  /** @param {string} id */
  cardOf(id) {
    return this.#cards.get(id);
  }

  /**
   * Redraws the orders that changed and takes away those folded; a new card goes
   * where its order's age puts it (newest first). Animated: changes glow, new cards arrive.
   * @param {Set<string>} changed
   * @param {Set<string>} added
   * @param {Set<string>} folded
   * @param {boolean} animate
   */
  draw(changed, added, folded, animate) {
    for (const id of folded) {
      this.#cards.get(id)?.remove();
      this.#cards.delete(id);
    }
    const views = this.board.orders();
    for (let i = views.length - 1; i >= 0; i--) {
      const view = /** @type {OrderView} */ (views[i]);
      if (!changed.has(view.id)) continue;
      const fresh = this.#card(view);
      const old = this.#cards.get(view.id);
      this.#cards.set(view.id, fresh);
      if (old !== undefined) {
        old.replaceWith(fresh);
        if (animate) fresh.classList.add("updated");
      } else {
        const older = views[i + 1] === undefined ? null : (this.#cards.get(/** @type {OrderView} */ (views[i + 1]).id) ?? null);
        ui.board.insertBefore(fresh, older);
        if (animate && added.has(view.id)) fresh.classList.add("arrived");
      }
    }
    const hidden = this.board.folded;
    ui.boardFolded.hidden = hidden === 0;
    ui.boardFolded.textContent = `${hidden.toLocaleString()} older finished order${hidden === 1 ? "" : "s"}`;
  }

  /**
   * The filters' counts, and the note for an empty board (once the history has come).
   * @param {boolean} synced
   */
  drawCounts(synced) {
    const counts = this.board.counts();
    for (const button of ui.filters.querySelectorAll("button[data-filter]")) {
      const filter = /** @type {Status | "all"} */ (button.getAttribute("data-filter"));
      const count = button.querySelector(".count");
      if (count !== null) count.textContent = String(counts[filter] ?? 0);
    }
    ui.boardEmpty.hidden = counts.all > 0 || !synced;
  }

  /**
   * Once the page knows where Zipkin is, every card gets its trace link.
   * @param {string} url
   */
  showTraces(url) {
    this.#zipkinUrl = url;
    this.draw(new Set(this.board.orders().map((view) => view.id)), new Set(), new Set(), false);
  }

  /** The operator's buttons on the cards, enabled or not as the operator is signed in. */
  operatorChanged() {
    for (const button of ui.board.querySelectorAll("button[data-decision]")) {
      const id = button.closest("article[data-order-id]")?.getAttribute("data-order-id");
      this.operator.only(/** @type {HTMLButtonElement} */ (button), id != null && this.#deciding.has(id));
    }
  }

  /** The filters, and Approve and Reject on the cards. */
  wire() {
    ui.filters.addEventListener("click", (e) => {
      const button = e.target instanceof Element ? e.target.closest("button[data-filter]") : null;
      if (button === null) return;
      ui.board.dataset.filter = button.getAttribute("data-filter") ?? "all";
      for (const other of ui.filters.querySelectorAll("button[data-filter]")) {
        other.setAttribute("aria-pressed", String(other === button));
      }
    });

    ui.board.addEventListener("click", async (e) => {
      const button = e.target instanceof Element ? e.target.closest("button[data-decision]") : null;
      const article = button?.closest("article[data-order-id]");
      const id = article?.getAttribute("data-order-id");
      if (button == null || id == null || this.operator.name === null) return;
      const approved = button.getAttribute("data-decision") === "approve";
      this.#deciding.add(id);
      for (const b of article?.querySelectorAll("button[data-decision]") ?? []) /** @type {HTMLButtonElement} */ (b).disabled = true;
      try {
        // The approver is the signed-in operator: notifications takes the name from the session.
        await this.api("POST", `/api/orders/${encodeURIComponent(id)}/approve`, { approved });
      } catch (err) {
        toast(`Could not ${approved ? "approve" : "reject"} the order: ${messageOf(err)}`, "error");
      } finally {
        this.#deciding.delete(id);
        for (const b of this.cardOf(id)?.querySelectorAll("button[data-decision]") ?? []) {
          this.operator.only(/** @type {HTMLButtonElement} */ (b), false);
        }
      }
    });
  }

  /** @param {OrderView} view */
  #card(view) {
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
      for (const button of [approve, reject]) this.operator.only(button, this.#deciding.has(view.id));
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
        this.#traceLink(view),
      ),
    );
    return article;
  }

  /**
   * A link to the order's trace in Zipkin, or "" when there is none to show.
   * @param {OrderView} view
   */
  #traceLink(view) {
    if (this.#zipkinUrl === null || view.traceId === undefined) return "";
    const href = `${this.#zipkinUrl}/zipkin/traces/${view.traceId}`;
    return el("a", { className: "trace-link", text: "trace", attrs: { href, target: "_blank", rel: "noopener noreferrer", title: `This order's trace in Zipkin (${view.traceId})` } });
  }
}
