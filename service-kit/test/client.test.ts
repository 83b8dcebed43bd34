import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { call } from "../src/http-client.js";
import { pollUntil } from "../src/poll.js";

describe("pollUntil", () => {
  it("returns once the check is true, counting a throw as not yet", async () => {
    let checks = 0;
    await pollUntil(
      "the third check",
      () => {
        checks += 1;
        if (checks === 1) throw new Error("not up");
        return checks === 3;
      },
      { intervalMs: 1 },
    );
    expect(checks).to.equal(3);
  });

  it("throws at the deadline, naming what it waited for and the last check's error", async () => {
    const started = Date.now();
    const error = await pollUntil("Redis to answer", () => Promise.reject(new Error("ECONNREFUSED")), { timeoutMs: 100, intervalMs: 10 }).catch((err: Error) => err);
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.equal("waited 0.1 s for Redis to answer: ECONNREFUSED");
    expect(Date.now() - started).to.be.at.least(100);
  });

  it("gives up at once when abort throws", async () => {
    let checks = 0;
    const abort = () => {
      if (checks === 2) throw new Error("the process died");
    };
    const error = await pollUntil("never", () => (checks += 1) < 0, { intervalMs: 1, abort }).catch((err: Error) => err);
    expect((error as Error).message).to.equal("the process died");
    expect(checks).to.equal(2);
  });
});

describe("call", () => {
  let server: http.Server;
  let url: string;
  const received: { method?: string; type?: string; body: string }[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        received.push({ method: req.method, type: req.headers["content-type"], body });
        if (req.url === "/text") res.writeHead(418, { "content-type": "text/plain" }).end("short and stout");
        else if (req.url === "/slow") setTimeout(() => res.end("late"), 1000);
        else res.writeHead(200, { "content-type": "application/json", "x-seen": "yes" }).end(JSON.stringify({ echo: body }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("sends JSON and parses a JSON answer, with its status and headers", async () => {
    const answer = await call("POST", `${url}/json`, { json: { a: 1 } });
    expect(answer.status).to.equal(200);
    expect(answer.headers.get("x-seen")).to.equal("yes");
    expect(answer.body).to.deep.equal({ echo: '{"a":1}' });
    expect(received.at(-1)).to.deep.equal({ method: "POST", type: "application/json", body: '{"a":1}' });
  });

  it("sends a raw body with its content type, and keeps an answer that is no JSON as text; any status is an answer", async () => {
    const answer = await call("PUT", `${url}/text`, { raw: "a=1", contentType: "application/x-www-form-urlencoded" });
    expect(answer).to.include({ status: 418, body: "short and stout" });
    expect(received.at(-1)).to.deep.equal({ method: "PUT", type: "application/x-www-form-urlencoded", body: "a=1" });
  });

  it("throws when no answer comes in time, or when the caller's signal aborts", async () => {
    const late = await call("GET", `${url}/slow`, { timeoutMs: 50 }).catch((err: Error) => err);
    expect(late).to.be.instanceOf(Error);
    const stopping = new AbortController();
    setTimeout(() => stopping.abort(new Error("stopping")), 50);
    const aborted = await call("GET", `${url}/slow`, { signal: stopping.signal }).catch((err: Error) => err);
    expect((aborted as Error).message).to.equal("stopping");
  });
});
