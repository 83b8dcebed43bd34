// Pods deleted and a process killed under load: while clients place orders through
// order-processor's Service, one pod of each app is deleted (`kubectl delete pod`: the pod
// stops gracefully and its Deployment starts another), then the daprd of an order-processor
// pod is killed with SIGKILL from the node, as a crash would (the kubelet restarts the
// container). Then, touching nothing, every accepted order must end: completed, charged
// exactly once, the stock conserved (e2e-tests' load-client audit). Prints the audit table.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { auditKill, AuditTable, items, printNotCompleted, settle, sleep, type PlacedOrder } from "@dapr-orders/e2e-tests/load-client";
import { appSelector, containerPid, kubectl, namespace, pods } from "./kube.js";
import { follow, loadSettings, orderView, paymentsOf, place, restock, stock, type Client } from "./load.js";

const plan = {
  clients: 4,
  /** A disruption every 10 s from 10 s in: five pod deletions, then the kill. */
  everyMs: 10_000,
  deletions: ["order-processor", "inventory", "payments", "shipping", "notifications"],
  killApp: "order-processor",
  killContainer: "daprd",
  loadAfterLastMs: 20_000,
  answerTimeoutMs: 120_000,
  followMs: 10_000,
  settleTimeoutMs: 5 * 60_000,
};

describe("chaos: a pod of each app deleted, and a daprd killed with SIGKILL, under load", function () {
  let client: Client;

  before(async function () {
    this.timeout(10 * 60_000);
    client = await loadSettings();
  });

  it("completes every accepted order, charged once, with stock conserved", async function () {
    this.timeout(20 * 60_000);
    await restock(client);
    const initialStock = await stock(client);
    const orders: PlacedOrder[] = [];
    const start = Date.now();
    const since = () => `+${((Date.now() - start) / 1000).toFixed(1).padStart(5)} s`;
    const disruptions = plan.deletions.length + 1;
    const loadEnd = start + disruptions * plan.everyMs + plan.loadAfterLastMs;

    const load = async (c: number) => {
      for (let n = 0; Date.now() < loadEnd; n++) {
        const order: PlacedOrder = { key: randomUUID(), customer: `k8s-chaos-${c}`, item: items[(c + n) % items.length]!, total: 10 + (n % 40), attempts: 0 };
        orders.push(order);
        await place(client, order, plan.answerTimeoutMs);
        if (order.id !== undefined) await follow(client, order, plan.followMs);
      }
    };
    let firstAt = 0;
    let killed: { pod: string; restarts: number } | undefined;
    const disrupt = async () => {
      for (const [i, app] of plan.deletions.entries()) {
        await sleep(start + (i + 1) * plan.everyMs - Date.now());
        const pod = (await pods(namespace, appSelector(app))).find((p) => p.metadata.deletionTimestamp === undefined)!.metadata.name;
        firstAt ||= Date.now();
        await kubectl(["delete", "pod", pod, "--namespace", namespace, "--wait=false"]);
        console.log(`    ${since()}  kubectl delete pod ${pod}; ${progress(orders)}`);
      }
      await sleep(start + disruptions * plan.everyMs - Date.now());
      const target = (await pods(namespace, appSelector(plan.killApp))).find((p) => p.status.phase === "Running" && p.metadata.deletionTimestamp === undefined)!;
      const status = target.status.containerStatuses!.find((c) => c.name === plan.killContainer)!;
      const pid = await containerPid(status.containerID!);
      process.kill(pid, "SIGKILL");
      killed = { pod: target.metadata.name, restarts: status.restartCount };
      console.log(`    ${since()}  kill -9 ${plan.killContainer} of ${target.metadata.name} (pid ${pid} on the node); ${progress(orders)}`);
    };
    await Promise.all([disrupt(), ...Array.from({ length: plan.clients }, (_, c) => load(c))]);
    console.log(`    ${since()}  load stopped: ${orders.length} orders placed; waiting for every one to end`);

    const accepted = orders.filter((o) => o.id !== undefined);
    await settle(accepted, (id) => orderView(client, id), plan.settleTimeoutMs);
    console.log(`    ${since()}  settled`);
    const payments = await paymentsOf(client, accepted);
    const finalStock = await stock(client);

    const table = new AuditTable();
    const { notCompleted } = auditKill(table, { orders, killedAt: firstAt, answerTimeoutMs: plan.answerTimeoutMs, payments, initialStock, finalStock });
    const restarted = (await pods(namespace, appSelector(plan.killApp))).find((p) => p.metadata.name === killed!.pod);
    const restarts = restarted?.status.containerStatuses?.find((c) => c.name === plan.killContainer)?.restartCount ?? 0;
    table.row(`pods deleted (one of each app)`, plan.deletions.length);
    table.row(`${plan.killContainer} of ${killed!.pod} restarted by the kubelet after the kill (restarts added)`, restarts - killed!.restarts);
    table.print("audit: a pod of each app deleted, a daprd killed (times from the first deletion)");
    printNotCompleted(notCompleted);
    for (const o of orders.filter((o) => o.unanswered).slice(0, 10)) console.log(`    unanswered: ${o.key}, its last answer: ${o.lastFailure ?? "none"}`);

    expect(restarts - killed!.restarts, "restarts of the killed container").to.be.at.least(1);
    expect(table.problems, "losses (the audit table above)").to.deep.equal([]);
  });
});

function progress(orders: PlacedOrder[]): string {
  return `orders so far: ${orders.filter((o) => o.id !== undefined).length} accepted, ${orders.filter((o) => o.view?.status === "COMPLETED").length} seen completed`;
}
