// The API contract, fuzzed: Schemathesis (scripts/schemathesis.sh) reads each app's
// GET /openapi.json and sends thousands of requests made from it, valid and not, to
// the running stack, checking each answer: never a 5xx (but the 503 with Retry-After
// that placing an order answers on purpose: schemathesis.toml), and its status, content
// type, headers and body as the document says. Then the stack must still place an order
// and complete it. Bounded: a number of requests per route and a time budget per app.
// Runs last: it clears and restocks the inventory, and leaves orders behind. On the
// local stack only: a stack of others' (E2E_STACK=external) is not fuzzed.
import { execFile, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { freePort, repoRoot } from "@dapr-orders/local-stack";
import { placeOrder, restock, waitUntilFinished } from "./http.js";
import { credentials, stackControl, stackKind, urls } from "./target.js";

/** Requests per route and phase, and the time budget of one app's run, in seconds. */
const maxExamples = Number(process.env.FUZZ_MAX_EXAMPLES || 150);
const maxSeconds = Number(process.env.FUZZ_MAX_SECONDS || 120);
const reportDir = path.join(repoRoot, "test-artifacts", "e2e", "schemathesis");

interface FuzzRun {
  code: number | null;
  output: string;
  /** Test cases Schemathesis generated and sent (its summary). */
  requests: number;
}

/** Runs Schemathesis on the document at `base`/openapi.json; its output goes to the test's output too. */
async function fuzz(st: string, name: string, base: string, headers: Record<string, string>): Promise<FuzzRun> {
  const report = path.join(reportDir, `${name}.ndjson`);
  const seed = Number(process.env.FUZZ_SEED || Math.floor(Math.random() * 1e9));
  const args = [
    "--config-file",
    path.join(repoRoot, "e2e-tests", "schemathesis.toml"),
    "run",
    `${base}/openapi.json`,
    "--checks",
    "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance",
    "--phases",
    "examples,coverage,fuzzing,stateful",
    "--max-examples",
    String(maxExamples),
    "--max-time",
    String(maxSeconds),
    "--seed",
    String(seed),
    "--workers",
    "2",
    "--request-timeout",
    "30",
    "--generation-database",
    "none",
    "--report",
    "ndjson",
    "--report-ndjson-path",
    report,
    "--no-color",
    ...Object.entries(headers).flatMap(([header, value]) => ["--header", `${header}: ${value}`]),
  ];
  console.log(`    schemathesis on ${name} (seed ${seed}; FUZZ_SEED=${seed} repeats it)`);
  const child = spawn(st, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { code, output, requests: Number(/(\d+) generated/.exec(output)?.[1] ?? 0) };
}

describe("the API contract, fuzzed (Schemathesis)", function () {
  this.timeout(4 * maxSeconds * 1000 + 5 * 60_000);
  let st = "";
  let dashboard = "";

  before(async function () {
    if (stackKind !== "local") this.skip();
    this.timeout(10 * 60_000); // the first time: a venv and pip install
    mkdirSync(reportDir, { recursive: true });
    st = (await promisify(execFile)(path.join(repoRoot, "scripts", "schemathesis.sh"), [], { maxBuffer: 1 << 20 })).stdout.trim();
    // The dashboard fuzzed on an instance of its own that counts no wrong tokens (the
    // fuzzer sends many): the other instance's limit keeps locking out only guessers.
    dashboard = await stackControl()!.startInstance!("notifications", await freePort(), { LOGIN_FAILURE_LIMIT: "0", DASHBOARD_ORDER_RATE_LIMIT: "0" });
  });

  const runs: Record<string, FuzzRun> = {};
  after(() => {
    if (Object.keys(runs).length === 0) return;
    const total = Object.values(runs).reduce((sum, r) => sum + r.requests, 0);
    console.log(`    schemathesis: ${total} requests (${Object.entries(runs).map(([n, r]) => `${n} ${r.requests}`).join(", ")})`);
  });

  it("order-processor answers every generated request as its document says, never with a 5xx", async () => {
    // As its sidecar calls it (the app token): the approval route is fuzzed past its check.
    const run = await fuzz(st, "order-processor", urls.orders, { "dapr-api-token": credentials.tokens("order-processor").appApiToken });
    runs["order-processor"] = run;
    expect(run.code, run.output.slice(-8000)).to.equal(0);
    expect(run.requests).to.be.greaterThan(100);
  });

  it("the dashboard's API (notifications) does too, as the operator", async () => {
    const run = await fuzz(st, "notifications", dashboard, { authorization: `Bearer ${credentials.operatorToken}` });
    runs.notifications = run;
    expect(run.code, run.output.slice(-8000)).to.equal(0);
    expect(run.requests).to.be.greaterThan(100);
  });

  it("still places an order and completes it afterwards", async () => {
    expect((await restock()).status).to.equal(200);
    const { id } = await placeOrder({ customer: "after the fuzzer", item: "kiwi", total: 12.5 });
    const done = await waitUntilFinished(id);
    expect(done.status).to.equal("COMPLETED");
    expect(done.order_result?.success).to.equal(true);
  });
});
