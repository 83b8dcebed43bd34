// What the chaos and upgrade tests do as clients of the release: orders through
// order-processor's Service (kube-proxy spreads them over its replicas), the operator's
// restock and approvals through the dashboard's API, each payment read at payments with the
// token its sidecar sends. The calls and the audit are e2e-tests' load-client.
// Every loop is bounded in count and time.
import { expect } from "chai";
import {
  call,
  follow as followAt,
  orderView as orderViewAt,
  paymentStatusOf,
  place as placeAt,
  eachLimited,
  stockOf,
  sleep,
  terminal,
  type OrderView,
  type PlacedOrder,
} from "@dapr-orders/e2e-tests/load-client";
import { tokenVariable } from "@dapr-orders/local-stack";
import { appUrls, credentialsEnv, upgradeApps } from "./kube.js";

export interface Client {
  urls: Record<string, string>;
  operator: Record<string, string>;
  paymentsSidecar: Record<string, string>;
}

/**
 * The release's settings for load (an upgrade that changes only these): a restock larger
 * than the tests' orders take, and an approval timeout that outlasts an upgrade. Idempotent:
 * the same values again change no pod.
 */
export async function loadSettings(): Promise<Client> {
  await upgradeApps(["apps.inventory.env.RESTOCK_QUANTITY=3000", "apps.order-processor.env.APPROVAL_TIMEOUT_SECONDS=900"]);
  const env = await credentialsEnv();
  return {
    urls: await appUrls(),
    operator: { authorization: `Bearer ${env.OPERATOR_TOKEN}` },
    paymentsSidecar: { "dapr-api-token": env[tokenVariable("payments", "APP_API_TOKEN")]! },
  };
}

export const place = (client: Client, order: PlacedOrder, answerTimeoutMs: number) =>
  placeAt(order, () => [client.urls["order-processor"]!], { answerTimeoutMs, errorWaitMs: 1000 });

export const follow = (client: Client, order: PlacedOrder, ms: number) => followAt(order, () => [client.urls["order-processor"]!], ms, 250);

export const orderView = (client: Client, id: string): Promise<OrderView> => orderViewAt(client.urls["order-processor"]!, id);

export async function stock(client: Client): Promise<Record<string, number>> {
  return stockOf(await call("GET", `${client.urls.inventory}/api/v1/inventory`));
}

export async function restock(client: Client): Promise<void> {
  const res = await call("POST", `${client.urls.notifications}/api/inventory/restock`, {}, client.operator);
  expect(res.status, `restock answered ${JSON.stringify(res.body)}`).to.equal(200);
}

/** payments' record of each order, by id. */
export async function paymentsOf(client: Client, orders: PlacedOrder[]): Promise<Map<string, string>> {
  const payments = new Map<string, string>();
  await eachLimited(orders, 8, async (o) => {
    const answer = await call("GET", `${client.urls.payments}/api/v1/payments/${encodeURIComponent(o.id!)}`, undefined, client.paymentsSidecar);
    payments.set(o.id!, paymentStatusOf(answer));
  });
  return payments;
}

/** Approves the order as the operator does, asking again while no answer comes; stops when it ended anyway. */
export async function approve(client: Client, order: PlacedOrder, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const url = `${client.urls.notifications}/api/orders/${encodeURIComponent(order.id!)}/approve`;
  while (Date.now() < deadline) {
    try {
      const res = await call("POST", url, { approved: true }, client.operator);
      if (res.status === 200) return true;
      if (res.status === 409 && terminal.has((await orderView(client, order.id!)).status)) return false;
    } catch {
      // no answer: ask again
    }
    await sleep(500);
  }
  return false;
}
