// Two order-processor replicas in compose (docker-compose.replicas.yml): the second
// replica's pod joins the running stack; under load, its app process is killed with
// SIGKILL from the host, as the chaos test kills (Docker restarts it); every accepted
// order must still complete, each charged once, stock conserved. Prints an audit table.
// Clients place orders on 127.0.0.1:3000 (the first replica; the second publishes no
// port): placement gives about half of the workflows to the second replica.
// Loopback only; every loop is bounded in count and time.
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { call, eachLimited, follow, items, orderView, place, sleep, stock, terminal, urls, type PlacedOrder } from "./orders-client.js";
import { artifacts, composeArgs, composeFile, provision, repoRoot, run, stackUp } from "./stack.js";

const replicasFile = path.join(repoRoot, "docker-compose.replicas.yml");
const replica = ["order-processor-2-net", "order-processor-2-dapr", "order-processor-2"];
const plan = {
  clients: 4,
  /** The kill this long into the load, which goes on this long after it. */
  killAfterMs: 15_000,
  loadAfterKillMs: 30_000,
  answerTimeoutMs: 60_000,
  followMs: 10_000,
  settleTimeoutMs: 180_000,
  /** Units of each item after a restock (inventory is recreated with it): more than the test's orders take. */
  restockQuantity: 5000,
};

/** `docker compose` with docker-compose.yml and docker-compose.replicas.yml. */
async function composeReplicas(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const files = composeArgs.flatMap((arg) => (arg === composeFile ? [arg, "--file", replicasFile] : [arg]));
  return run("docker", [...files, ...args], { env: { ...(await provision()), ...env } });
}

describe("compose: a second order-processor replica (docker-compose.replicas.yml), its app killed under load", function () {
  const credentials = { operator: {} as Record<string, string>, paymentsSidecar: {} as Record<string, string> };

  before(async function () {
    this.timeout(10 * 60_000);
    await stackUp();
    const env = await provision();
    credentials.operator = { authorization: `Bearer ${env.OPERATOR_TOKEN}` };
    credentials.paymentsSidecar = { "dapr-api-token": env.PAYMENTS_APP_API_TOKEN! };
    const started = Date.now();
    // inventory recreated with a restock of its own (its sidecar and pod stay), and the replica's pod.
    const restock = { RESTOCK_QUANTITY: String(plan.restockQuantity) };
    await composeReplicas(["up", "--detach", "--wait", "--wait-timeout", "180", "--no-deps", "inventory", ...replica], restock);
    console.log(`    ${replica.join(", ")} up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  after(async function () {
    this.timeout(120_000);
    // The pod's logs go with the stack's (stack.ts saves those at teardown, when this pod is gone).
    const logs = await composeReplicas(["logs", "--no-color", "--timestamps", ...replica]).catch((err: unknown) => String(err));
    writeFileSync(path.join(artifacts, "replica.log"), logs);
    await composeReplicas(["rm", "--stop", "--force", ...replica]);
  });

  it("completes every accepted order, charged once, with stock conserved", async function () {
    this.timeout(10 * 60_000);
    const restocked = await call("POST", `${urls.notifications}/api/inventory/restock`, {}, credentials.operator);
    expect(restocked.status, `restock answered ${JSON.stringify(restocked.body)}`).to.equal(200);
    const initialStock = await stock();

    const orders: PlacedOrder[] = [];
    const start = Date.now();
    const since = () => `+${((Date.now() - start) / 1000).toFixed(1).padStart(5)} s`;
    const loadEnd = start + plan.killAfterMs + plan.loadAfterKillMs;
    const client = async (c: number) => {
      for (let n = 0; Date.now() < loadEnd; n++) {
        const order: PlacedOrder = { key: randomUUID(), customer: `replicas-${c}`, item: items[(c + n) % items.length]!, total: 10 + (n % 40), attempts: 0 };
        orders.push(order);
        await place(order, plan.answerTimeoutMs);
        if (order.id !== undefined) await follow(order, plan.followMs);
      }
    };
    let killedAt = 0;
    const killer = async () => {
      await sleep(start + plan.killAfterMs - Date.now());
      const worked = await activitiesLogged();
      const container = (await composeReplicas(["ps", "--quiet", "order-processor-2"])).trim();
      const pid = Number((await run("docker", ["inspect", "--format", "{{.State.Pid}}", container])).trim());
      expect(pid, "order-processor-2's main process").to.be.above(0);
      killedAt = Date.now();
      process.kill(pid, "SIGKILL");
      const accepted = orders.filter((o) => o.id !== undefined).length;
      console.log(`    ${since()}  kill -9 order-processor-2 (pid ${pid}); orders so far: ${accepted} accepted; inventory calls logged by order-processor-2 so far: ${worked}`);
    };
    await Promise.all([killer(), ...Array.from({ length: plan.clients }, (_, c) => client(c))]);
    console.log(`    ${since()}  load stopped: ${orders.length} orders placed; waiting for every one to end`);

    const accepted = orders.filter((o): o is PlacedOrder & { id: string } => o.id !== undefined);
    const settleDeadline = Date.now() + plan.settleTimeoutMs;
    for (;;) {
      const open = accepted.filter((o) => !terminal.has(o.view?.status ?? ""));
      await eachLimited(open, 8, async (o) => {
        o.view = (await orderView(o.id).catch(() => undefined)) ?? o.view;
      });
      if (open.every((o) => terminal.has(o.view?.status ?? "")) || Date.now() > settleDeadline) break;
      await sleep(1000);
    }
    console.log(`    ${since()}  settled`);

    const payments = new Map<string, string>();
    await eachLimited(accepted, 8, async (o) => {
      const res = await call("GET", `${urls.payments}/api/v1/payments/${encodeURIComponent(o.id)}`, undefined, credentials.paymentsSidecar);
      payments.set(o.id, res.status === 404 ? "none" : res.status === 200 ? String(res.body?.status) : `HTTP ${res.status}`);
    });
    const finalStock = await stock();

    const problems: string[] = [];
    const rows: [string, string | number][] = [];
    const row = (label: string, value: string | number, problem = false) => {
      rows.push([label, value]);
      if (problem && value !== 0) problems.push(`${label}: ${value}`);
    };
    const completed = accepted.filter((o) => o.view?.status === "COMPLETED" && o.view.order_result?.success === true);
    const notCompleted = accepted.filter((o) => !completed.includes(o));
    const inFlight = accepted.filter((o) => Date.parse(o.view?.created_time ?? "") < killedAt && Date.parse(o.view?.last_updated_time ?? "") > killedAt);
    const lastInFlight = Math.max(...inFlight.map((o) => Date.parse(o.view!.last_updated_time)));
    row("orders placed", orders.length);
    row("  accepted (202)", accepted.length);
    row("  refused (4xx to POST)", orders.filter((o) => o.refused !== undefined).length, true);
    row(`  no answer within ${plan.answerTimeoutMs / 1000} s`, orders.filter((o) => o.unanswered).length, true);
    row("  POST retries (same Idempotency-Key)", orders.reduce((sum, o) => sum + Math.max(0, o.attempts - 1), 0));
    row("in flight at the kill (placed before, ended after)", inFlight.length);
    row("  the last of them ended, after the kill", Number.isFinite(lastInFlight) ? `${((lastInFlight - killedAt) / 1000).toFixed(1)} s` : "none");
    row("completed", completed.length);
    row("  of them placed after the kill", completed.filter((o) => Date.parse(o.view!.created_time) > killedAt).length);
    row("failed, or not ended after the wait", notCompleted.length, true);
    row("completed and charged once (payments: charged)", completed.filter((o) => payments.get(o.id) === "charged").length);
    row("completed but not charged", completed.filter((o) => payments.get(o.id) !== "charged").length, true);
    row("not completed but charged", notCompleted.filter((o) => payments.get(o.id) === "charged").length, true);
    for (const item of items) {
      const taken = completed.filter((o) => o.item === item).length;
      const difference = initialStock[item]! - taken - finalStock[item]!;
      row(`stock ${item}: ${initialStock[item]} - ${taken} completed = ${finalStock[item]}; leaked (+) or doubled (-)`, difference, true);
    }
    const width = Math.max(...rows.map(([label]) => label.length));
    console.log("\n    audit: order-processor-2's app killed");
    for (const [label, value] of rows) console.log(`      ${label.padEnd(width)}  ${value}`);
    console.log("");
    for (const o of notCompleted.slice(0, 10)) console.log(`    not completed: ${o.id} (${o.view?.status ?? "unknown"}): ${o.view?.order_result?.message ?? ""}`);
    for (const o of orders.filter((o) => o.unanswered).slice(0, 10)) console.log(`    unanswered: ${o.key}, its last answer: ${o.lastFailure ?? "none"}`);

    if (problems.length > 0) await printTroubles();
    expect(problems, "losses (the audit table above)").to.deep.equal([]);
  });
});

/** How many "inventory answered" lines order-processor-2 logged: the workflows it ran. */
async function activitiesLogged(): Promise<number> {
  const logs = await composeReplicas(["logs", "--no-color", "order-processor-2"]);
  return logs.split("\n").filter((line) => line.includes('"inventory answered"')).length;
}

/** The last warnings and errors of both replicas and their sidecars, for a failed run's output. */
async function printTroubles(): Promise<void> {
  const services = ["order-processor", "order-processor-dapr", "order-processor-2", "order-processor-2-dapr"];
  const logs = await composeReplicas(["logs", "--no-color", "--tail", "3000", ...services]).catch((err: unknown) => String(err));
  const troubles = logs.split("\n").filter((line) => /"level":"(warn|error)"|level=(warning|error|fatal)/.test(line));
  console.log(`    the replicas' last warnings and errors (${troubles.length} in all):`);
  for (const line of troubles.slice(-30)) console.log(`      ${line.slice(0, 400)}`);
}
