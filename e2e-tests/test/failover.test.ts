// Replicas on one machine, and what happens when one dies. The local stack runs
// order-processor and inventory twice each (as REPLICAS=order-processor=2,inventory=2
// npm start does), every replica with its own sidecar under the same app id: placement
// spreads the workflows over order-processor's replicas, name resolution spreads the
// calls to inventory over its replicas.
//
// Under load (a few clients, each order with an Idempotency-Key, asked again with it
// after an error), one order-processor replica and its sidecar are killed with SIGKILL
// mid-run: every accepted order must still complete (the survivor takes over the dead
// replica's workflows), each completed order charged exactly once, the stock conserved.
// Then the same with one inventory replica: orders keep completing after the kill.
// Each run prints its audit table. Before that, a short closed loop on a stack of one
// replica each, and on this one, prints orders/s with 1 and 2 replicas.
//
// Its own stacks (its own mocha config, .mocharc.failover.json): local stack only.
// Loopback only; every loop is bounded in count and time.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { expect } from "chai";
import { repoRoot, startTestStack, type LocalStack, type TestStack } from "@dapr-orders/local-stack";
import {
  auditKill,
  AuditTable,
  call,
  eachLimited,
  follow,
  items,
  orderView,
  paymentStatusOf,
  place,
  printNotCompleted,
  settle,
  sleep,
  stockOf,
  type Answer,
  type PlacedOrder,
} from "./load-client.js";
import { settingsEnv } from "./target.js";

const plan = {
  clients: 4,
  /** Each run: the kill this long into the load, which goes on this long after it. */
  killAfterMs: 8_000,
  loadAfterKillMs: 12_000,
  /** Units of each item after a restock: more than the orders of all runs take. */
  restockQuantity: 5000,
  /** How long a client keeps asking to place one order (same Idempotency-Key). */
  answerTimeoutMs: 60_000,
  /** How long a client waits for its order before it places the next one. */
  followMs: 10_000,
  /** After the load: how long every order gets to end. */
  settleTimeoutMs: 180_000,
  /** The throughput measurement: this many clients, each placing and following one order at a time, for this long. */
  throughputClients: 8,
  throughputMs: 10_000,
};

const replicas = { "order-processor": 2, inventory: 2 };
const logFile = (name: string) => path.join(repoRoot, "test-artifacts", "e2e", `${name}.log`);
const env = () => ({ ...settingsEnv(), RESTOCK_QUANTITY: String(plan.restockQuantity) });
/** How a client places an order: asking again for at most answerTimeoutMs, soon after no answer (another replica may answer). */
const placing = { answerTimeoutMs: plan.answerTimeoutMs, errorWaitMs: 200 };

describe("replicas: throughput and failover (local stack)", function () {
  this.timeout(10 * 60_000);
  const figures: string[] = [];
  let running: TestStack | undefined;

  after(async function () {
    this.timeout(120_000);
    await running?.stop();
    if (figures.length > 0) console.log(`\n    orders/s: ${figures.join("; ")}\n`);
  });

  it("measures orders/s with one replica of each app", async () => {
    running = await startTestStack({ logFile: logFile("replicas-1"), env: env() });
    await restock(running.stack);
    figures.push(`1 replica ${await throughput(running.stack, ["order-processor"])}`);
    await running.stop();
    running = undefined;
  });

  it("measures orders/s with two replicas of order-processor and inventory", async () => {
    running = await startTestStack({ logFile: logFile("replicas-2"), env: env(), replicas });
    await restock(running.stack);
    figures.push(`2 replicas ${await throughput(running.stack, ["order-processor", "order-processor-2"])}`);
  });

  it("completes every accepted order once when an order-processor replica and its sidecar are killed", async function () {
    if (running === undefined) this.skip();
    const stack = running!.stack;
    const audit = await killUnderLoad(stack, "order-processor-2", ["order-processor", "order-processor-2"]);
    expect(audit.problems, "losses (the audit table above)").to.deep.equal([]);
    expect(audit.completedAfterKill, "orders placed after the kill and completed").to.be.above(0);
  });

  it("keeps orders flowing when an inventory replica and its sidecar are killed", async function () {
    if (running === undefined) this.skip();
    const stack = running!.stack;
    const audit = await killUnderLoad(stack, "inventory-2", ["order-processor"]);
    expect(audit.problems, "losses (the audit table above)").to.deep.equal([]);
    expect(audit.completedAfterKill, "orders placed after the kill and completed").to.be.above(0);
  });
});

// ---- the runs --------------------------------------------------------------------------------

/** A closed loop of placing and following small orders; "<n> orders/s (<completed> in <s> s)". */
async function throughput(stack: LocalStack, orderReplicas: string[]): Promise<string> {
  const urls = orderReplicas.map((name) => stack.url(name));
  const start = Date.now();
  const end = start + plan.throughputMs;
  let completed = 0;
  const client = async (c: number) => {
    for (let n = 0; Date.now() < end; n++) {
      const order = newOrder(`speed-${c}`, c + n);
      const url = urls[(c + n) % urls.length]!;
      await place(order, () => [url], placing);
      if (order.id === undefined) continue;
      await follow(order, () => [url], end + plan.followMs - Date.now(), 100);
      if (order.view?.status === "COMPLETED" && Date.parse(order.view.last_updated_time) <= end) completed += 1;
    }
  };
  await Promise.all(Array.from({ length: plan.throughputClients }, (_, c) => client(c)));
  const seconds = (end - start) / 1000;
  return `${(completed / seconds).toFixed(1)} (${completed} completed in ${seconds} s, ${plan.throughputClients} clients)`;
}

interface Audit {
  problems: string[];
  completedAfterKill: number;
}

/**
 * Clients place orders on `orderReplicas` (the next one after an error); `victim` (a
 * replica's name) and its sidecar are killed with SIGKILL mid-run and stay dead. Then
 * every accepted order must end completed, charged exactly once, with stock conserved.
 */
async function killUnderLoad(stack: LocalStack, victim: string, orderReplicas: string[]): Promise<Audit> {
  const victimUrl = stack.url(victim);
  let targets = orderReplicas.map((name) => stack.url(name));
  const initialStock = await stock(stack);
  const orders: PlacedOrder[] = [];
  const start = Date.now();
  const since = () => `+${((Date.now() - start) / 1000).toFixed(1).padStart(5)} s`;
  const loadEnd = start + plan.killAfterMs + plan.loadAfterKillMs;

  const client = async (c: number) => {
    for (let n = 0; Date.now() < loadEnd; n++) {
      const order = newOrder(`failover-${c}`, c + n);
      orders.push(order);
      await place(order, () => rotate(targets, c + n), placing);
      if (order.id !== undefined) await follow(order, () => rotate(targets, c + n), plan.followMs, 100);
    }
  };
  let killedAt = 0;
  const killer = async () => {
    await sleep(start + plan.killAfterMs - Date.now());
    const spread = await workSpread(stack, victim);
    killedAt = Date.now();
    await stack.kill(victim);
    targets = targets.filter((url) => url !== victimUrl);
    const accepted = orders.filter((o) => o.id !== undefined).length;
    console.log(`    ${since()}  kill -9 ${victim} and ${victim}-dapr; orders so far: ${accepted} accepted; work done by each replica so far: ${spread}`);
  };
  await Promise.all([killer(), ...Array.from({ length: plan.clients }, (_, c) => client(c))]);
  console.log(`    ${since()}  load stopped: ${orders.length} orders placed; waiting for every one to end`);

  // Every accepted order terminal, or the deadline.
  const accepted = orders.filter((o): o is PlacedOrder & { id: string } => o.id !== undefined);
  await settle(accepted, (id) => orderView(targets[0]!, id), plan.settleTimeoutMs);
  console.log(`    ${since()}  settled`);

  // The audit: final states, payments (through payments' sidecar, as its own app), stock.
  const payments = new Map<string, string>();
  await eachLimited(accepted, 8, async (o) => payments.set(o.id, await paymentStatus(stack, o.id)));
  const finalStock = await stock(stack);

  const table = new AuditTable();
  const { notCompleted, completedAfterKill } = auditKill(table, { orders, killedAt, answerTimeoutMs: plan.answerTimeoutMs, payments, initialStock, finalStock });
  table.print(`audit: ${victim} killed ${((killedAt - start) / 1000).toFixed(1)} s into the load`);
  printNotCompleted(notCompleted);
  return { problems: table.problems, completedAfterKill };
}

/** What each replica's sidecar counts as its work (its metrics). */
const work: Record<string, { metric: string; what: string }> = {
  "order-processor": { metric: "dapr_runtime_workflow_activity_execution_count{", what: "activities" },
  inventory: { metric: 'dapr_http_client_completed_count{app_id="inventory",method="POST",path="/api/v1/inventory/reserve"', what: "reservations" },
};

/** How much work each replica of the victim's app has done, e.g. "order-processor 612 activities, order-processor-2 590 activities". */
async function workSpread(stack: LocalStack, victim: string): Promise<string> {
  const appId = stack.apps.find((a) => a.name === victim)!.appId;
  const { metric, what } = work[appId]!;
  const counts: string[] = [];
  for (const app of stack.topology.apps.filter((a) => a.appId === appId)) {
    const res = await fetch(`http://127.0.0.1:${app.metricsPort}/metrics`, { signal: AbortSignal.timeout(5000) });
    const lines = (await res.text()).split("\n").filter((line) => line.startsWith(metric));
    counts.push(`${app.name} ${lines.reduce((sum, line) => sum + Number(line.split(" ").pop()), 0)} ${what}`);
  }
  return counts.join(", ");
}

// ---- the clients -----------------------------------------------------------------------------

function newOrder(customer: string, n: number): PlacedOrder {
  return { key: randomUUID(), customer, item: items[n % items.length]!, total: 10 + (n % 40), attempts: 0 };
}

/** The i-th of the replicas' URLs, going round. */
const rotate = (urls: string[], i: number) => [...urls.slice(i % urls.length), ...urls.slice(0, i % urls.length)];

// ---- HTTP ------------------------------------------------------------------------------------

/**
 * A call to one of `appId`'s routes the way its sidecar makes it: through that sidecar
 * (service invocation of the app itself), with its Dapr API token; the sidecar adds the
 * app API token that the app's sidecar-only routes require.
 */
function throughSidecar(stack: LocalStack, appId: string, method: string, route: string, json?: unknown): Promise<Answer> {
  const sidecar = stack.apps.find((a) => a.name === appId)!.daprUrl;
  const headers = { "dapr-api-token": stack.tokens(appId).daprApiToken };
  return call(method, `${sidecar}/v1.0/invoke/${appId}/method/${route}`, json, headers);
}

/** payments' record of the order, read through payments' own sidecar (paymentStatusOf). */
async function paymentStatus(stack: LocalStack, id: string): Promise<string> {
  return paymentStatusOf(await throughSidecar(stack, "payments", "GET", `api/v1/payments/${encodeURIComponent(id)}`));
}

/** Every item back to RESTOCK_QUANTITY (a sidecar-only route of inventory). */
async function restock(stack: LocalStack): Promise<void> {
  const res = await throughSidecar(stack, "inventory", "POST", "api/v1/inventory/restock", {});
  expect(res.status, `restock answered ${JSON.stringify(res.body)}`).to.equal(200);
}

/** GET /api/v1/inventory of inventory's first replica, as {item: quantity}. */
async function stock(stack: LocalStack): Promise<Record<string, number>> {
  return stockOf(await call("GET", `${stack.url("inventory")}/api/v1/inventory`));
}
