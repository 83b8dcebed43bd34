import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { io as connect, type Socket } from "socket.io-client";
import { createApp, Router } from "@dapr-orders/service-kit";
import { memoryLogger, request } from "@dapr-orders/service-kit/testing";
import type { OrderEvent } from "../src/history.js";
import { Hub, type HistoryReply } from "../src/hub.js";
import { notificationRoutes } from "../src/routes.js";
import { contentSecurityPolicy, securityHeaders } from "../src/security.js";
import { publicFiles } from "../src/static.js";
import { MemoryHistory } from "./fakes.js";

const publicDir = fileURLToPath(new URL("../../public", import.meta.url));

function setup(record: (event: OrderEvent) => Promise<void> = async () => {}) {
  const received: OrderEvent[] = [];
  const routes = new Router()
    .use(securityHeaders)
    .use(
      notificationRoutes(async (event) => {
        received.push(event);
        await record(event);
      }).routes(),
    )
    .use(publicFiles(publicDir).routes());
  return { app: createApp({ logger: memoryLogger(), routes }), received };
}

describe("notifications API", () => {
  it("takes a notification delivered by Dapr as a CloudEvent", async () => {
    const { app, received } = setup();
    const cloudEvent = { specversion: "1.0", type: "com.dapr.event.sent", data: { order_id: "o-1", message: "Payment processed" } };
    const res = await request(app, "POST", "/notifications", { body: cloudEvent, contentType: "application/cloudevents+json" });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: "SUCCESS" });
    expect(received).to.have.length(1);
    expect(received[0]).to.include({ order_id: "o-1", message: "Payment processed" });
    expect(Date.parse(received[0]!.time)).to.be.closeTo(Date.now(), 5000);
  });

  it("answers 400 for a notification without a message", async () => {
    const { app, received } = setup();
    const res = await request(app, "POST", "/notifications", { body: { data: { order_id: "o-1" } } });
    expect(res.status).to.equal(400);
    expect(res.body.field).to.equal("message");
    expect(received).to.be.empty;
  });

  it("answers 500 when the event cannot be kept, so that Dapr delivers it again", async () => {
    const { app } = setup(async () => {
      throw new Error("The client is offline");
    });
    const res = await request(app, "POST", "/notifications", { body: { data: { order_id: "o-1", message: "Payment processed" } } });
    expect(res.status).to.equal(500);
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
  const event = (n: number): OrderEvent => ({ order_id: "o-1", message: `event ${n}`, time: new Date().toISOString() });

  async function started(history = new MemoryHistory()) {
    const logger = memoryLogger();
    const hub = new Hub({ history, logger });
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
    const close = async () => {
      for (const client of clients) client.close();
      await hub.close();
    };
    return { hub, history, logger, page, close };
  }

  it("sends every published event, with its id, to the connected pages", async () => {
    const { hub, history, page, close } = await started();
    try {
      const { client } = await page();
      const received = new Promise((resolve) => client.once("notification", resolve));
      const stored = await history.append(event(1));
      hub.publish(stored);
      expect(await received).to.deep.equal(stored);
    } finally {
      await close();
    }
  });

  it("sends a page that connects the events it has not seen, as history", async () => {
    const history = new MemoryHistory();
    const [first, second, third] = [await history.append(event(1)), await history.append(event(2)), await history.append(event(3))];
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

  it("tells the page when the history is unavailable, and still sends live events", async () => {
    const history = new MemoryHistory();
    history.failing = true;
    const { hub, logger, page, close } = await started(history);
    try {
      const { client, history: reply } = await page();
      expect(reply).to.deep.equal({ events: [], error: "the event history is unavailable" });
      expect(logger.lines.some((l) => l.level === "error" && l.msg === "cannot read the event history")).to.equal(true);
      const received = new Promise((resolve) => client.once("notification", resolve));
      hub.publish({ id: "1-1", ...event(1) });
      expect(await received).to.include({ id: "1-1" });
    } finally {
      await close();
    }
  });
});
