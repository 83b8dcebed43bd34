// The apps' GET /metrics (Prometheus text) as orders complete and fail: order-processor's
// and notifications' counters move by exactly what three orders do (one completed, one
// out of stock, one that cannot be shipped and is undone). It runs first in the suite,
// when no other order is in flight, and waits until the counters stand still before it
// starts. And, on a local stack, every target of observability/prometheus.local.yml
// answers: the apps' /metrics and the sidecars' own metrics ports.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { repoRoot } from "@dapr-orders/local-stack";
import { metricValue, parseMetrics, type MetricSample } from "@dapr-orders/service-kit/testing";
import { call } from "@dapr-orders/service-kit/http-client";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { ensureInStock, type NewOrder, placeOrder, waitUntilFinished } from "./http.js";
import { settings, stackKind, urls } from "./target.js";

type Series = [name: string, labels?: Record<string, string>];

const orderSeries: Series[] = [
  ["orders_placed_total"],
  ["orders_completed_total"],
  ...["reservation_failed", "approval_expired", "approval_rejected", "payment_failed", "shipping_failed"].map(
    (reason): Series => ["orders_failed_total", { reason }],
  ),
  ["orders_compensations_total", { step: "releaseInventory" }],
  ["orders_compensations_total", { step: "refundPayment" }],
  ["orders_compensations_total", { step: "cancelShipment" }],
  ["orders_approval_waits_total"],
  ...["reserveInventory", "processPayment", "shipOrder", "cancelShipment", "refundPayment", "releaseInventory"].flatMap((step) =>
    ["success", "failure"].map((outcome): Series => ["orders_step_duration_seconds_count", { step, outcome }]),
  ),
];
const notificationSeries: Series[] = [["orders_notifications_delivered_total"], ["orders_notifications_deduplicated_total"]];

const key = ([name, labels]: Series) => (labels === undefined ? name : `${name}{${Object.values(labels).join(",")}}`);

/** What a Prometheus scrape of `url` gets. */
async function scrape(url: string): Promise<MetricSample[]> {
  const res = await call("GET", url);
  expect(res.status, `GET ${url}`).to.equal(200);
  expect(res.headers.get("content-type"), url).to.match(/^text\/plain/);
  return parseMetrics(res.body);
}

const metricsOf = (appUrl: string) => scrape(`${appUrl}/metrics`);

/** The series of order-processor and notifications, by key. */
async function read(): Promise<Record<string, number>> {
  const [orders, notifications] = await Promise.all([metricsOf(urls.orders), metricsOf(urls.notifications)]);
  return Object.fromEntries([
    ...orderSeries.map((s) => [key(s), metricValue(orders, ...s)] as const),
    ...notificationSeries.map((s) => [key(s), metricValue(notifications, ...s)] as const),
  ]);
}

/** after - before, for the series that moved. */
function moved(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - before[k]!]).filter(([, delta]) => delta !== 0));
}

describe("metrics (GET /metrics)", function () {
  this.timeout(180_000);

  it("serves Prometheus text, with Node's process metrics, from every app", async () => {
    for (const url of [urls.orders, urls.notifications, urls.inventory, urls.payments, urls.shipping]) {
      const samples = await metricsOf(url);
      expect(metricValue(samples, "process_cpu_user_seconds_total"), url).to.be.greaterThan(0);
    }
  });

  it("counts orders placed, completed, failed by reason, undone, their steps, and their notifications, exactly", async () => {
    await ensureInStock(["orange", "apple"]);
    // Nothing else moves them meanwhile: two reads a second apart agree.
    let before = await read();
    await pollUntil(
      "the counters to stand still",
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const again = await read();
        const still = Object.keys(moved(before, again)).length === 0;
        before = again;
        return still;
      },
      { timeoutMs: 60_000 },
    );

    const orders: NewOrder[] = [
      { customer: "joni", item: "orange", total: 12.5 }, // completes: 5 notifications
      { customer: "joni", item: "durian", total: 12.5 }, // out of stock: 2
      { customer: settings.blockedCustomer, item: "apple", total: 12.5 }, // paid, not shipped, refunded, released: 6
    ];
    const placed = await Promise.all(orders.map(placeOrder));
    const views = await Promise.all(placed.map(({ id }) => waitUntilFinished(id)));
    expect(views.map((v) => [v.status, v.order_result?.success])).to.deep.equal([
      ["COMPLETED", true],
      ["COMPLETED", false],
      ["FAILED", undefined],
    ]);

    // order-processor counts in the activities, before the workflow ends; notifications as they arrive.
    let after: Record<string, number> = {};
    await pollUntil(
      "notifications to count 13 delivered",
      async () => {
        after = await read();
        return after["orders_notifications_delivered_total"]! - before["orders_notifications_delivered_total"]! >= 13;
      },
      { timeoutMs: 30_000 },
    );
    expect(moved(before, after)).to.deep.equal({
      "orders_placed_total": 3,
      "orders_completed_total": 1,
      "orders_failed_total{reservation_failed}": 1,
      "orders_failed_total{shipping_failed}": 1,
      "orders_compensations_total{releaseInventory}": 1,
      "orders_compensations_total{refundPayment}": 1,
      "orders_step_duration_seconds_count{reserveInventory,success}": 2,
      "orders_step_duration_seconds_count{reserveInventory,failure}": 1,
      "orders_step_duration_seconds_count{processPayment,success}": 2,
      "orders_step_duration_seconds_count{shipOrder,success}": 1,
      "orders_step_duration_seconds_count{shipOrder,failure}": 1,
      // Each undo is registered before its step: the out-of-stock order's release runs too
      // (it has nothing to undo, and is no compensation); the unshipped order's cancel
      // finds no shipment (nothing cancelled, nothing said).
      "orders_step_duration_seconds_count{cancelShipment,success}": 1,
      "orders_step_duration_seconds_count{refundPayment,success}": 1,
      "orders_step_duration_seconds_count{releaseInventory,success}": 2,
      "orders_notifications_delivered_total": 13,
    });
  });

  it("answers at every target of observability/prometheus.local.yml: the apps' /metrics and the sidecars' metrics ports (local stack)", async function () {
    if (stackKind !== "local") this.skip(); // the compose stack's sidecars are reachable on its network only
    const config = parse(readFileSync(path.join(repoRoot, "observability", "prometheus.local.yml"), "utf8"));
    for (const job of config.scrape_configs) {
      for (const group of job.static_configs) {
        for (const target of group.targets) {
          const samples = await scrape(`http://${target}${job.metrics_path}`);
          // The apps: Node's process metrics at least; the sidecars: Dapr's own.
          const prefix = job.job_name === "sidecars" ? "dapr_" : "process_";
          expect(samples.some((s) => s.name.startsWith(prefix)), `${job.job_name} ${target}: ${prefix} metrics`).to.equal(true);
        }
      }
    }
  });
});
