import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { burst, classify, closedLoop, placeAndFollow, retryAfterMs, type OrderTarget } from "../src/load.js";

/**
 * An orders API on a loopback port for these tests: an order of item "slow" ends
 * after three reads, "fail" ends FAILED, "stuck" never ends, "busy" is refused with
 * 503; any other ends COMPLETED at its second read.
 */
async function ordersApi() {
  const reads = new Map<string, { item: string; count: number }>();
  const posts: number[] = [];
  let next = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
      };
      if (req.method === "POST" && req.url === "/orders") {
        posts.push(performance.now());
        const { item } = JSON.parse(Buffer.concat(chunks).toString()) as { item: string };
        if (item === "busy") return send(503, { error: "too many orders at once" }, { "retry-after": "1" });
        const id = `order-${next++}`;
        // "late": refused as not started in time, but placed all the same (it ends); "late-stuck": and never ends.
        if (item === "late" || item === "late-stuck") {
          reads.set(id, { item: item === "late" ? "a" : "stuck", count: 0 });
          return send(503, { error: "not started in time: it may have been placed", instance_id: id }, { "retry-after": "1" });
        }
        reads.set(id, { item, count: 0 });
        return send(202, { instance_id: id });
      }
      const order = reads.get(req.url!.replace("/orders/", ""));
      if (order === undefined) return send(404, { error: "no such order" });
      order.count += 1;
      const endsAt = order.item === "slow" ? 3 : 2;
      if (order.item === "stuck" || order.count < endsAt) return send(200, { status: "RUNNING" });
      if (order.item === "fail") return send(200, { status: "FAILED", failure_details: { message: "Shipping failed" } });
      send(200, { status: "COMPLETED", order_result: { success: true, message: "Order processed" } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, posts, close: () => new Promise((resolve) => server.close(resolve)) };
}

const target = (url: string, items: string[]): OrderTarget => ({ ordersUrl: url, items });

describe("the load", function () {
  this.timeout(10_000);
  let api: Awaited<ReturnType<typeof ordersApi>>;
  beforeEach(async () => (api = await ordersApi()));
  afterEach(async () => api.close());

  it("tells a running order from one that ended, and how it ended", () => {
    expect(classify({ status: "RUNNING" })).to.deep.equal({ terminal: false });
    expect(classify("not json")).to.deep.equal({ terminal: false });
    expect(classify({ status: "COMPLETED", order_result: { success: true, message: "Order processed" } })).to.deep.equal({
      terminal: true,
      success: true,
      detail: "COMPLETED: Order processed",
    });
    expect(classify({ status: "COMPLETED", order_result: { success: false, message: "Out of stock" } })).to.include({ success: false });
    expect(classify({ status: "FAILED", failure_details: { message: "boom" } })).to.deep.equal({ terminal: true, success: false, detail: "FAILED: boom" });
    expect(classify({ status: "TERMINATED" })).to.include({ terminal: true, success: false });
  });

  it("reads Retry-After in seconds", () => {
    expect(retryAfterMs("1")).to.equal(1000);
    expect(retryAfterMs(null)).to.equal(undefined);
    expect(retryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT")).to.equal(undefined);
  });

  it("follows an order from its POST to its end, polling every 50 ms", async () => {
    const signal = new AbortController().signal;
    const done = await placeAndFollow(target(api.url, []), "c", "slow", 5000, signal);
    expect(done).to.include({ outcome: "completed", badPolls: 0 });
    expect(done.latencyMs).to.be.within(150, 1000); // three reads, 50 ms apart
    expect(await placeAndFollow(target(api.url, []), "c", "fail", 5000, signal)).to.include({ outcome: "failed" });
    expect(await placeAndFollow(target(api.url, []), "c", "busy", 5000, signal)).to.include({ outcome: "rejected", postStatus: 503, retryAfterMs: 1000 });
    const started = performance.now();
    expect(await placeAndFollow(target(api.url, []), "c", "stuck", 300, signal)).to.include({ outcome: "non-terminal" });
    expect(performance.now() - started).to.be.below(1000);
    expect(await placeAndFollow(target("http://127.0.0.1:9", []), "c", "x", 300, signal)).to.include({ outcome: "unanswered" });
  });

  it("runs closed-loop clients for the warm-up and the window, and measures the window's orders only", async () => {
    const started = performance.now();
    const level = await closedLoop(target(api.url, ["a", "b"]), {
      clients: 3,
      warmupMs: 200,
      durationMs: 600,
      orderTimeoutMs: 2000,
      signal: new AbortController().signal,
    });
    const windowEnd = started + 800;
    expect(api.posts.every((t) => t < windowEnd + 5)).to.equal(true, "no order posted after the window");
    expect(level.clients).to.equal(3);
    expect(level.orders).to.be.greaterThan(3).and.below(level.allOrders);
    expect(level.completed).to.equal(level.orders);
    expect(level.errorTotal).to.equal(0);
    expect(level.ordersPerSecond).to.equal(Math.round((level.completed / 0.6) * 10) / 10);
    expect(level.latencyMs.count).to.equal(level.completed);
    expect(level.latencyMs.p50).to.be.at.least(100);
  });

  it("counts what went wrong in a level", async () => {
    const level = await closedLoop(target(api.url, ["fail", "busy"]), {
      clients: 2,
      warmupMs: 0,
      durationMs: 400,
      orderTimeoutMs: 2000,
      signal: new AbortController().signal,
    });
    expect(level.completed).to.equal(0);
    expect(level.errors.failed).to.be.greaterThan(0);
    expect(level.errors.rejected).to.deep.equal({ 503: 1 }); // then it waits the Retry-After second
    expect(level.errorTotal).to.equal(level.errors.failed + 1);
    expect(level.errorExamples.join())
      .to.match(/FAILED: Shipping failed/)
      .and.match(/answered 503/);
  });

  it("stops at once when the bench is stopped", async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error("the stack died")), 200);
    const started = performance.now();
    let failure: unknown;
    try {
      await closedLoop(target(api.url, ["stuck"]), { clients: 2, warmupMs: 0, durationMs: 10_000, orderTimeoutMs: 10_000, signal: abort.signal });
    } catch (err) {
      failure = err;
    }
    expect(String(failure)).to.include("the stack died");
    expect(performance.now() - started).to.be.below(1000);
  });

  it("posts a burst at once, counts the answers, and follows the accepted orders until they end or the deadline", async () => {
    // Deadlines with room for a busy machine: what is checked is the counting, not the speed.
    const result = await burst(target(api.url, ["a", "busy", "stuck", "fail", "slow"]), {
      count: 50,
      postTimeoutMs: 5000,
      terminalWithinMs: 4000,
      signal: new AbortController().signal,
    });
    expect(result).to.include({ orders: 50, accepted: 40, unanswered: 0, completed: 20, failed: 10, stuck: 10 });
    expect(result.statuses).to.deep.equal({ 202: 40, 503: 10 });
    expect(result.refusedButPlaced).to.deep.equal({ count: 0, notTerminal: 0 });
    expect(result.postsAnsweredMs).to.be.below(4000);
    expect(result.allTerminalMs).to.equal(undefined);
  });

  it("finds orders refused with their id but placed all the same, and whether they ended", async () => {
    const result = await burst(target(api.url, ["a", "late", "late-stuck"]), {
      count: 30,
      postTimeoutMs: 5000,
      terminalWithinMs: 1500,
      signal: new AbortController().signal,
    });
    expect(result).to.include({ accepted: 10, completed: 10, stuck: 0 });
    expect(result.statuses).to.deep.equal({ 202: 10, 503: 20 });
    expect(result.refusedButPlaced).to.deep.equal({ count: 20, notTerminal: 10 });
  });

  it("says when every order of a burst ended", async () => {
    const result = await burst(target(api.url, ["a", "slow"]), {
      count: 30,
      postTimeoutMs: 5000,
      terminalWithinMs: 5000,
      signal: new AbortController().signal,
    });
    expect(result).to.include({ accepted: 30, completed: 30, stuck: 0 });
    expect(result.allTerminalMs).to.be.a("number").and.below(5000);
  });
});
