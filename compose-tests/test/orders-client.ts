// What the chaos and replica tests do as clients of the compose stack: place orders
// with an Idempotency-Key (asking again after an error, bounded), follow them to
// their end, read the stock, on the ports the stack publishes. The HTTP calls and the
// audit they share with the local stack's failover suite are e2e-tests' load-client.
// Loopback only; every loop is bounded in count and time.
import { call, follow as followAt, orderView as orderViewAt, place as placeAt, stockOf, type OrderView, type PlacedOrder } from "@dapr-orders/e2e-tests/load-client";

export {
  auditKill,
  AuditTable,
  call,
  eachLimited,
  items,
  paymentStatusOf,
  printNotCompleted,
  settle,
  sleep,
  terminal,
  type Answer,
  type OrderView,
  type PlacedOrder,
} from "@dapr-orders/e2e-tests/load-client";

export const urls = {
  orders: "http://127.0.0.1:3000",
  notifications: "http://127.0.0.1:3001",
  inventory: "http://127.0.0.1:3002",
  payments: "http://127.0.0.1:3003",
};

/** POST /orders with the order's Idempotency-Key until an answer comes, for at most `answerTimeoutMs`. */
export function place(order: PlacedOrder, answerTimeoutMs: number): Promise<void> {
  return placeAt(order, () => [urls.orders], { answerTimeoutMs, errorWaitMs: 1000 });
}

/** Watches the order until it ends, at most `ms`: a client places one order at a time. */
export function follow(order: PlacedOrder, ms: number): Promise<void> {
  return followAt(order, () => [urls.orders], ms, 250);
}

export function orderView(id: string): Promise<OrderView> {
  return orderViewAt(urls.orders, id);
}

/** GET /api/v1/inventory as {item: quantity}. */
export async function stock(): Promise<Record<string, number>> {
  return stockOf(await call("GET", `${urls.inventory}/api/v1/inventory`));
}
