// The inventory panel: each item's quantity, read again whenever stock moved, and
// the operator's Restock and Clear.
import { el, messageOf, toast, ui } from "./dom.js";

/** @typedef {import("./api.js").Api} Api */
/** @typedef {import("./operator.js").Operator} Operator */

export class Stock {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #timer;

  /**
   * @param {Api} api
   * @param {Operator} operator
   */
  constructor(api, operator) {
    this.api = api;
    this.operator = operator;
  }

  async load() {
    try {
      this.#draw((await this.api("GET", "/api/inventory")).items);
    } catch (err) {
      ui.stockNote.textContent = `Inventory unavailable: ${messageOf(err)}`;
    }
  }

  /** The store's size under the inventory (used memory, its limit, keys), read every 10 s. */
  watchStoreSize() {
    const load = async () => {
      try {
        const size = await this.api("GET", "/api/store");
        const limit = size.max_memory_bytes > 0 ? ` of ${megabytes(size.max_memory_bytes)}` : "";
        ui.storeSize.textContent = `Store: ${megabytes(size.used_memory_bytes)}${limit}, ${size.keys.toLocaleString("en")} keys`;
      } catch (err) {
        ui.storeSize.textContent = `Store size unavailable: ${messageOf(err)}`;
      }
    };
    void load();
    setInterval(load, 10_000);
  }

  /** Reads the stock again shortly (events say it moved; more may come at once). */
  refreshSoon() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.load(), 300);
  }

  /** The operator's buttons, enabled or not as the operator is signed in. */
  operatorChanged() {
    this.operator.only(ui.restock, false);
    this.operator.only(ui.clearStock, false);
  }

  wire() {
    this.#action(ui.restock, "POST", "/api/inventory/restock", "Inventory restocked", "Could not restock");
    this.#action(ui.clearStock, "DELETE", "/api/inventory", "Inventory cleared", "Could not clear the inventory");
  }

  /** @param {{ name: string, quantity: number }[]} items */
  #draw(items) {
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

  /**
   * One of the inventory's buttons: calls the API, draws the stock it answers, says so.
   * @param {HTMLButtonElement} button
   * @param {string} method
   * @param {string} path
   * @param {string} done
   * @param {string} failed
   */
  #action(button, method, path, done, failed) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        this.#draw((await this.api(method, path)).items);
        toast(done, "success");
      } catch (err) {
        toast(`${failed}: ${messageOf(err)}`, "error");
      } finally {
        this.operator.only(button, false);
      }
    });
  }
}

/** @param {number} bytes */
const megabytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
