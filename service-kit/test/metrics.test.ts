import { expect } from "chai";
import { counter, createApp, histogram, Router } from "../src/index.js";
import { memoryLogger, metricValue, ownMetrics, parseMetrics, request } from "../src/testing.js";

const things = counter("orders_test_things_total", "Things counted by this test", ["kind"]);
const waits = histogram("orders_test_wait_seconds", "Waits timed by this test");

describe("metrics", () => {
  it("serves GET /metrics in the Prometheus text format, with Node's process metrics and the app's own", async () => {
    things.inc({ kind: "round" });
    things.inc({ kind: "square" }, 2);
    waits.observe(0.2);
    const logger = memoryLogger();
    const res = await request(createApp({ logger, routes: new Router() }), "GET", "/metrics");
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^text\/plain; version=0\.0\.4/);
    expect(res.body).to.include("# TYPE orders_test_things_total counter");
    const samples = parseMetrics(res.body);
    expect(metricValue(samples, "orders_test_things_total", { kind: "square" })).to.equal(2);
    expect(metricValue(samples, "orders_test_things_total")).to.equal(3);
    expect(metricValue(samples, "orders_test_wait_seconds_count")).to.equal(1);
    expect(metricValue(samples, "orders_test_wait_seconds_bucket", { le: "0.25" })).to.equal(1);
    expect(metricValue(samples, "orders_test_wait_seconds_bucket", { le: "0.1" })).to.equal(0);
    expect(metricValue(samples, "process_cpu_user_seconds_total")).to.be.greaterThan(0);
    expect(samples.some((s) => s.name === "nodejs_eventloop_lag_seconds")).to.equal(true);
    expect(logger.lines, "scrapes are not logged").to.be.empty;
  });

  it("leaves other methods on /metrics to the app's routes", async () => {
    const res = await request(createApp({ logger: memoryLogger(), routes: new Router() }), "POST", "/metrics", { body: {} });
    expect(res.status).to.equal(404);
  });

  it("reads this process's registry without HTTP", async () => {
    const before = metricValue(await ownMetrics(), "orders_test_things_total", { kind: "round" });
    things.inc({ kind: "round" });
    expect(metricValue(await ownMetrics(), "orders_test_things_total", { kind: "round" })).to.equal(before + 1);
  });

  it("parses labels with escapes, infinities and comments", () => {
    const text = [
      "# HELP x_total An x",
      "# TYPE x_total counter",
      'x_total{path="/a\\"b",note="two\\nlines"} 4',
      'y_bucket{le="+Inf"} 7',
      "z +Inf",
      "",
    ].join("\n");
    expect(parseMetrics(text)).to.deep.equal([
      { name: "x_total", labels: { path: '/a"b', note: "two\nlines" }, value: 4 },
      { name: "y_bucket", labels: { le: "+Inf" }, value: 7 },
      { name: "z", labels: {}, value: Infinity },
    ]);
  });
});
