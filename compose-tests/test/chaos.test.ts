// Chaos: the compose stack under steady load while, every 10 s for two minutes, one
// process of it is killed with SIGKILL from the host, as a crash would (`docker kill`
// would mark the container as stopped on purpose, and Docker would not restart it).
// Then, touching nothing, the test waits for every order to end and audits each one:
// none stuck, none failed for an outage alone, money kept exactly for completed
// orders, stock conserved, every completed order's notifications on the dashboard
// once each, and orders completing again within 60 s of every kill. It prints the
// audit table and fails on any loss.
//
// Seeded: CHAOS_SEED=<n> replays the same choice of victims (the seed is printed).
// Loopback and the compose network only; every loop is bounded in count and time.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { io, type Socket } from "socket.io-client";
import {
  AuditTable,
  call,
  eachLimited,
  follow,
  items,
  orderView,
  paymentStatusOf,
  place,
  sleep,
  stock,
  terminal,
  urls,
  type PlacedOrder as ClientOrder,
} from "./orders-client.js";
import { compose, provision, run, stackUp } from "./stack.js";

const plan = {
  clients: 4,
  /** A kill every 10 s, the first 10 s in, the last 130 s in: two minutes of kills. */
  killEveryMs: 10_000,
  kills: 13,
  /** The load goes on this long after the last kill, to see orders complete after it too. */
  loadAfterLastKillMs: 30_000,
  /** Every 6th order of a client is over the approval threshold; the test approves it. */
  approvalEvery: 6,
  approvalTotal: 1500,
  /** For the orders of this test: long enough that an approval delayed by kills still counts. */
  approvalTimeoutSeconds: 600,
  /** Units of each item after a restock: more than the test's orders take. */
  restockQuantity: 2000,
  /** How long a client keeps asking (placing with the same Idempotency-Key, approving). */
  answerTimeoutMs: 120_000,
  /** How long a client waits for its order before it places the next one. */
  followMs: 10_000,
  /** After the load: how long every order gets to end, touching nothing. */
  settleTimeoutMs: 5 * 60_000,
  /** After each kill, an order placed after it must complete within this. */
  recoveryLimitMs: 60_000,
};

/**
 * What the test acts with, from the run's secrets (stack.ts, provision): the operator's
 * (restock and approvals go through the dashboard's API, as the operator's do) and what
 * payments' sidecar sends it (the audit reads each payment at payments itself).
 */
const credentials = { operator: {} as Record<string, string>, paymentsSidecar: {} as Record<string, string> };

/** Every process of the stack that can crash: the apps, their sidecars, Redis, Sentry, placement, scheduler. */
const victims = [
  "order-processor",
  "order-processor-dapr",
  "notifications",
  "notifications-dapr",
  "inventory",
  "inventory-dapr",
  "payments",
  "payments-dapr",
  "shipping",
  "shipping-dapr",
  "redis",
  "sentry",
  "placement",
  "scheduler",
];

/** What a failed order may fail for: a real answer, never an outage. */
const realReason = /out of stock|declined|rejected|no courier/i;
/** The notification types of a completed order, in seq order (team contract). */
const completedTypes = {
  direct: ["placed", "reserved", "paid", "shipped", "completed"],
  approval: ["placed", "reserved", "awaitingApproval", "approved", "paid", "shipped", "completed"],
};

interface PlacedOrder extends ClientOrder {
  needsApproval: boolean;
  approved?: boolean;
}

/** A dashboard event as notifications sends it ("history" and "notification"). */
interface DashboardEvent {
  id: string;
  order_id: string;
  seq?: number;
  type?: string;
  message?: string;
}

interface Kill {
  at: number;
  victim: string;
  pid: number;
  /** Seconds from the kill to the first completion of an order placed after it. */
  recoverySeconds?: number;
}

describe("chaos: kill -9 of one process of the compose stack every 10 s, under load", function () {
  const seed = Number(process.env.CHAOS_SEED || Math.floor(Math.random() * 2 ** 32)) >>> 0;

  before(async function () {
    this.timeout(15 * 60_000);
    await stackUp();
    const env = await provision();
    credentials.operator = { authorization: `Bearer ${env.OPERATOR_TOKEN}` };
    credentials.paymentsSidecar = { "dapr-api-token": env.PAYMENTS_APP_API_TOKEN! };
    // Settings of its own (the end-to-end suite's are short and small): order-processor and
    // inventory are recreated with them; their sidecars and the holders of their network
    // namespaces stay. An order takes its approval deadline when it is placed.
    await compose(["up", "--detach", "--wait", "--wait-timeout", "120", "order-processor", "inventory"], {
      env: { APPROVAL_TIMEOUT_SECONDS: String(plan.approvalTimeoutSeconds), RESTOCK_QUANTITY: String(plan.restockQuantity) },
    });
  });

  it("loses nothing and recovers from every kill within 60 s", async function () {
    this.timeout(15 * 60_000);
    console.log(`    seed ${seed} (CHAOS_SEED=${seed} replays this run's choice of victims)`);
    const random = mulberry32(seed);

    const restocked = await call("POST", `${urls.notifications}/api/inventory/restock`, {}, credentials.operator);
    expect(restocked.status, `restock answered ${JSON.stringify(restocked.body)}`).to.equal(200);
    const initialStock = await stock();
    const feed = new DashboardFeed(urls.notifications);
    await feed.connected(30_000);

    // ---- load and kills ------------------------------------------------------------------
    const orders: PlacedOrder[] = [];
    const kills: Kill[] = [];
    const start = Date.now();
    const loadEnd = start + plan.kills * plan.killEveryMs + plan.loadAfterLastKillMs;
    const since = () => `+${((Date.now() - start) / 1000).toFixed(1).padStart(5)} s`;

    const client = async (c: number) => {
      for (let n = 1; Date.now() < loadEnd; n++) {
        const needsApproval = n % plan.approvalEvery === 0;
        const order: PlacedOrder = {
          key: randomUUID(),
          customer: `chaos-${c}`,
          item: items[(c + n) % items.length]!,
          total: needsApproval ? plan.approvalTotal : 10 + (n % 40),
          needsApproval,
          attempts: 0,
        };
        orders.push(order);
        await place(order, plan.answerTimeoutMs);
        if (order.id === undefined) continue;
        if (needsApproval) await approve(order);
        await follow(order, plan.followMs);
      }
    };

    const killer = async () => {
      for (let i = 1; i <= plan.kills; i++) {
        await sleep(start + i * plan.killEveryMs - Date.now());
        const kill = await killOne(random);
        const accepted = orders.filter((o) => o.id !== undefined).length;
        const done = orders.filter((o) => o.view?.status === "COMPLETED").length;
        if (kill === undefined) {
          console.log(`    ${since()}  no process of the stack was running to kill`);
          continue;
        }
        kills.push(kill);
        console.log(`    ${since()}  kill -9 ${kill.victim} (pid ${kill.pid}); orders so far: ${accepted} accepted, ${done} seen completed`);
      }
    };

    await Promise.all([killer(), ...Array.from({ length: plan.clients }, (_, c) => client(c + 1))]);
    console.log(`    ${since()}  load stopped: ${orders.length} orders placed; waiting for every one to end, touching nothing`);

    // ---- settle: every accepted order terminal, its notifications arrived ------------------
    const accepted = orders.filter((o): o is PlacedOrder & { id: string } => o.id !== undefined);
    const settleDeadline = Date.now() + plan.settleTimeoutMs;
    for (;;) {
      const open = accepted.filter((o) => !terminal.has(o.view?.status ?? ""));
      await eachLimited(open, 8, async (o) => {
        o.view = (await orderView(o.id).catch(() => undefined)) ?? o.view;
      });
      const stillOpen = open.filter((o) => !terminal.has(o.view?.status ?? "")).length;
      if (stillOpen === 0 || Date.now() > settleDeadline) break;
      await sleep(2000);
    }
    const completed = accepted.filter(isCompleted);
    const expectedEvents = (o: PlacedOrder) => (o.needsApproval ? completedTypes.approval : completedTypes.direct).length;
    while (Date.now() < settleDeadline && completed.some((o) => feed.eventsOf(o.id!).length < expectedEvents(o))) await sleep(500);
    console.log(`    ${since()}  settled`);

    // ---- audit ----------------------------------------------------------------------------
    // The final state of every order (completion times included), its payment, the stock,
    // and the dashboard's history as a page that connects now gets it.
    await eachLimited(accepted, 8, async (o) => {
      o.view = await orderView(o.id);
    });
    const payments = new Map<string, string>();
    await eachLimited(accepted, 8, async (o) => {
      payments.set(o.id, paymentStatusOf(await call("GET", `${urls.payments}/api/v1/payments/${encodeURIComponent(o.id)}`, undefined, credentials.paymentsSidecar)));
    });
    const finalStock = await stock();
    const history = await readHistory(urls.notifications);
    feed.close();

    const table = new AuditTable();

    // Orders.
    const failed = accepted.filter((o) => terminal.has(o.view?.status ?? "") && !isCompleted(o));
    const failedForOutage = failed.filter((o) => !realReason.test(reason(o)));
    const stuck = accepted.filter((o) => !terminal.has(o.view?.status ?? ""));
    table.row("orders placed", orders.length);
    table.row("  accepted (202)", accepted.length);
    table.row("  refused (4xx to POST)", orders.filter((o) => o.refused !== undefined).length, true);
    table.row("  no answer within 120 s (unknown)", orders.filter((o) => o.unanswered).length, true);
    table.row("  POST retries (same Idempotency-Key)", orders.reduce((sum, o) => sum + Math.max(0, o.attempts - 1), 0));
    table.row("  over the approval threshold, approved by the test", accepted.filter((o) => o.approved).length);
    table.row("  approval not delivered", accepted.filter((o) => o.needsApproval && !o.approved && !terminal.has(o.view?.status ?? "")).length, true);
    table.row("completed", completed.length);
    table.row("failed for a real reason", failed.length - failedForOutage.length);
    table.row("failed for an outage alone", failedForOutage.length, true);
    table.row("stuck (not terminal after the wait)", stuck.length, true);

    // Money: charged exactly for the completed orders.
    const notCharged = completed.filter((o) => payments.get(o.id) !== "charged");
    const kept = failed.filter((o) => payments.get(o.id) === "charged");
    table.row("completed and charged", completed.length - notCharged.length);
    table.row("completed but not charged", notCharged.length, true);
    table.row("failed but charged (kept payments)", kept.length, true);

    // Stock: initial - completed = final, per item.
    for (const item of Object.keys(initialStock)) {
      const taken = completed.filter((o) => o.item === item).length;
      const difference = initialStock[item]! - taken - (finalStock[item] ?? 0);
      table.row(`stock ${item}: ${initialStock[item]} - ${taken} completed = ${finalStock[item]}; units leaked (+) or doubled (-)`, difference, true);
    }

    // Notifications: seq 1..n exactly once, with the contract's types, live and in the history.
    const historyByOrder = groupByOrder(history);
    const liveProblems = completed.map((o) => notificationProblem(o, feed.eventsOf(o.id))).filter(Boolean);
    const historyProblems = completed.map((o) => notificationProblem(o, historyByOrder.get(o.id) ?? [])).filter(Boolean);
    const repeats = (events: DashboardEvent[]) => {
      const seen = new Set<string>();
      return events.filter((e) => (seen.has(`${e.order_id} ${e.seq}`) ? true : (seen.add(`${e.order_id} ${e.seq}`), false))).length;
    };
    table.row("completed orders with notifications 1..n exactly once (live)", completed.length - liveProblems.length);
    table.row("  missing, repeated or out of place (live)", liveProblems.length, true);
    table.row("  missing, repeated or out of place (history)", historyProblems.length, true);
    table.row("notifications shown twice, any order (live, history)", repeats(feed.all()) + repeats(history), true);
    table.row("dashboard reconnections", feed.connects - 1);

    // Recovery: after each kill, the first completion of an order placed after it.
    const completions = completed.map((o) => ({ created: Date.parse(o.view!.created_time), done: Date.parse(o.view!.last_updated_time) }));
    for (const kill of kills) {
      const first = Math.min(...completions.filter((c) => c.created > kill.at).map((c) => c.done));
      if (Number.isFinite(first)) kill.recoverySeconds = (first - kill.at) / 1000;
    }
    const slow = kills.filter((k) => k.recoverySeconds === undefined || k.recoverySeconds * 1000 > plan.recoveryLimitMs);
    table.row("kills", kills.length);
    table.row("kills not followed by a completion within 60 s", slow.length, true);

    table.print("audit");
    printKills(kills, start);
    for (const o of failedForOutage.slice(0, 10)) console.log(`    failed for an outage: ${o.id} (${o.view?.status}): ${reason(o)}`);
    for (const o of stuck.slice(0, 10)) console.log(`    stuck: ${o.id} (${o.view?.status ?? "unknown"})`);
    for (const line of liveProblems.slice(0, 10)) console.log(`    live: ${line}`);
    for (const line of historyProblems.slice(0, 10)) console.log(`    history: ${line}`);

    expect(kills.length, "kills").to.be.at.least(12);
    expect(table.problems, "losses (the audit table above)").to.deep.equal([]);
  });
});

// ---- the clients ---------------------------------------------------------------------------

/**
 * Approves the order once it waits for approval, as the operator does (through the
 * dashboard's API); stops when it ended anyway (bounded).
 */
async function approve(order: PlacedOrder): Promise<void> {
  const deadline = Date.now() + plan.answerTimeoutMs;
  const url = `${urls.notifications}/api/orders/${encodeURIComponent(order.id!)}/approve`;
  while (Date.now() < deadline) {
    try {
      const res = await call("POST", url, { approved: true }, credentials.operator);
      if (res.status === 200) {
        order.approved = true;
        return;
      }
      if (res.status === 409) {
        const view = await orderView(order.id!);
        if (terminal.has(view.status)) return;
      }
    } catch {
      // no answer: ask again
    }
    await sleep(300);
  }
}

// ---- the kills -----------------------------------------------------------------------------

/** SIGKILL to the main process of a randomly chosen container of the stack, from the host. */
async function killOne(random: () => number): Promise<Kill | undefined> {
  for (let tries = 0; tries < 20; tries++) {
    const victim = victims[Math.floor(random() * victims.length)]!;
    const container = (await compose(["ps", "--quiet", victim])).trim();
    if (container === "") continue;
    const pid = Number((await run("docker", ["inspect", "--format", "{{.State.Pid}}", container])).trim());
    if (pid <= 0) continue; // restarting right now: choose again
    process.kill(pid, "SIGKILL");
    return { at: Date.now(), victim, pid };
  }
  return undefined;
}

// ---- the dashboard -------------------------------------------------------------------------

/**
 * A page of the dashboard: Socket.IO, reconnecting with the id of the last event it has
 * (`auth: { lastEventId }`), so that it gets what it missed as "history". Keeps every
 * event once by its id, as the page does.
 */
class DashboardFeed {
  connects = 0;
  private readonly events = new Map<string, DashboardEvent>();
  private lastId: string | undefined;
  private readonly socket: Socket;

  constructor(url: string) {
    this.socket = io(url, {
      transports: ["websocket"],
      reconnectionDelay: 500,
      reconnectionDelayMax: 2000,
      timeout: 5000,
      auth: (send) => send(this.lastId === undefined ? {} : { lastEventId: this.lastId }),
    });
    this.socket.on("connect", () => (this.connects += 1));
    this.socket.on("history", (reply: { events?: DashboardEvent[] }) => {
      for (const event of reply.events ?? []) this.add(event);
    });
    this.socket.on("notification", (event: DashboardEvent) => this.add(event));
    this.socket.on("disconnect", (why) => {
      if (why === "io server disconnect") this.socket.connect(); // the server closed it: Socket.IO would not retry
    });
  }

  connected(timeoutMs: number): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no Socket.IO connection to notifications within ${timeoutMs} ms`)), timeoutMs);
      this.socket.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  eventsOf(orderId: string): DashboardEvent[] {
    return this.all().filter((e) => e.order_id === orderId);
  }

  all(): DashboardEvent[] {
    return [...this.events.values()];
  }

  close(): void {
    this.socket.close();
  }

  private add(event: DashboardEvent): void {
    this.events.set(event.id, event);
    if (this.lastId === undefined || compareEventIds(event.id, this.lastId) > 0) this.lastId = event.id;
  }
}

/** What a page that connects now gets: the whole history. */
function readHistory(url: string): Promise<DashboardEvent[]> {
  const socket = io(url, { transports: ["websocket"], reconnection: false, timeout: 10_000 });
  return new Promise<DashboardEvent[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no history from notifications within 30 s")), 30_000);
    socket.once("history", (reply: { events?: DashboardEvent[]; error?: string }) => {
      clearTimeout(timer);
      if (reply.error !== undefined) reject(new Error(`history: ${reply.error}`));
      else resolve(reply.events ?? []);
    });
    socket.once("connect_error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  }).finally(() => socket.close());
}

/** Stream ids "<ms>-<n>", compared as numbers. */
function compareEventIds(a: string, b: string): number {
  const [am, an] = a.split("-").map(BigInt);
  const [bm, bn] = b.split("-").map(BigInt);
  return am! !== bm! ? (am! < bm! ? -1 : 1) : an! === bn! ? 0 : an! < bn! ? -1 : 1;
}

function groupByOrder(events: DashboardEvent[]): Map<string, DashboardEvent[]> {
  const byOrder = new Map<string, DashboardEvent[]>();
  for (const event of events) byOrder.set(event.order_id, [...(byOrder.get(event.order_id) ?? []), event]);
  return byOrder;
}

/** undefined when the order's events are seq 1..n exactly once with the contract's types. */
function notificationProblem(order: PlacedOrder, events: DashboardEvent[]): string | undefined {
  const expected = order.needsApproval ? completedTypes.approval : completedTypes.direct;
  const got = [...events].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0)).map((e) => `${e.seq}:${e.type}`);
  const want = expected.map((type, i) => `${i + 1}:${type}`);
  return got.join(" ") === want.join(" ") ? undefined : `${order.id}: got [${got.join(" ")}], want [${want.join(" ")}]`;
}

// ---- small helpers -------------------------------------------------------------------------

const isCompleted = (o: PlacedOrder) => o.view?.status === "COMPLETED" && o.view.order_result?.success === true;
const reason = (o: PlacedOrder) => o.view?.order_result?.message ?? o.view?.failure_details?.message ?? "";

/** A small seeded pseudo-random generator (mulberry32): the same seed, the same victims. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function printKills(kills: Kill[], start: number): void {
  console.log("    kills (first completion of an order placed after each)");
  for (const kill of kills) {
    const at = ((kill.at - start) / 1000).toFixed(1).padStart(6);
    const recovery = kill.recoverySeconds === undefined ? "none" : `${kill.recoverySeconds.toFixed(1)} s`;
    console.log(`      +${at} s  ${kill.victim.padEnd(21)} pid ${String(kill.pid).padEnd(7)} orders completing again after ${recovery}`);
  }
  console.log("");
}
