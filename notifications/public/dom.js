// The page's elements, and what every part of the page draws with: elements made
// with their text as text (never parsed as HTML), times, amounts, toasts.

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

/** The elements of index.html that the scripts use. */
export const ui = {
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
  storeSize: byId("store-size", HTMLElement),
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
export function el(tag, { className, text, attrs } = {}, ...children) {
  const element = document.createElement(tag);
  if (className !== undefined) element.className = className;
  if (text !== undefined) element.textContent = text;
  for (const [name, value] of Object.entries(attrs ?? {})) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
export const money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** @param {string} iso */
export const timeOf = (iso) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : clock.format(date);
};

/** @param {string} iso */
export function timeElement(iso) {
  return el("time", { text: timeOf(iso), attrs: { datetime: iso } });
}

/** @param {unknown} err */
export const messageOf = (err) => (err instanceof Error ? err.message : String(err));

/**
 * A note in the corner that goes away by itself.
 * @param {string} text
 * @param {"info" | "success" | "error"} kind
 */
export function toast(text, kind) {
  const note = el("div", { className: `toast ${kind}`, text, attrs: { role: kind === "error" ? "alert" : "status" } });
  ui.toasts.append(note);
  setTimeout(() => note.classList.add("leaving"), 5000);
  setTimeout(() => note.remove(), 5600);
}
