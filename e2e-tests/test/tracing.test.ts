// Tracing: one order is one trace in Zipkin, with the spans of all five apps' sidecars
// (the call that starts the workflow, the workflow and its activities, the reserve,
// charge and ship invocations, the deliveries of its notifications), and the
// dashboard's notifications carry its trace id. Skipped where there is no Zipkin (a
// local stack without Java).
import { expect } from "chai";
import { call } from "@dapr-orders/service-kit/http-client";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { ensureInStock, placeOrder, waitUntilFinished } from "./http.js";
import { straightThrough } from "./messages.js";
import { NotificationFeed } from "./notifications.js";
import { urls } from "./target.js";

/** A span as Zipkin's API v2 gives it (names in lower case). */
interface Span {
  traceId: string;
  id: string;
  parentId?: string;
  name?: string;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

const apps = ["order-processor", "inventory", "payments", "shipping", "notifications"];
const workflowSpans = ["create_orchestration", "orchestration", "activity||runsteps"];

describe("tracing", function () {
  let feed: NotificationFeed;

  before(async function () {
    if (urls.zipkin === "") this.skip(); // a local stack without Java: tracing is off
    const health = await fetch(`${urls.zipkin}/health`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    if (health?.ok !== true) {
      if (process.env.E2E_STACK === "external") this.skip(); // a stack run without Zipkin
      throw new Error(`Zipkin at ${urls.zipkin} does not answer, though the stack should run it`);
    }
    feed = await NotificationFeed.connect(urls.notifications);
  });

  after(() => feed?.close());

  it("gives one order one trace, with spans of all five apps, its workflow and activities, and its trace id on its notifications", async function () {
    this.timeout(120_000);
    const order = { customer: "trace", item: "orange", total: 42.5 };
    await ensureInStock([order.item]);
    const { id } = await placeOrder(order);
    expect((await waitUntilFinished(id)).order_result?.success).to.equal(true);
    const events = await feed.settle(id, straightThrough(order).length);
    expect(events).to.have.length(straightThrough(order).length);

    // Every notification of the order carries the same trace id: the order's.
    const traceIds = new Set(events.map((e) => e.trace_id));
    expect([...traceIds], "trace ids on the order's notifications").to.have.length(1);
    const traceId = [...traceIds][0]!;
    expect(traceId).to.match(/^[0-9a-f]{32}$/);

    // Zipkin finds the order's workflow in that one trace only.
    const query = new URLSearchParams({ serviceName: "order-processor", annotationQuery: `durabletask.task.instance_id=${id}`, lookback: "3600000", limit: "10" });
    let traces: Span[][] = [];
    await pollUntil(
      "Zipkin to have the order's workflow",
      async () => {
        const res = await call("GET", `${urls.zipkin}/api/v2/traces?${query}`);
        traces = res.body as Span[][];
        return res.status === 200 && traces.length > 0;
      },
      { timeoutMs: 60_000 },
    );
    expect(traces.map((t) => t[0]!.traceId)).to.deep.equal([traceId]);

    // Spans arrive in batches from each sidecar: wait until every part is there.
    let spans: Span[] = [];
    const missing = () => [
      ...apps.filter((app) => !spans.some((s) => s.localEndpoint?.serviceName === app)),
      ...workflowSpans.filter((name) => !spans.some((s) => s.name?.startsWith(name))),
    ];
    await pollUntil(
      "the trace to hold every app and the workflow",
      async () => {
        const res = await call("GET", `${urls.zipkin}/api/v2/trace/${traceId}`);
        spans = res.status === 200 ? (res.body as Span[]) : [];
        return missing().length === 0;
      },
      { timeoutMs: 60_000 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; missing: ${missing().join(", ")}; spans: ${spans.map((s) => `${s.localEndpoint?.serviceName}:${s.name}`).join(", ")}`);
    });

    const byApp = Object.fromEntries(apps.map((app) => [app, spans.filter((s) => s.localEndpoint?.serviceName === app).length]));
    console.log(`      trace ${traceId}: ${spans.length} spans (${Object.entries(byApp).map(([app, n]) => `${app} ${n}`).join(", ")})`);
    // The workflow's spans name the order.
    const workflow = spans.filter((s) => s.name?.startsWith("orchestration"));
    expect(workflow.map((s) => s.tags?.["durabletask.task.instance_id"])).to.include(id);
  });
});
