// The dashboard's actions as service invocation through this app's own sidecar.
import { invoke, type Sidecar } from "@dapr-orders/service-kit";
import type { Backend, StockItem } from "./api.js";

export function daprBackend(dapr: Sidecar, apps: { orders: string; inventory: string }): Backend {
  return {
    placeOrder: (order, idempotencyKey) =>
      invoke(dapr, apps.orders, "orders", order, "POST", idempotencyKey === undefined ? undefined : { "Idempotency-Key": idempotencyKey }),
    decide: (id, decision) => invoke(dapr, apps.orders, `orders/${encodeURIComponent(id)}/approve`, decision),
    async stock() {
      // A list, or { message, items: [] } when there is no stock at all.
      const answer = await invoke<StockItem[] | { items: StockItem[] }>(dapr, apps.inventory, "api/v1/inventory", undefined, "GET");
      return Array.isArray(answer) ? answer : answer.items;
    },
    // An empty JSON body: without one, the sidecar passes the POST on as text/plain.
    restock: () => invoke(dapr, apps.inventory, "api/v1/inventory/restock", {}),
    clear: () => invoke(dapr, apps.inventory, "api/v1/inventory", undefined, "DELETE"),
  };
}
