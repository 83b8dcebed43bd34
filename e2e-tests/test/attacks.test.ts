// Attack paths, each tried as an attacker would on the running system: every one must
// stay closed. Where a test needs other settings than the suite's, it starts another
// instance of the app beside the stack (the same code, sidecar and Redis).
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { io, type Socket } from "socket.io-client";
import { freePort, repoRoot } from "@dapr-orders/local-stack";
import { call as request } from "@dapr-orders/service-kit/http-client";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { asOperator, ensureInStock, getOrder, stock } from "./http.js";
import { credentials, settings, stackControl, urls } from "./target.js";

/** An HTTP request with the headers given (Host too, which fetch will not send as told). */
function raw(method: string, url: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = http.request(url, { method, headers: { ...headers, ...(body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) }) } }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    sent.on("error", reject);
    sent.end(body);
  });
}

/** Runs an app's main module with `env` alone (and PATH), until it exits or `ms` pass; its exit code (null: still running, then killed) and output. */
function runApp(app: string, env: Record<string, string>, ms = 8000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, app, "dist", "src", "main.js")], { env: { PATH: process.env.PATH ?? "", ...env } });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Another instance of the app beside the stack, with `env` added; skips the test where the stack cannot start one. */
async function instance(ctx: Mocha.Context, appId: string, env: Record<string, string>): Promise<string> {
  const start = stackControl()?.startInstance;
  if (start === undefined) ctx.skip();
  return start(appId, await freePort(), env);
}

const json = { "content-type": "application/json" };

describe("attack paths", function () {
  this.timeout(90_000);

  describe("the sidecar-only routes and DNS rebinding", () => {
    it("an app without APP_API_TOKEN refuses to start; told to run insecure, it listens on 127.0.0.1 only and refuses any other HOST", async () => {
      const port = String(await freePort());
      const refused = await runApp("payments", { PORT: port });
      expect(refused.code, refused.output).to.not.equal(0);
      expect(refused.output).to.include("APP_API_TOKEN is not set");
      const everywhere = await runApp("payments", { PORT: port, INSECURE_NO_APP_TOKEN: "true", HOST: "0.0.0.0" });
      expect(everywhere.code, everywhere.output).to.not.equal(0);
      expect(everywhere.output).to.include("HOST must be a loopback address");
      const insecure = await runApp("payments", { PORT: port, INSECURE_NO_APP_TOKEN: "true" }, 3000);
      const listening = insecure.output.split("\n").find((line) => line.includes('"msg":"listening"'));
      expect(listening, insecure.output).to.include('"host":"127.0.0.1"');
    });

    it("refuses a request whose Host names another site (a page brought here by DNS rebinding) on every app, and changes nothing", async () => {
      await ensureInStock(settings.items);
      const before = await stock();
      const evil = { ...json, host: "rebind.attacker.example:3000" };
      const tries: [string, string, string?][] = [
        ["POST", `${urls.orders}/orders`, JSON.stringify({ customer: "mallory", item: "kiwi", total: 5 })],
        ["DELETE", `${urls.inventory}/api/v1/inventory`],
        ["POST", `${urls.payments}/api/v1/payments`, JSON.stringify({ id: "2c624232-cdec-4b7e-9b7e-1a2b3c4d5e6f", customer: "mallory", item: "kiwi", total: 5 })],
        ["DELETE", `${urls.notifications}/api/inventory`],
        ["GET", `${urls.notifications}/`],
        ["GET", `${urls.notifications}/socket.io/?EIO=4&transport=polling`],
      ];
      for (const [method, url, body] of tries) {
        const res = await raw(method, url, { ...evil, ...asOperator() }, body);
        // Socket.IO refuses a handshake it does not allow with a 403 of its own.
        expect(res.status, `${method} ${url}`).to.be.oneOf(url.includes("/socket.io/") ? [403] : [400]);
      }
      expect(await stock()).to.deep.equal(before);
      expect((await raw("GET", `${urls.orders}/healthz`, { host: "localhost:3000" })).status, "localhost").to.equal(200);
    });
  });

  describe("placing orders: anonymous, but bounded", () => {
    it("answers 429 with Retry-After past ORDER_RATE_LIMIT orders per client address", async function () {
      const url = await instance(this, "order-processor", { ORDER_RATE_LIMIT: "2", ORDER_RATE_WINDOW_SECONDS: "60" });
      const order = { customer: "mallory", item: "kiwi", total: 5 };
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await request("POST", `${url}/orders`, { json: order })).status);
      expect(statuses).to.deep.equal([202, 202, 429]);
      const third = await request("POST", `${url}/orders`, { json: order });
      expect(Number(third.headers.get("retry-after"))).to.be.within(1, 60);
    });

    it("lets at most MAX_AWAITING_APPROVAL orders hold stock while they wait for approval: past it, 503 with Retry-After", async function () {
      await ensureInStock(["pear"]);
      const url = await instance(this, "order-processor", { MAX_AWAITING_APPROVAL: "1", ORDER_RATE_LIMIT: "0" });
      const big = { customer: "mallory", item: "pear", total: settings.approvalThreshold + 1 };
      const first = await request("POST", `${url}/orders`, { json: big });
      expect(first.status, JSON.stringify(first.body)).to.equal(202);
      const id: string = first.body.instance_id;
      await pollUntil(`order ${id} to wait for approval`, async () => (await getOrder(id)).awaiting_approval, { timeoutMs: 30_000 });
      const second = await request("POST", `${url}/orders`, { json: big });
      expect(second.status, JSON.stringify(second.body)).to.equal(503);
      expect(second.headers.get("retry-after")).to.equal("60");
      expect((await request("POST", `${url}/orders`, { json: { ...big, total: 5 } })).status, "an order below the threshold").to.equal(202);
      const rejected = await request("POST", `${urls.notifications}/api/orders/${id}/approve`, { json: { approved: false }, headers: asOperator() });
      expect(rejected.status).to.equal(200);
    });
  });

  describe("the operator's sign-in", () => {
    const signIn = (url: string, token: string, headers: Record<string, string> = {}) =>
      request("POST", `${url}/api/session`, { json: { token, name: "mallory" }, headers });

    it("behind a trusted proxy (TRUSTED_PROXY_HOPS=1), counts wrong tokens per forwarded client: one client locked out, not everyone", async function () {
      const url = await instance(this, "notifications", { TRUSTED_PROXY_HOPS: "1", LOGIN_FAILURE_LIMIT: "2" });
      const attacker = { "x-forwarded-for": `198.51.100.${1 + Math.floor(Math.random() * 200)}` };
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await signIn(url, `guess-${i}`, attacker)).status);
      expect(statuses).to.deep.equal([401, 401, 429]);
      const operator = { "x-forwarded-for": "203.0.113.9" };
      expect((await signIn(url, credentials.operatorToken, operator)).status).to.not.equal(429);
      // What the client writes before the proxy's own entry does not choose the key.
      const spoofed = { "x-forwarded-for": `203.0.113.77, ${attacker["x-forwarded-for"]}` };
      expect((await signIn(url, "guess-3", spoofed)).status).to.equal(429);
    });

    it("counts every try before checking it: of 30 parallel guesses (the right token last), at most LOGIN_FAILURE_LIMIT are checked", async function () {
      const url = await instance(this, "notifications", { TRUSTED_PROXY_HOPS: "1", LOGIN_FAILURE_LIMIT: "3" });
      const from = { "x-forwarded-for": `198.51.100.${1 + Math.floor(Math.random() * 200)}` };
      const tokens = [...Array.from({ length: 29 }, (_, i) => `guess-${i}`), credentials.operatorToken];
      const statuses = (await Promise.all(tokens.map((t) => signIn(url, t, from)))).map((r) => r.status);
      expect(statuses.filter((s) => s !== 429).length, statuses.join(",")).to.be.at.most(3);
    });

    it("refuses to start with a short OPERATOR_TOKEN", async () => {
      const res = await runApp("notifications", { APP_API_TOKEN: "t", PORT: String(await freePort()), OPERATOR_TOKEN: "short-token" });
      expect(res.code, res.output).to.not.equal(0);
      expect(res.output).to.include("OPERATOR_TOKEN must be at least 24 characters");
    });

    it("ends the sessions of a replaced token: a session opened with the old one lets nobody in with the new one", async function () {
      const old = await instance(this, "notifications", { OPERATOR_TOKEN: "the-leaked-operator-token-0001" });
      const signedIn = await signIn(old, "the-leaked-operator-token-0001");
      expect(signedIn.status).to.equal(200);
      const cookie = signedIn.headers.getSetCookie()[0]!.split(";")[0]!;
      expect((await request("GET", `${old}/api/session`, { headers: { cookie } })).body.operator).to.equal("mallory");
      const rotated = await instance(this, "notifications", { OPERATOR_TOKEN: "the-replacement-operator-token-02" });
      expect((await request("GET", `${rotated}/api/session`, { headers: { cookie } })).body.operator, "the same session, after the change").to.equal(null);
      expect((await request("DELETE", `${rotated}/api/inventory`, { headers: { cookie } })).status).to.equal(401);
    });

    it("with SECURE_COOKIE, sets a Secure __Host- cookie", async function () {
      const url = await instance(this, "notifications", { SECURE_COOKIE: "true" });
      const res = await signIn(url, credentials.operatorToken, {});
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-operator_session="));
      expect(cookie, JSON.stringify(res.headers.getSetCookie())).to.be.a("string");
      expect(cookie!.toLowerCase()).to.include("; secure").and.include("; path=/").and.not.include("domain=");
    });

    it("the page's sign-in form posts (the token never goes into a URL)", async () => {
      const page = await request("GET", `${urls.notifications}/`);
      expect(page.body).to.match(/<form id="sign-in"[^>]*method="post"/);
    });
  });

  describe("the live feed's connections", () => {
    const connect = (url: string): Promise<{ socket: Socket; outcome: string }> =>
      new Promise((resolve) => {
        const socket = io(url, { transports: ["websocket"], reconnection: false, localAddress: "127.0.0.4" } as Parameters<typeof io>[1]);
        socket.once("connect", () => resolve({ socket, outcome: "connected" }));
        socket.once("connect_error", (err) => (socket.close(), resolve({ socket, outcome: err.message })));
      });

    it("holds at most OPEN_CONNECTION_LIMIT open per client address, and takes another once one closes", async function () {
      const url = await instance(this, "notifications", { OPEN_CONNECTION_LIMIT: "2", CONNECTION_LIMIT: "0" });
      const first = await connect(url);
      const second = await connect(url);
      const third = await connect(url);
      try {
        expect([first.outcome, second.outcome]).to.deep.equal(["connected", "connected"]);
        expect(third.outcome).to.match(/^too many open connections from this address/);
        first.socket.close();
        await pollUntil("a place to free up", async () => {
          const again = await connect(url);
          again.socket.close();
          return again.outcome === "connected";
        }, { timeoutMs: 10_000 });
      } finally {
        for (const c of [first, second, third]) c.socket.close();
      }
    });

    it("refuses a message larger than a handshake needs (413)", async () => {
      const open = await raw("GET", `${urls.notifications}/socket.io/?EIO=4&transport=polling`, {});
      const sid = /"sid":"([^"]+)"/.exec(open.body)?.[1];
      expect(sid, open.body).to.be.a("string");
      const big = await raw("POST", `${urls.notifications}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { "content-type": "text/plain;charset=UTF-8" }, "4" + "x".repeat(64 * 1024));
      expect(big.status).to.equal(413);
    });
  });

  describe("compose's secrets (scripts/compose-env.sh)", () => {
    it("writes an operator token, and makes a .env that was there before readable by its owner only", async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), "compose-env-test-"));
      try {
        const envFile = path.join(dir, ".env");
        await writeFile(envFile, "APPROVAL_TIMEOUT_SECONDS=60\n", { mode: 0o644 });
        const done = await new Promise<number | null>((resolve) => spawn("bash", [path.join(repoRoot, "scripts", "compose-env.sh"), envFile], { stdio: "ignore" }).on("exit", resolve));
        expect(done).to.equal(0);
        expect((await stat(envFile)).mode & 0o777).to.equal(0o600);
        const written = await readFile(envFile, "utf8");
        expect(written).to.match(/^OPERATOR_TOKEN=\w{24,}$/m);
        expect(written).to.include("APPROVAL_TIMEOUT_SECONDS=60");
        const redisConf = await readFile(path.join(dir, ".dapr-credentials", "redis.conf"), "utf8");
        expect(redisConf, "Redis's default user, with the password").to.match(/^user default on >\w+ /m);
        expect(redisConf, "a user per sidecar, limited to its own keys").to.match(/^user shipping on >\w+ resetchannels ~shipping\|\|\* /m);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
