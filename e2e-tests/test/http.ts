// What the end-to-end tests do with the running apps over HTTP (service-kit's `call`):
// place and read orders, sign in as an operator, approve, restock; and wait for an
// order's workflow to finish (`pollUntil`).
import { expect } from "chai";
import { call, type HttpAnswer } from "@dapr-orders/service-kit/http-client";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { credentials, urls } from "./target.js";

export interface NewOrder {
  customer: string;
  item: string;
  total: number;
}

/** What GET /orders/:id answers. */
export interface OrderView {
  id: string;
  details: NewOrder & { id: string };
  status: string;
  created_time: string;
  last_updated_time: string;
  order_result?: { id: string; success: boolean; message: string };
  failure_details?: { message: string; error_type: string };
  awaiting_approval: boolean;
  /** True while the order undoes what it did (release, refund, cancel the shipment). */
  compensating: boolean;
}

/** POST /orders; returns the instance id and the Location header. */
export async function placeOrder(order: NewOrder): Promise<{ id: string; location: string | null }> {
  const res = await call("POST", `${urls.orders}/orders`, { json: order });
  expect(res.status, `POST /orders answered ${JSON.stringify(res.body)}`).to.equal(202);
  expect(res.body.instance_id).to.be.a("string").and.not.empty;
  return { id: res.body.instance_id, location: res.headers.get("location") };
}

export async function getOrder(id: string): Promise<OrderView> {
  const res = await call("GET", `${urls.orders}/orders/${id}`);
  expect(res.status, `GET /orders/${id} answered ${JSON.stringify(res.body)}`).to.equal(200);
  return res.body as OrderView;
}

const finished = new Set(["COMPLETED", "FAILED", "TERMINATED"]);

/** Polls the order until its workflow has finished. */
export async function waitUntilFinished(id: string, timeoutMs = 90_000): Promise<OrderView> {
  let view: OrderView | undefined;
  await pollUntil(
    `order ${id} to finish`,
    async () => {
      view = await getOrder(id);
      return finished.has(view.status);
    },
    { timeoutMs: timeoutMs },
  );
  return view!;
}

/** Operators' session cookies, by name: one sign-in each. */
const sessions = new Map<string, Promise<string>>();

/** Signs in on the dashboard as the operator named `name`, as the page does; the Cookie header of the session. */
export function operatorSession(name: string): Promise<string> {
  let cookie = sessions.get(name);
  if (cookie === undefined) {
    cookie = signIn(name);
    sessions.set(name, cookie);
  }
  return cookie;
}

async function signIn(name: string): Promise<string> {
  const res = await call("POST", `${urls.notifications}/api/session`, { json: { token: credentials.operatorToken, name } });
  expect(res.status, `signing in as ${name}: ${JSON.stringify(res.body)}`).to.equal(200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("operator_session="));
  expect(cookie, "the session cookie").to.be.a("string");
  return cookie!.split(";")[0]!;
}

/** What an API client sends to act as the operator (as OPERATOR_NAME, "operator" here). */
export const asOperator = () => ({ authorization: `Bearer ${credentials.operatorToken}` });

/** The header the app's sidecar sends it: to call the app's sidecar-only routes as its sidecar does. */
export const asSidecarOf = (appId: string) => ({ "dapr-api-token": credentials.tokens(appId).appApiToken });

/** Approves or rejects the order as the dashboard does: signed in as the operator named `approver`. */
export async function approve(id: string, approver: string, approved: boolean): Promise<HttpAnswer> {
  const cookie = await operatorSession(approver);
  return call("POST", `${urls.notifications}/api/orders/${id}/approve`, { json: { approved }, headers: { cookie } });
}

/** Every item's quantity, by name, as the inventory lists it (open to anyone). */
export async function stock(): Promise<Record<string, number>> {
  const res = await call("GET", `${urls.inventory}/api/v1/inventory`);
  expect(res.status).to.equal(200);
  const items: { name: string; quantity: number }[] = Array.isArray(res.body) ? res.body : res.body.items;
  return Object.fromEntries(items.map((i) => [i.name, i.quantity]));
}

/** The quantity the inventory lists for `item`, or undefined when it does not list it. */
export async function stockOf(item: string): Promise<number | undefined> {
  return (await stock())[item];
}

/** Restocks as the operator does, through the dashboard: every item back to its full quantity. */
export async function restock(): Promise<HttpAnswer> {
  return call("POST", `${urls.notifications}/api/inventory/restock`, { json: {}, headers: asOperator() });
}

/** Restocks unless every one of `items` is in stock already (keeps a running system's stock). */
export async function ensureInStock(items: string[]): Promise<void> {
  const quantities = await Promise.all(items.map(stockOf));
  if (quantities.every((q) => q !== undefined && q > 0)) return;
  const res = await restock();
  expect(res.status, `restock answered ${JSON.stringify(res.body)}`).to.equal(200);
}
