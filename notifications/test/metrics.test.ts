// notifications' metrics: notifications delivered to the pages, and repeats ignored.
import { expect } from "chai";
import { createApp, Router } from "@dapr-orders/service-kit";
import { memoryLogger, metricValue, parseMetrics, request } from "@dapr-orders/service-kit/testing";
import { notificationRoutes } from "../src/routes.js";
import { MemoryDeadLetters, MemoryHistory } from "./fakes.js";

const notification = (seq: number) => ({
  order_id: "o-metrics",
  seq,
  type: "reserved",
  message: "Reserved inventory: kiwi",
  order: { customer: "joni", item: "kiwi", total: 121.5 },
});

describe("notifications metrics", () => {
  it("counts each (order_id, seq) delivered once, and its repeats as deduplicated, on GET /metrics", async () => {
    const history = new MemoryHistory();
    const logger = memoryLogger();
    const routes = notificationRoutes({ history, publish: () => {}, deadLetters: new MemoryDeadLetters(), logger });
    const app = createApp({ logger, routes: new Router().use(routes.routes()) });
    const counts = async () => {
      const samples = parseMetrics((await request(app, "GET", "/metrics")).body);
      return [metricValue(samples, "orders_notifications_delivered_total"), metricValue(samples, "orders_notifications_deduplicated_total")];
    };
    const deliver = (path: string, seq: number) =>
      request(app, "POST", path, { body: { specversion: "1.0", id: `ce-${seq}`, data: notification(seq) }, contentType: "application/cloudevents+json" });

    const [delivered, deduplicated] = await counts();
    await deliver("/notifications", 1);
    await deliver("/notifications", 2);
    await deliver("/notifications", 1);
    await deliver("/notifications/dead-letters", 2); // late, and a repeat too
    await deliver("/notifications/dead-letters", 3); // late, and new
    expect(await counts()).to.deep.equal([delivered! + 3, deduplicated! + 2]);
  });
});
