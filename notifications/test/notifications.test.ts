import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { io as connect } from "socket.io-client";
import { createApp, Router } from "@dapr-orders/service-kit";
import { memoryLogger, request } from "@dapr-orders/service-kit/testing";
import { Hub, type OrderEvent } from "../src/hub.js";
import { notificationRoutes } from "../src/routes.js";
import { publicFiles } from "../src/static.js";

const publicDir = fileURLToPath(new URL("../../public", import.meta.url));

function setup() {
  const published: OrderEvent[] = [];
  const routes = new Router()
    .use(notificationRoutes((event) => published.push(event)).routes())
    .use(publicFiles(publicDir).routes());
  return { app: createApp({ logger: memoryLogger(), routes }), published };
}

describe("notifications API", () => {
  it("takes a notification delivered by Dapr as a CloudEvent", async () => {
    const { app, published } = setup();
    const cloudEvent = { specversion: "1.0", type: "com.dapr.event.sent", data: { order_id: "o-1", message: "Payment processed" } };
    const res = await request(app, "POST", "/notifications", { body: cloudEvent, contentType: "application/cloudevents+json" });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: "SUCCESS" });
    expect(published).to.have.length(1);
    expect(published[0]).to.include({ order_id: "o-1", message: "Payment processed" });
    expect(Date.parse(published[0]!.time)).to.be.closeTo(Date.now(), 5000);
  });

  it("answers 400 for a notification without a message", async () => {
    const { app, published } = setup();
    const res = await request(app, "POST", "/notifications", { body: { data: { order_id: "o-1" } } });
    expect(res.status).to.equal(400);
    expect(res.body.field).to.equal("message");
    expect(published).to.be.empty;
  });

  it("serves the dashboard page and its script", async () => {
    const { app } = setup();
    const page = await request(app, "GET", "/");
    expect(page.status).to.equal(200);
    expect(page.headers.get("content-type")).to.match(/text\/html/);
    expect(page.body).to.include("/socket.io/socket.io.js");
    expect((await request(app, "GET", "/app.js")).headers.get("content-type")).to.match(/javascript/);
    expect((await request(app, "GET", "/missing.js")).status).to.equal(404);
  });
});

describe("hub", () => {
  it("sends every published event to connected browsers", async () => {
    const hub = new Hub();
    const server = http.createServer();
    hub.attach(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const client = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { transports: ["websocket"] });
    try {
      await new Promise((resolve) => client.on("connect", () => resolve(undefined)));
      const received = new Promise((resolve) => client.on("notification", resolve));
      const event = { order_id: "o-1", message: "Reserved inventory: kiwi", time: new Date().toISOString() };
      hub.publish(event);
      expect(await received).to.deep.equal(event);
    } finally {
      client.close();
      await hub.close();
    }
  });
});
