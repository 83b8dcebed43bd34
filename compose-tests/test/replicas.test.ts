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
  stock,
  urls,
  type PlacedOrder,
} from "./orders-client.js";
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
    // --build: the replica's app has an image of its own (order-processor-2's), which a plain
    // `up` builds only when it is missing; a leftover of an older run would run older code.
    const restock = { RESTOCK_QUANTITY: String(plan.restockQuantity) };
    await composeReplicas(["up", "--detach", "--build", "--wait", "--wait-timeout", "180", "--no-deps", "inventory", ...replica], restock);
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
    await settle(accepted, orderView, plan.settleTimeoutMs);
    console.log(`    ${since()}  settled`);

    const payments = new Map<string, string>();
    await eachLimited(accepted, 8, async (o) => {
      payments.set(o.id, paymentStatusOf(await call("GET", `${urls.payments}/api/v1/payments/${encodeURIComponent(o.id)}`, undefined, credentials.paymentsSidecar)));
    });
    const finalStock = await stock();

    const table = new AuditTable();
    const { notCompleted } = auditKill(table, { orders, killedAt, answerTimeoutMs: plan.answerTimeoutMs, payments, initialStock, finalStock });
    table.print("audit: order-processor-2's app killed");
    printNotCompleted(notCompleted);
    for (const o of orders.filter((o) => o.unanswered).slice(0, 10)) console.log(`    unanswered: ${o.key}, its last answer: ${o.lastFailure ?? "none"}`);

    if (table.problems.length > 0) await printTroubles();
    expect(table.problems, "losses (the audit table above)").to.deep.equal([]);
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
