// A burst of orders far above what the Dapr SDK's workflow worker queues (10
// running, 100 waiting: past that it drops work items, and their orders would
// never finish; the sidecars' workflow limits keep it below that). Every POST must
// be answered at once (202, or 503 with Retry-After, after which the client retries with the same Idempotency-Key),
// every accepted order must finish, and stock must not be oversold.
// The figures are printed, not asserted: `npm run bench` measures speed.
import { readFileSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { repoRoot } from "@dapr-orders/local-stack";
import { call } from "@dapr-orders/service-kit/http-client";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { getOrder, type OrderView, restock, stockOf } from "./http.js";
import { settings, stackKind, urls } from "./target.js";

const burst = 300;
const finished = new Set(["COMPLETED", "FAILED", "TERMINATED"]);

/** Runs `task` on every item, at most `limit` at a time. */
async function inBatches<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += limit) results.push(...(await Promise.all(items.slice(i, i + limit).map(task))));
  return results;
}

describe(`a burst of ${burst} orders at once`, function () {
  this.timeout(300_000);
  const item = "kiwi";
  const statuses: number[] = [];
  let ids: string[] = [];
  let answeredMs = 0;

  /** POST until it is accepted; a 503 is retried after its Retry-After with the same key (bounded). */
  async function place(key: string): Promise<string> {
    for (let attempt = 1; attempt <= 30; attempt++) {
      const res = await call("POST", `${urls.orders}/orders`, {
        json: { customer: "burst", item, total: 10 },
        headers: { "Idempotency-Key": key },
        timeoutMs: 15_000, // a hang fails the test
      });
      statuses.push(res.status);
      if (res.status === 202) return res.body.instance_id as string;
      expect(res.status, JSON.stringify(res.body)).to.equal(503);
      expect(Number(res.headers.get("retry-after"))).to.be.above(0);
      await new Promise((resolve) => setTimeout(resolve, Number(res.headers.get("retry-after")) * 1000));
    }
    throw new Error(`order ${key} was not accepted after 30 tries`);
  }

  before(async () => {
    expect((await restock()).status).to.equal(200);
    const run = randomUUID();
    const started = Date.now();
    ids = await Promise.all(Array.from({ length: burst }, (_, i) => place(`burst-${run}-${i}`)));
    answeredMs = Date.now() - started;
  });

  after(async () => {
    await restock();
  });

  it("answers every POST with 202 or 503, never a hang, and accepts every order in the end", () => {
    console.log(
      `    ${burst} orders accepted in ${answeredMs} ms; answers: ${statuses.filter((s) => s === 202).length} x 202, ` +
        `${statuses.filter((s) => s === 503).length} x 503`,
    );
    expect(new Set(ids).size).to.equal(burst);
  });

  it("finishes every accepted order, selling exactly the stock there was", async () => {
    const started = Date.now();
    const views = new Map<string, OrderView>();
    await pollUntil(
      `all ${burst} orders to finish`,
      async () => {
        const open = ids.filter((id) => !finished.has(views.get(id)?.status ?? ""));
        for (const view of await inBatches(open, 25, getOrder)) views.set(view.id, view);
        return ids.every((id) => finished.has(views.get(id)!.status));
      },
      { timeoutMs: 180_000 },
    );
    const results = [...views.values()].map((v) => v.order_result);
    const sold = results.filter((r) => r?.success).length;
    console.log(`    all finished ${Date.now() - started} ms after the last was accepted; ${sold} sold`);
    expect([...views.values()].every((v) => v.status === "COMPLETED")).to.equal(true);
    expect(sold).to.equal(settings.restockQuantity);
    for (const r of results.filter((r) => !r?.success)) expect(r?.message).to.equal(`Failed to reserve inventory: Out of stock: ${item}`);
    expect(await stockOf(item)).to.equal(0);
  });

  it("dropped no workflow work item", function () {
    if (stackKind !== "local") this.skip(); // the log is the local stack's
    const log = readFileSync(path.join(repoRoot, "test-artifacts", "e2e", "local-stack.log"), "utf8");
    expect(log.match(/dropping work item/g) ?? []).to.have.length(0);
  });
});
