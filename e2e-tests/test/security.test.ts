// Who may do what (docs/spec.md, "Who may do what"; docs/security.md), tried from
// outside as someone who can reach the ports would: every way in is refused, and the
// legitimate path (the operator signed in on the dashboard, the apps through their
// sidecars) still works.
import http from "node:http";
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { io } from "socket.io-client";
import { freePort } from "@dapr-orders/local-stack";
import { call } from "@dapr-orders/service-kit/http-client";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { approve, asOperator, ensureInStock, getOrder, operatorSession, placeOrder, stock, waitUntilFinished } from "./http.js";
import { NotificationFeed } from "./notifications.js";
import { credentials, settings, sidecars, stackControl, stackKind, urls } from "./target.js";

/** Places an order that waits for approval, and resolves once it does. */
async function awaitingApproval(customer: string): Promise<string> {
  await ensureInStock(["pear"]);
  const { id } = await placeOrder({ customer, item: "pear", total: settings.approvalThreshold + 500 });
  await pollUntil(`order ${id} to wait for approval`, async () => (await getOrder(id)).awaiting_approval, { timeoutMs: 30_000 });
  return id;
}

describe("who may do what", function () {
  this.timeout(90_000);

  describe("approving and rejecting: the operator, under their own name", () => {
    it("refuses an approval without a session, with a made-up one or a wrong token (401), also at order-processor itself; the order still waits", async () => {
      const id = await awaitingApproval("mallory's victim");
      const dashboard = `${urls.notifications}/api/orders/${id}/approve`;
      const json = { approved: true };
      expect((await call("POST", dashboard, { json })).status, "no session").to.equal(401);
      expect((await call("POST", dashboard, { json, headers: { cookie: "operator_session=made-up" } })).status, "made-up session").to.equal(401);
      expect((await call("POST", dashboard, { json, headers: { authorization: "Bearer guess" } })).status, "wrong token").to.equal(401);

      // order-processor's own route takes its sidecar's calls only (the app token), whatever the body says.
      const direct = `${urls.orders}/orders/${id}/approve`;
      const forged = { approver: "mallory", approved: true };
      expect((await call("POST", direct, { json: forged })).status, "at order-processor").to.equal(401);
      expect((await call("POST", direct, { json: forged, headers: { "dapr-api-token": "guess" } })).status).to.equal(401);

      expect((await getOrder(id)).awaiting_approval, "still waiting").to.equal(true);
      expect((await approve(id, "kendall", false)).status, "the operator rejects it").to.equal(200);
      await waitUntilFinished(id);
    });

    it("refuses an approver in the body, even from the operator (400): the approval carries the signed-in operator's name", async () => {
      const id = await awaitingApproval("joni");
      const feed = await NotificationFeed.connect(urls.notifications);
      try {
        const cookie = await operatorSession("kendall");
        const forged = await call("POST", `${urls.notifications}/api/orders/${id}/approve`, {
          json: { approver: "mallory", approved: true },
          headers: { cookie },
        });
        expect(forged.status).to.equal(400);
        expect(forged.body.field).to.equal("approver");
        expect((await getOrder(id)).awaiting_approval).to.equal(true);

        const res = await approve(id, "kendall", true);
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        expect(res.body).to.include({ approver: "kendall", approved: true });
        expect((await waitUntilFinished(id)).order_result?.success).to.equal(true);
        const approved = await feed.waitFor(id, "approved");
        expect(approved.approver).to.equal("kendall");
        expect(approved.message).to.equal("Order was approved by kendall.");
      } finally {
        feed.close();
      }
    });

    it("lets an API client approve with Authorization: Bearer <operator token>, as OPERATOR_NAME", async () => {
      const id = await awaitingApproval("api client");
      const res = await call("POST", `${urls.notifications}/api/orders/${id}/approve`, { json: { approved: false }, headers: asOperator() });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({ approver: "operator", approved: false });
      await waitUntilFinished(id);
    });
  });

  describe("restocking and clearing: the operator only", () => {
    it("refuses restock and clear without the operator (401), at the dashboard and at inventory itself, and changes nothing", async () => {
      await ensureInStock(["kiwi"]);
      const before = await stock();
      const attempts: [string, string][] = [
        ["POST", `${urls.notifications}/api/inventory/restock`],
        ["DELETE", `${urls.notifications}/api/inventory`],
        ["POST", `${urls.inventory}/api/v1/inventory/restock`],
        ["DELETE", `${urls.inventory}/api/v1/inventory`],
      ];
      for (const [method, url] of attempts) {
        const res = await call(method, url, { json: {} });
        expect(res.status, `${method} ${url}`).to.equal(401);
        const guessed = await call(method, url, { json: {}, headers: { authorization: "Bearer guess", "dapr-api-token": "guess" } });
        expect(guessed.status, `${method} ${url} with guessed tokens`).to.equal(401);
      }
      expect(await stock()).to.deep.equal(before);
    });

    it("clears and restocks for the operator", async () => {
      const cleared = await call("DELETE", `${urls.notifications}/api/inventory`, { headers: asOperator() });
      expect(cleared.status, JSON.stringify(cleared.body)).to.equal(200);
      expect(await stock()).to.deep.equal({});
      const cookie = await operatorSession("kendall");
      const restocked = await call("POST", `${urls.notifications}/api/inventory/restock`, { json: {}, headers: { cookie } });
      expect(restocked.status, JSON.stringify(restocked.body)).to.equal(200);
      expect(Object.values(await stock())).to.deep.equal(settings.items.map(() => settings.restockQuantity));
    });
  });

  describe("notifications: delivered by Dapr only", () => {
    it("refuses a forged notification without the app token (401); no page ever sees it", async () => {
      const feed = await NotificationFeed.connect(urls.notifications);
      try {
        const orderId = randomUUID();
        const forged = {
          order_id: orderId,
          seq: 1,
          type: "completed",
          message: "Order processed for mallory. Item: kiwi, Total: 1",
          order: { customer: "mallory", item: "kiwi", total: 1 },
        };
        const cloudEvent = { specversion: "1.0", id: randomUUID(), type: "com.dapr.event.sent", source: "order-processor", data: forged };
        for (const headers of [{}, { "dapr-api-token": "guess" }] as Record<string, string>[]) {
          const res = await call("POST", `${urls.notifications}/notifications`, { json: cloudEvent, contentType: "application/cloudevents+json", headers });
          expect(res.status).to.equal(401);
        }
        // A real order's notifications still arrive, after the forged one would have.
        const { id } = await placeOrder({ customer: "joni", item: "durian", total: 5 });
        await feed.waitFor(id, "reserveFailed");
        expect(feed.arrivals(orderId)).to.deep.equal([]);
      } finally {
        feed.close();
      }
    });
  });

  describe("the dashboard's live feed: its own pages only", () => {
    it("refuses a Socket.IO handshake from another site's page (403), and takes the dashboard's own", async () => {
      const polling = await fetch(`${urls.notifications}/socket.io/?EIO=4&transport=polling`, { headers: { origin: "https://evil.example" } });
      expect(polling.status, "polling handshake").to.equal(403);
      const connect = (origin: string) =>
        new Promise<string>((resolve) => {
          const socket = io(urls.notifications, { transports: ["websocket"], reconnection: false, extraHeaders: { origin } });
          socket.once("connect", () => (socket.close(), resolve("connected")));
          socket.once("connect_error", (err) => (socket.close(), resolve(err.message)));
        });
      expect(await connect("https://evil.example"), "WebSocket handshake").to.not.equal("connected");
      expect(await connect(new URL(urls.notifications).origin)).to.equal("connected");
    });

    it("takes at most CONNECTION_LIMIT connections per client address and window, then refuses them, saying when to come back", async function () {
      // An instance with a low limit, and connections from an address of their own
      // (the instances count together, in Redis, and the other tests connect from 127.0.0.1).
      const startInstance = stackControl()?.startInstance;
      if (startInstance === undefined) this.skip();
      const url = await startInstance("notifications", await freePort(), { CONNECTION_LIMIT: "3", CONNECTION_WINDOW_SECONDS: "60" });
      const outcomes: string[] = [];
      for (let i = 0; i < 4; i++) {
        outcomes.push(
          await new Promise<string>((resolve) => {
            const socket = io(url, { transports: ["websocket"], reconnection: false, localAddress: "127.0.0.3" } as Parameters<typeof io>[1]);
            socket.once("connect", () => (socket.close(), resolve("connected")));
            socket.once("connect_error", (err) => (socket.close(), resolve(err.message)));
          }),
        );
      }
      expect(outcomes.slice(0, 3)).to.deep.equal(["connected", "connected", "connected"]);
      expect(outcomes[3]).to.match(/^too many connections from this address: try again in \d+ s$/);
    });
  });

  describe("signing in: a limit on wrong tokens per client address", () => {
    it("answers 429 once an address sent LOGIN_FAILURE_LIMIT wrong tokens, also to the right one; another address still signs in", async function () {
      // From another loopback address, so that the limit does not lock the other tests out.
      if (stackKind !== "local") this.skip();
      const from = "127.0.0.2";
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await signInFrom(from, `guess-${i}`)).status);
      expect(statuses, "ten wrong tokens").to.deep.equal(Array(10).fill(401));
      const eleventh = await signInFrom(from, "guess-10");
      expect(eleventh.status).to.equal(429);
      expect(Number(eleventh.retryAfter)).to.be.within(1, 15 * 60);
      expect((await signInFrom(from, credentials.operatorToken)).status, "the right token, from that address").to.equal(429);
      expect((await signInFrom("127.0.0.1", credentials.operatorToken)).status, "from another address").to.equal(200);
    });
  });

  describe("Dapr: which sidecar may invoke what", () => {
    /** Invokes `target`'s `path` through `caller`'s sidecar, with the caller's Dapr API token. */
    async function invoke(caller: string, target: string, method: string, path: string, token = credentials.tokens(caller).daprApiToken) {
      return call(method, `${sidecars[caller]}/v1.0/invoke/${target}/method/${path}`, {
        json: method === "GET" ? undefined : { id: randomUUID(), customer: "mallory", item: "kiwi", total: 5 },
        headers: { "dapr-api-token": token },
      });
    }

    before(function () {
      if (Object.keys(sidecars).length === 0) this.skip(); // the sidecars' ports are reachable in the local stack only
    });

    it("denies a sidecar of another app invoking payments (403, by Dapr's access control), and lets order-processor's in", async () => {
      const denied = await invoke("shipping", "payments", "POST", "api/v1/payments");
      expect(denied.status, JSON.stringify(denied.body)).to.equal(403);
      expect(denied.body.message).to.include("access control policy has denied access to id: spiffe://public/ns/default/shipping");
      const allowed = await invoke("order-processor", "payments", "POST", "api/v1/payments");
      expect(allowed.status, JSON.stringify(allowed.body)).to.equal(201);
      expect(allowed.body.success).to.equal(true);
    });

    it("denies notifications' sidecar a reservation and order-processor's a restock; lets notifications' restock", async () => {
      expect((await invoke("notifications", "inventory", "POST", "api/v1/inventory/reserve")).status).to.equal(403);
      expect((await invoke("order-processor", "inventory", "POST", "api/v1/inventory/restock")).status).to.equal(403);
      expect((await invoke("inventory", "order-processor", "GET", `orders/${randomUUID()}`)).status).to.equal(403);
      expect((await invoke("notifications", "inventory", "GET", "api/v1/inventory")).status).to.equal(200);
    });

    it("refuses a call to a sidecar without its Dapr API token, or with another app's (401)", async () => {
      expect((await invoke("order-processor", "payments", "POST", "api/v1/payments", "")).status).to.equal(401);
      const another = credentials.tokens("shipping").daprApiToken;
      expect((await invoke("order-processor", "payments", "POST", "api/v1/payments", another)).status).to.equal(401);
    });
  });
});

/** POST /api/session from the local address `from` (a loopback address: 127.0.0.x); the status and Retry-After. */
function signInFrom(from: string, token: string): Promise<{ status: number; retryAfter: string | undefined }> {
  const body = JSON.stringify({ token, name: "mallory" });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${urls.notifications}/api/session`,
      { method: "POST", localAddress: from, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"] }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
