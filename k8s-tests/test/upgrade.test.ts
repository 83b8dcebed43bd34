// `helm upgrade` to a new image tag while orders are in flight and others wait for the
// operator's approval: every Deployment rolls to the new images (a pod at a time, each new
// pod ready before an old one stops), the clients keep placing orders through it, and the
// waiting orders are approved after it. Every accepted order must complete, charged once,
// the stock conserved. The new tag is the same code built again with another label: what
// is tested is the rollout, not a change of the workflow.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { auditKill, AuditTable, items, printNotCompleted, settle, sleep, type PlacedOrder } from "@dapr-orders/e2e-tests/load-client";
import { appSelector, apps, importAppImages, namespace, pods, tags, upgradeApps } from "./kube.js";
import { approve, follow, loadSettings, orderView, paymentsOf, place, restock, stock, type Client } from "./load.js";

const plan = {
  clients: 3,
  awaitingApproval: 6,
  approvalTotal: 1500,
  loadAfterUpgradeMs: 20_000,
  answerTimeoutMs: 120_000,
  followMs: 10_000,
  settleTimeoutMs: 5 * 60_000,
};

describe(`helm upgrade to image tag ${tags.upgraded}, with orders in flight and orders waiting for approval`, function () {
  let client: Client;

  before(async function () {
    this.timeout(15 * 60_000);
    client = await loadSettings();
    await importAppImages(tags.upgraded);
  });

  it("rolls every app to the new images, and completes every accepted order, charged once, with stock conserved", async function () {
    this.timeout(30 * 60_000);
    await restock(client);
    const initialStock = await stock(client);
    const start = Date.now();
    const since = () => `+${((Date.now() - start) / 1000).toFixed(1).padStart(5)} s`;

    // Orders that wait for the operator across the upgrade.
    const waiting: PlacedOrder[] = [];
    for (let n = 0; n < plan.awaitingApproval; n++) {
      const order: PlacedOrder = { key: randomUUID(), customer: "k8s-upgrade-approval", item: items[n % items.length]!, total: plan.approvalTotal, attempts: 0 };
      waiting.push(order);
      await place(client, order, plan.answerTimeoutMs);
      expect(order.id, `an order over the approval threshold: ${order.refused ?? order.lastFailure}`).to.be.a("string");
    }
    for (const order of waiting) {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && !(order.view = await orderView(client, order.id!).catch(() => order.view))?.awaiting_approval) await sleep(500);
      expect(order.view?.awaiting_approval, `${order.id} waits for approval`).to.equal(true);
    }
    console.log(`    ${since()}  ${waiting.length} orders wait for approval`);

    const orders: PlacedOrder[] = [...waiting];
    let upgradeDone = 0;
    let upgradeStart = 0;
    const load = async (c: number) => {
      for (let n = 0; upgradeDone === 0 || Date.now() < upgradeDone + plan.loadAfterUpgradeMs; n++) {
        const order: PlacedOrder = { key: randomUUID(), customer: `k8s-upgrade-${c}`, item: items[(c + n) % items.length]!, total: 10 + (n % 40), attempts: 0 };
        orders.push(order);
        await place(client, order, plan.answerTimeoutMs);
        if (order.id !== undefined) await follow(client, order, plan.followMs);
      }
    };
    const upgrade = async () => {
      await sleep(5_000);
      upgradeStart = Date.now();
      console.log(`    ${since()}  helm upgrade --set image.tag=${tags.upgraded} --wait`);
      try {
        await upgradeApps([`image.tag=${tags.upgraded}`]);
      } finally {
        upgradeDone = Date.now();
      }
      console.log(`    ${since()}  upgrade done in ${((upgradeDone - upgradeStart) / 1000).toFixed(1)} s; approving the waiting orders`);
      const approved = await Promise.all(waiting.map((o) => approve(client, o, plan.answerTimeoutMs)));
      expect(approved.filter(Boolean), "approvals accepted").to.have.length(waiting.length);
    };
    await Promise.all([upgrade(), ...Array.from({ length: plan.clients }, (_, c) => load(c))]);
    console.log(`    ${since()}  load stopped: ${orders.length} orders placed; waiting for every one to end`);

    const accepted = orders.filter((o) => o.id !== undefined);
    await settle(accepted, (id) => orderView(client, id), plan.settleTimeoutMs);
    console.log(`    ${since()}  settled`);
    const payments = await paymentsOf(client, accepted);
    const finalStock = await stock(client);

    const table = new AuditTable();
    const { notCompleted } = auditKill(table, { orders, killedAt: upgradeStart, answerTimeoutMs: plan.answerTimeoutMs, payments, initialStock, finalStock });
    const waitingDone = waiting.filter((o) => o.view?.status === "COMPLETED" && o.view.order_result?.success === true).length;
    table.row(`orders approved after the upgrade, completed (of ${waiting.length})`, waitingDone);
    table.row("  not completed", waiting.length - waitingDone, true);
    const oldPods: string[] = [];
    for (const app of apps) {
      for (const pod of await pods(namespace, appSelector(app))) {
        const image = pod.spec.containers.find((c) => c.name === app)!.image;
        if (pod.metadata.deletionTimestamp === undefined && !image.endsWith(`:${tags.upgraded}`)) oldPods.push(`${pod.metadata.name} (${image})`);
      }
    }
    table.row(`app pods not on ${tags.upgraded}`, oldPods.length, true);
    table.print("audit: helm upgrade under load (times from the start of the upgrade)");
    printNotCompleted(notCompleted);
    for (const pod of oldPods) console.log(`    not upgraded: ${pod}`);
    expect(table.problems, "losses (the audit table above)").to.deep.equal([]);
  });
});
