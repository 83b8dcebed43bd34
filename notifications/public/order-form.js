// The New order form, and the example orders that fill it in. Anyone may place orders.
import { toast, ui } from "./dom.js";

/** @typedef {import("./api.js").Api} Api */

/** Example orders, one for each path of the workflow (with the default settings). */
const presets = {
  small: { customer: "joni", item: "kiwi", total: "121.50" },
  approval: { customer: "kendall", item: "pear", total: "1500" },
  declined: { customer: "ravi", item: "orange", total: "6200" },
  unshippable: { customer: "nowhere", item: "apple", total: "75" },
  unstocked: { customer: "mona", item: "durian", total: "42" },
};

/**
 * @param {Api} api
 * @param {(id: string) => void} placed told the id of each order the form placed
 */
export function wireOrderForm(api, placed) {
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
      placed(instance_id);
      toast(`Order placed for ${order.customer}`, "success");
    } catch (err) {
      ui.orderError.textContent = err instanceof Error ? err.message : String(err);
    } finally {
      if (submit instanceof HTMLButtonElement) submit.disabled = false;
    }
  });

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
}
