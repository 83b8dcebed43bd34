import { readdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { io as connect, type Socket } from "socket.io-client";
import { createApp, Router } from "@dapr-orders/service-kit";
import { memoryLogger, request } from "@dapr-orders/service-kit/testing";
import type { StoredEvent } from "../src/history.js";
import { Hub, type HistoryReply } from "../src/hub.js";
import { notificationRoutes } from "../src/routes.js";
import { contentSecurityPolicy, securityHeaders } from "../src/security.js";
import { publicFiles } from "../src/static.js";
import { MemoryDeadLetters, MemoryHistory, MemoryRateLimit } from "./fakes.js";

const publicDir = fileURLToPath(new URL("../public", import.meta.url));

const notification = {
  order_id: "o-1",
  seq: 2,
  type: "reserved",
  message: "Reserved inventory: kiwi",
  order: { customer: "joni", item: "kiwi", total: 121.5 },
};
const cloudEvent = (data: unknown) => ({ specversion: "1.0", id: "ce-1", type: "com.dapr.event.sent", topic: "notifications", data });

function setup(appToken?: string) {
  const history = new MemoryHistory();
  const deadLetters = new MemoryDeadLetters();
  const published: StoredEvent[] = [];
  const logger = memoryLogger();
  const routes = new Router()
    .use(securityHeaders)
    .use(notificationRoutes({ history, publish: (event) => published.push(event), deadLetters, logger, appToken }).routes())
    .use(publicFiles(publicDir).routes());
  return { app: createApp({ logger, routes }), history, deadLetters, published, logger };
}

/** Delivers `data` as Dapr does: POST, a CloudEvent (with the app token, when there is one). */
const deliver = (app: ReturnType<typeof setup>["app"], data: unknown, path = "/notifications", headers: Record<string, string> = {}) =>
  request(app, "POST", path, { body: cloudEvent(data), contentType: "application/cloudevents+json", headers });

describe("notifications API", () => {
  it("keeps a notification delivered by Dapr as a CloudEvent, and sends it to the pages", async () => {
    const { app, history, published } = setup();
    const res = await deliver(app, notification);
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: "SUCCESS" });
    expect(history.events).to.have.length(1);
    const [stored] = history.events;
    expect(stored).to.deep.include(notification);
    expect(Date.parse(stored!.time)).to.be.closeTo(Date.now(), 5000);
    expect(published).to.deep.equal([stored]);
  });

  it("keeps each notification of a message that holds a list (a step's), in their order", async () => {
    const { app, history, published } = setup();
    const shipped = { ...notification, seq: 4, type: "shipped", message: "Order submitted for shipping" };
    const completed = { ...notification, seq: 5, type: "completed", message: "Order processed for joni. Item: kiwi, Total: 121.5" };
    expect((await deliver(app, [shipped, completed])).status).to.equal(200);
    expect(history.events.map((e) => e.seq)).to.deep.equal([4, 5]);
    expect(published.map((e) => e.type)).to.deep.equal(["shipped", "completed"]);
  });

  it("refuses a list with a bad notification (400 naming which), an empty one and one too long, keeping none of it", async () => {
    const { app, history } = setup();
    const bad = await deliver(app, [notification, { ...notification, seq: 0 }]);
    expect(bad.status).to.equal(400);
    expect(bad.body.error).to.match(/^notification 2 of 2: seq/);
    expect((await deliver(app, [])).status).to.equal(400);
    expect((await deliver(app, Array.from({ length: 21 }, (_, i) => ({ ...notification, seq: i + 1 })))).status).to.equal(400);
    expect(history.events).to.be.empty;
  });

  it("keeps the order's trace id from the CloudEvent's traceparent (Dapr's), never from the data", async () => {
    const { app, history } = setup();
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const body = { ...cloudEvent({ ...notification, trace_id: "f".repeat(32) }), traceparent };
    await request(app, "POST", "/notifications", { body, contentType: "application/cloudevents+json" });
    await request(app, "POST", "/notifications", { body: { ...cloudEvent({ ...notification, seq: 3 }), traceparent: "bogus" }, contentType: "application/cloudevents+json" });
    expect(history.events.map((e) => e.trace_id)).to.deep.equal(["4bf92f3577b34da6a3ce929d0e0e4736", undefined]);
  });

  it("acknowledges a repeat of (order_id, seq) with 200, and does not send it again", async () => {
    const { app, history, published, logger } = setup();
    await deliver(app, notification);
    const again = await deliver(app, { ...notification, message: "Reserved inventory: kiwi (again)" });
    expect(again.status).to.equal(200);
    expect(history.events).to.have.length(1);
    expect(published).to.have.length(1);
    expect(logger.lines.find((l) => l.msg === "repeated notification ignored")).to.include({ order_id: "o-1", seq: 2 });
    expect((await deliver(app, { ...notification, seq: 3 })).status).to.equal(200);
    expect(published.map((e) => e.seq)).to.deep.equal([2, 3]);
  });

  it("answers 400 naming the field for a notification that is not of the contract's format, and keeps nothing", async () => {
    const { app, history, published, logger } = setup();
    const res = await deliver(app, { order_id: "o-1", message: "Payment processed" });
    expect(res.status).to.equal(400);
    expect(res.body).to.deep.equal({ error: "seq is required", field: "seq" });
    expect((await deliver(app, { ...notification, order: { ...notification.order, total: -1 } })).body.field).to.equal("order.total");
    expect(history.events).to.be.empty;
    expect(published).to.be.empty;
    // The request's log line names the order.
    expect(logger.lines.find((l) => l.msg === "request" && l.status === 400)).to.include({ order_id: "o-1" });
  });

  it("answers 500 when the notification cannot be kept, so that Dapr delivers it again", async () => {
    const { app, history, published } = setup();
    history.failing = true;
    expect((await deliver(app, notification)).status).to.equal(500);
    expect(published).to.be.empty;
    history.failing = false;
    expect((await deliver(app, notification)).status).to.equal(200);
    expect(published).to.have.length(1);
  });

  it("takes deliveries from the sidecar only, when there is an app API token", async () => {
    const { app, history, deadLetters } = setup("s3cret");
    for (const path of ["/notifications", "/notifications/dead-letters"]) {
      expect((await deliver(app, notification, path)).status, path).to.equal(401);
      expect((await deliver(app, notification, path, { "dapr-api-token": "wrong" })).status, path).to.equal(401);
    }
    expect(history.events.length + deadLetters.letters.length).to.equal(0);
    expect((await deliver(app, notification, "/notifications", { "dapr-api-token": "s3cret" })).status).to.equal(200);
    const bad = { order_id: "o-9", message: "Payment processed" };
    expect((await deliver(app, bad, "/notifications/dead-letters", { "dapr-api-token": "s3cret" })).status).to.equal(200);
    expect(history.events.length + deadLetters.letters.length).to.equal(2);
  });

  it("keeps a valid notification that comes as a dead letter (delivered late), once", async () => {
    const { app, history, deadLetters, published, logger } = setup();
    expect((await deliver(app, notification, "/notifications/dead-letters")).status).to.equal(200);
    expect((await deliver(app, notification, "/notifications")).status).to.equal(200);
    expect(history.events).to.have.length(1);
    expect(published).to.have.length(1);
    expect(deadLetters.letters).to.be.empty;
    expect(logger.lines.some((l) => l.level === "warn" && l.msg === "notifications delivered late, through the dead-letter topic")).to.equal(true);
  });

  it("logs a dead letter at error level with its order, and keeps it", async () => {
    const { app, deadLetters, logger } = setup();
    const bad = { order_id: "o-9", message: "Payment processed" };
    const res = await deliver(app, bad, "/notifications/dead-letters");
    expect(res.status).to.equal(200);
    expect(deadLetters.letters).to.have.length(1);
    expect(deadLetters.letters[0]).to.deep.include({ order_id: "o-9", event_id: "ce-1", data: bad });
    const line = logger.lines.find((l) => l.level === "error" && l.msg === "notification could not be delivered (dead letter)");
    expect(line).to.deep.include({ order_id: "o-9", event_id: "ce-1", data: bad });
  });

  it("keeps a dead letter that names no order too, and answers 500 when it cannot keep it", async () => {
    const { app, deadLetters } = setup();
    expect((await deliver(app, "not a notification", "/notifications/dead-letters")).status).to.equal(200);
    expect(deadLetters.letters[0]).to.deep.include({ order_id: undefined, data: "not a notification" });
    deadLetters.failing = true;
    expect((await deliver(app, "not a notification", "/notifications/dead-letters")).status).to.equal(500);
  });
});

describe("dashboard files", () => {
  it("serves the page, its scripts and styles", async () => {
    const { app } = setup();
    const page = await request(app, "GET", "/");
    expect(page.status).to.equal(200);
    expect(page.headers.get("content-type")).to.match(/text\/html/);
    expect(page.body).to.include('<script src="/socket.io/socket.io.js"></script>');
    expect(page.body).to.include('<script type="module" src="/app.js"></script>');
    for (const [path, type] of [["/app.js", /javascript/], ["/board.js", /javascript/], ["/style.css", /text\/css/], ["/icon.svg", /svg/]] as const) {
      const res = await request(app, "GET", path);
      expect(res.status, path).to.equal(200);
      expect(res.headers.get("content-type"), path).to.match(type);
    }
    expect((await request(app, "GET", "/missing.js")).status).to.equal(404);
  });

  it("serves every module that a script of the page imports, as JavaScript", async () => {
    const { app } = setup();
    const seen = new Set<string>();
    const load = async (name: string): Promise<void> => {
      if (seen.has(name)) return;
      seen.add(name);
      const res = await request(app, "GET", `/${name}`);
      expect(res.status, name).to.equal(200);
      expect(res.headers.get("content-type"), name).to.match(/^text\/javascript/);
      const text = String(res.body);
      for (const [, imported] of text.matchAll(/^import [^"]* from "\.\/([\w-]+\.js)";$/gm)) await load(imported!);
    };
    await load("app.js");
    expect([...seen].sort()).to.deep.equal(readdirSync(publicDir).filter((name) => name.endsWith(".js")).sort());
  });

  it("sends a Content-Security-Policy that allows no inline script", async () => {
    const { app } = setup();
    const page = await request(app, "GET", "/");
    const policy = page.headers.get("content-security-policy");
    expect(policy).to.equal(contentSecurityPolicy);
    const directives = new Map(policy!.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives.get("script-src")).to.deep.equal(["'self'"]);
    expect(directives.get("style-src")).to.deep.equal(["'self'"]);
    expect(directives.get("object-src")).to.deep.equal(["'none'"]);
    expect(directives.get("base-uri")).to.deep.equal(["'none'"]);
    expect(directives.get("frame-ancestors")).to.deep.equal(["'none'"]);
    expect(policy).not.to.match(/unsafe-inline|unsafe-eval/);
    expect(page.headers.get("x-content-type-options")).to.equal("nosniff");
  });

  it("has no inline script or style in the page, so that the policy does not block any", async () => {
    const { app } = setup();
    const page: string = (await request(app, "GET", "/")).body;
    expect(page).not.to.match(/<script(?![^>]*\ssrc=)[^>]*>/); // every <script> loads a file
    expect(page).not.to.match(/<style|\sstyle=|\son[a-z]+=/i);
  });
});

describe("hub", () => {
  const event = (seq: number) => ({ ...notification, type: "paid" as const, seq });

  async function started(history = new MemoryHistory(), connections?: MemoryRateLimit) {
    const logger = memoryLogger();
    const hub = new Hub({ history, logger, ...(connections === undefined ? {} : { connections }) });
    const server = http.createServer();
    hub.attach(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const clients: Socket[] = [];
    /** Connects a page that has seen up to `lastEventId`; resolves with its socket and the history it got. */
    const page = async (lastEventId?: string) => {
      const client = connect(url, { transports: ["websocket"], auth: { lastEventId } });
      clients.push(client);
      const history = await new Promise<HistoryReply>((resolve) => client.once("history", resolve));
      return { client, history };
    };
    /** Connects with these handshake headers; resolves with the connect error's message, or "connected". */
    const attempt = (extraHeaders: Record<string, string>, transports: ("websocket" | "polling")[] = ["websocket"]) => {
      const client = connect(url, { transports, extraHeaders, reconnection: false });
      clients.push(client);
      return new Promise<string>((resolve) => {
        client.once("connect", () => resolve("connected"));
        client.once("connect_error", (err) => resolve(err.message));
      });
    };
    const close = async () => {
      for (const client of clients) client.close();
      await hub.close();
    };
    return { hub, history, logger, page, attempt, url, close };
  }

  it("sends every published event, with its id, to the connected pages", async () => {
    const { hub, history, page, close } = await started();
    try {
      const { client } = await page();
      const received = new Promise((resolve) => client.once("notification", resolve));
      const stored = (await history.record(event(1), new Date().toISOString()))!;
      hub.publish(stored);
      expect(await received).to.deep.equal(stored);
    } finally {
      await close();
    }
  });

  it("sends a page that connects the events it has not seen, as history", async () => {
    const history = new MemoryHistory();
    const time = new Date().toISOString();
    const [first, second, third] = [await history.record(event(1), time), await history.record(event(2), time), await history.record(event(3), time)];
    const { page, close } = await started(history);
    try {
      expect((await page()).history).to.deep.equal({ events: [first, second, third] });
      expect((await page(first!.id)).history).to.deep.equal({ events: [second, third] });
      expect((await page(third!.id)).history).to.deep.equal({ events: [] });
      // Anything that is not an event id counts as none.
      expect((await page("<script>")).history.events).to.have.length(3);
    } finally {
      await close();
    }
  });

  it("refuses a handshake from another site's page (its Origin), over WebSocket and polling; takes one from its own, or without Origin", async () => {
    const { attempt, url, logger, close } = await started();
    try {
      const own = new URL(url).host;
      expect(await attempt({ origin: "https://evil.example" })).to.not.equal("connected");
      expect(await attempt({ origin: "null" })).to.not.equal("connected");
      expect(await attempt({ origin: "https://evil.example" }, ["polling"])).to.not.equal("connected");
      const polling = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: `http://evil.example` } });
      expect(polling.status, "the polling handshake's answer").to.equal(403);
      expect(logger.lines.filter((l) => l.msg === "Socket.IO handshake from another site refused")).to.have.length.above(0);
      expect(await attempt({ origin: `http://${own}` })).to.equal("connected");
      expect(await attempt({ origin: `http://${own}` }, ["polling"])).to.equal("connected");
      expect(await attempt({})).to.equal("connected");
    } finally {
      await close();
    }
  });

  it("takes at most the limit's connections from one address, then says how long to wait", async () => {
    const { attempt, close } = await started(new MemoryHistory(), new MemoryRateLimit(2, 30));
    try {
      expect(await attempt({})).to.equal("connected");
      expect(await attempt({})).to.equal("connected");
      expect(await attempt({})).to.equal("too many connections from this address: try again in 30 s");
    } finally {
      await close();
    }
  });

  it("tells the page when the history is unavailable, and still sends live events", async () => {
    const history = new MemoryHistory();
    history.failing = true;
    const { hub, logger, page, close } = await started(history);
    try {
      const { client, history: reply } = await page();
      expect(reply).to.deep.equal({ events: [], error: "the event history is unavailable" });
      expect(logger.lines.some((l) => l.level === "error" && l.msg === "cannot read the event history")).to.equal(true);
      const received = new Promise((resolve) => client.once("notification", resolve));
      hub.publish({ id: "1-1", ...event(1), time: new Date().toISOString() });
      expect(await received).to.include({ id: "1-1" });
    } finally {
      await close();
    }
  });
});
