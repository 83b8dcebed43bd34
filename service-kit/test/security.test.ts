import { expect } from "chai";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { DaprWorkflowClient } from "@dapr/dapr";
import {
  appApiToken,
  appHost,
  appSettings,
  appTokenRequired,
  clientAddress,
  createApp,
  daprSettings,
  defaultAllowedHosts,
  env,
  hostAllowed,
  readSettings,
  invoke,
  InvocationError,
  Router,
  sameSecret,
  workflowOptions,
} from "../src/index.js";
import { FakeSidecar, memoryLogger, request } from "../src/testing.js";

function echoApp(options: { contentSecurityPolicy?: false } = {}) {
  const routes = new Router();
  routes.post("/echo", (ctx) => {
    ctx.body = { received: (ctx.request as { body?: unknown }).body };
  });
  routes.del("/stock", (ctx) => {
    ctx.body = { cleared: true };
  });
  routes.get("/page", (ctx) => {
    ctx.set("Content-Security-Policy", "default-src 'self'");
    ctx.type = "html";
    ctx.body = "<p>page</p>";
  });
  return createApp({ logger: memoryLogger(), routes, ...options });
}

describe("JSON only", () => {
  it("refuses a POST that does not say it is JSON, also with an empty body (a cross-site form)", async () => {
    const app = echoApp();
    const form = "application/x-www-form-urlencoded";
    expect((await request(app, "POST", "/echo")).status, "no body, no type").to.equal(415);
    expect((await request(app, "POST", "/echo", { raw: "", contentType: form })).status, "empty form").to.equal(415);
    expect((await request(app, "POST", "/echo", { raw: "customer=joni", contentType: form })).status, "form").to.equal(415);
    const text = await request(app, "POST", "/echo", { raw: '{"a":1}', contentType: "text/plain" });
    expect(text.status, "JSON sent as text/plain").to.equal(415);
    expect(text.body.error).to.include("application/json");
  });

  it("takes JSON, an empty JSON body ({}), and JSON with a suffix such as Dapr's CloudEvents", async () => {
    const app = echoApp();
    expect((await request(app, "POST", "/echo", { body: { a: 1 } })).body).to.deep.equal({ received: { a: 1 } });
    const empty = await request(app, "POST", "/echo", { headers: { "content-type": "application/json" } });
    expect(empty.status).to.equal(200);
    expect(empty.body).to.deep.equal({ received: {} });
    const cloudEvent = await request(app, "POST", "/echo", { body: { data: 1 }, contentType: "application/cloudevents+json" });
    expect(cloudEvent.body).to.deep.equal({ received: { data: 1 } });
    const cased = await request(app, "POST", "/echo", { body: { a: 2 }, contentType: "Application/JSON; charset=utf-8" });
    expect(cased.body).to.deep.equal({ received: { a: 2 } });
  });

  it("lets a GET or DELETE without a body through", async () => {
    const app = echoApp();
    expect((await request(app, "DELETE", "/stock")).status).to.equal(200);
    expect((await request(app, "GET", "/healthz")).status).to.equal(200);
  });
});

describe("security headers", () => {
  it("sends helmet's headers and a CSP that loads nothing, on answers and on errors", async () => {
    const app = echoApp();
    for (const res of [await request(app, "GET", "/healthz"), await request(app, "POST", "/echo")]) {
      expect(res.headers.get("x-content-type-options")).to.equal("nosniff");
      expect(res.headers.get("referrer-policy")).to.equal("no-referrer");
      expect(res.headers.get("x-frame-options")).to.equal("SAMEORIGIN");
      expect(res.headers.get("content-security-policy")).to.equal("default-src 'none';frame-ancestors 'none'");
      expect(res.headers.get("strict-transport-security")).to.equal(null);
    }
  });

  it("leaves the CSP to a route that sets its own (a page), and sends none when told to", async () => {
    expect((await request(echoApp(), "GET", "/page")).headers.get("content-security-policy")).to.equal("default-src 'self'");
    const none = await request(echoApp({ contentSecurityPolicy: false }), "GET", "/healthz");
    expect(none.headers.get("content-security-policy")).to.equal(null);
    expect(none.headers.get("x-content-type-options")).to.equal("nosniff");
  });
});

describe("appTokenRequired", () => {
  function guarded(token: string | undefined) {
    const routes = new Router();
    routes.post("/reserve", appTokenRequired(token), (ctx) => {
      ctx.body = { reserved: true };
    });
    routes.get("/open", (ctx) => {
      ctx.body = { open: true };
    });
    return createApp({ logger: memoryLogger(), routes });
  }
  const json = { body: {} };

  it("with a token: refuses a request without it or with another one (401), takes one with it", async () => {
    const app = guarded("s3cret-token");
    const without = await request(app, "POST", "/reserve", json);
    expect(without.status).to.equal(401);
    expect(without.body.error).to.include("token");
    expect((await request(app, "POST", "/reserve", { ...json, headers: { "dapr-api-token": "wrong" } })).status).to.equal(401);
    expect((await request(app, "POST", "/reserve", { ...json, headers: { "dapr-api-token": "s3cret-token-and-more" } })).status).to.equal(401);
    const right = await request(app, "POST", "/reserve", { ...json, headers: { "dapr-api-token": "s3cret-token" } });
    expect(right.status).to.equal(200);
    expect(right.body).to.deep.equal({ reserved: true });
  });

  it("leaves routes without the middleware open", async () => {
    expect((await request(guarded("s3cret-token"), "GET", "/open")).status).to.equal(200);
  });

  it("without a token (unset or empty): lets every request through", async () => {
    expect((await request(guarded(undefined), "POST", "/reserve", json)).status).to.equal(200);
    expect((await request(guarded(""), "POST", "/reserve", json)).status).to.equal(200);
  });
});

describe("sameSecret", () => {
  it("is true only for the same secret, never for an empty one", () => {
    expect(sameSecret("s3cret", "s3cret")).to.equal(true);
    expect(sameSecret("s3cre", "s3cret")).to.equal(false);
    expect(sameSecret("s3cret!", "s3cret")).to.equal(false);
    expect(sameSecret("", "")).to.equal(false);
  });
});

describe("security settings", () => {
  it("reads the tokens and the address to listen on, unset when missing or empty", () => {
    expect(appApiToken({ APP_API_TOKEN: "a" })).to.equal("a");
    expect(appHost({ APP_API_TOKEN: "a", HOST: "127.0.0.1" })).to.equal("127.0.0.1");
    expect(appHost({ APP_API_TOKEN: "a" })).to.equal(undefined);
    expect(daprSettings({ DAPR_API_TOKEN: "d" }).apiToken).to.equal("d");
    expect(daprSettings({})).to.deep.equal({ host: "127.0.0.1", httpPort: "3500", grpcPort: "50001" });
  });

  it("refuses to start without an app token, unless told to run insecure: then on loopback only", () => {
    expect(() => appApiToken({})).to.throw(/APP_API_TOKEN is not set.*INSECURE_NO_APP_TOKEN=true/);
    expect(() => appApiToken({ APP_API_TOKEN: "" })).to.throw(/APP_API_TOKEN is not set/);
    expect(() => appHost({ HOST: "0.0.0.0" })).to.throw(/APP_API_TOKEN is not set/);
    const insecure = { INSECURE_NO_APP_TOKEN: "true" };
    expect(appApiToken(insecure)).to.equal(undefined);
    expect(appHost(insecure)).to.equal("127.0.0.1");
    expect(appHost({ ...insecure, HOST: "::1" })).to.equal("::1");
    expect(() => appHost({ ...insecure, HOST: "0.0.0.0" })).to.throw(/HOST must be a loopback address/);
    expect(() => appApiToken({ INSECURE_NO_APP_TOKEN: "maybe" })).to.throw(/INSECURE_NO_APP_TOKEN must be true or false/);
  });
});

describe("readSettings", () => {
  it("parses and range-checks each variable, with defaults for unset or empty ones, and names the one that does not fit", () => {
    const shape = { RATE: env.number(1, { min: 0, max: 1 }), COUNT: env.number(5, { min: 1, int: true }), ON: env.flag(false), NAMES: env.list(["a"]) };
    expect(readSettings(shape, {})).to.deep.equal({ RATE: 1, COUNT: 5, ON: false, NAMES: ["a"] });
    expect(readSettings(shape, { RATE: "", COUNT: "7", ON: "yes", NAMES: "x, y" })).to.deep.equal({ RATE: 1, COUNT: 7, ON: true, NAMES: ["x", "y"] });
    expect(() => readSettings(shape, { RATE: "5" })).to.throw('RATE must be at most 1, got "5"');
    expect(() => readSettings(shape, { COUNT: "1.5" })).to.throw('COUNT must be a whole number, got "1.5"');
    expect(() => readSettings(shape, { COUNT: "lots" })).to.throw('COUNT must be a number, got "lots"');
    expect(() => readSettings({ PORT: env.number(1) }, { PORT: "0x" })).to.throw(/PORT must be a number/);
  });

  it("checks the settings every app shares", () => {
    expect(() => appSettings(3000, { APP_API_TOKEN: "a", PORT: "70000" })).to.throw(/PORT must be a port/);
    expect(() => appSettings(3000, { APP_API_TOKEN: "a", TRUSTED_PROXY_HOPS: "-1" })).to.throw(/TRUSTED_PROXY_HOPS must be at least 0/);
    expect(appSettings(3000, { APP_API_TOKEN: "a", APP_PORT: "3100" }).port).to.equal(3100);
    expect(appSettings(3000, { APP_API_TOKEN: "a", ALLOWED_HOSTS: "Orders.Example.com" }).web.allowedHosts).to.deep.equal(["orders.example.com"]);
  });
});

describe("the Host header (DNS rebinding)", () => {
  const web = { allowedHosts: defaultAllowedHosts, trustedProxyHops: 0 };
  it("answers IP addresses, localhost and the compose and chart names, and refuses any other name (400)", async () => {
    const routes = new Router().get("/x", (ctx) => void (ctx.body = { ok: true }));
    const app = createApp({ logger: memoryLogger(), routes, web });
    for (const host of ["127.0.0.1:3000", "[::1]:3000", "10.1.2.3", "localhost:3000", "order-processor-net:3000", "inventory"]) {
      expect((await request(app, "GET", "/x", { headers: { host } })).status, host).to.equal(200);
    }
    for (const host of ["evil.example:3000", "rebind.attacker.test", "localhost.evil.example"]) {
      const res = await request(app, "GET", "/x", { headers: { host } });
      expect(res.status, host).to.equal(400);
      expect(res.body.error).to.include("ALLOWED_HOSTS");
    }
    expect(hostAllowed("anything.example", ["*"])).to.equal(true);
  });
});

describe("methods a route does not take", () => {
  it("answer 405 with a JSON error, also one the router does not know (TRACE): never a 5xx", async () => {
    const routes = new Router().get("/x", (ctx) => void (ctx.body = { ok: true }));
    const app = createApp({ logger: memoryLogger(), routes, web: { allowedHosts: defaultAllowedHosts, trustedProxyHops: 0 } });
    for (const method of ["DELETE", "TRACE"]) {
      const res = await request(app, method, "/x");
      expect(res.status, method).to.equal(405);
      expect(res.body.error).to.equal(`${method} is not allowed on /x`);
    }
  });
});

describe("the client's address", () => {
  it("is the socket's peer, or behind trusted proxies the address the nearest one appended", () => {
    expect(clientAddress("10.0.0.9", "1.1.1.1", 0)).to.equal("10.0.0.9");
    expect(clientAddress("10.0.0.9", "spoofed, 1.1.1.1", 1)).to.equal("1.1.1.1");
    expect(clientAddress("10.0.0.9", "spoofed, 2.2.2.2, 10.0.0.8", 2)).to.equal("2.2.2.2");
    expect(clientAddress("10.0.0.9", undefined, 1)).to.equal("10.0.0.9");
  });
});

describe("the Dapr API token", () => {
  it("is sent with every call of the Sidecar client", async () => {
    const fake = await FakeSidecar.start(() => ({ status: 200, body: { ok: true } }), "d4pr-token");
    try {
      expect(await invoke(fake.sidecar, "payments", "api/v1/payments", {})).to.deep.equal({ ok: true });
      await fake.sidecar.call("GET", "/v1.0/workflows/dapr/o-1");
      expect(fake.calls.map((c) => c.headers["dapr-api-token"])).to.deep.equal(["d4pr-token", "d4pr-token"]);
    } finally {
      await fake.stop();
    }
  });

  it("is sent by a DaprWorkflowClient made with workflowOptions (gRPC metadata)", async () => {
    const seen: (string | undefined)[] = [];
    const sidecar = http2.createServer();
    sidecar.on("stream", (stream, headers) => {
      seen.push(headers["dapr-api-token"] as string | undefined);
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "12", "grpc-message": "unimplemented" }));
      stream.end();
    });
    await new Promise<void>((resolve) => sidecar.listen(0, "127.0.0.1", resolve));
    const port = String((sidecar.address() as AddressInfo).port);
    const client = new DaprWorkflowClient(workflowOptions({ host: "127.0.0.1", httpPort: "1", grpcPort: port, apiToken: "d4pr-token" }, memoryLogger()));
    try {
      await client.getWorkflowState("3f0c1a52-8b7e-4d3a-9c61-0e5b2f4a7d19", false).catch(() => undefined);
      expect(seen).to.deep.equal(["d4pr-token"]);
    } finally {
      await client.stop();
      await new Promise((resolve) => sidecar.close(resolve));
    }
  });
});

describe("InvocationError", () => {
  it("has a public message without the other side's text", () => {
    const answered = new InvocationError("payments/api/v1/payments", 500, "payments/api/v1/payments answered 500: redis at 10.0.0.7 refused");
    expect(answered.app).to.equal("payments");
    expect(answered.publicMessage).to.equal("payments answered 500");
    const unreachable = new InvocationError("inventory/api/v1/inventory", undefined, "inventory/api/v1/inventory failed: connect ECONNREFUSED 127.0.0.1:3502");
    expect(unreachable.publicMessage).to.equal("inventory could not be reached");
  });
});
