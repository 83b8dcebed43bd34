import { expect } from "chai";
import net from "node:net";
import { waitForFreePort } from "../src/probe.js";
import { controlPlanePorts } from "../src/stack.js";

/** A server holding a port the system chose; resolves with the server and its port. */
function holdPort(): Promise<{ server: net.Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, () => resolve({ server, port: (server.address() as net.AddressInfo).port }));
  });
}

const close = (server: net.Server) => new Promise((resolve) => server.close(resolve));

describe("waiting for a free port", () => {
  it("returns at once, saying nothing, when the port is free", async () => {
    const { server, port } = await holdPort();
    await close(server);
    const said: string[] = [];
    await waitForFreePort(port, "test", { say: (line) => said.push(line) });
    expect(said).to.deep.equal([]);
  });

  it("says the port is in use, then waits until it is free", async () => {
    const { server, port } = await holdPort();
    const said: string[] = [];
    const started = Date.now();
    setTimeout(() => void close(server), 300);
    await waitForFreePort(port, "placement", { timeoutMs: 5000, intervalMs: 50, say: (line) => said.push(line) });
    expect(Date.now() - started).to.be.at.least(250);
    expect(said).to.deep.equal([`port ${port} (placement) is in use, waiting up to 5 s`, `port ${port} (placement) is free now`]);
  });

  it("gives up after the timeout, naming the port and what it is for", async () => {
    const { server, port } = await holdPort();
    try {
      const said: string[] = [];
      const started = Date.now();
      const error = await waitForFreePort(port, "scheduler", { timeoutMs: 300, intervalMs: 50, say: (line) => said.push(line) }).then(
        () => undefined,
        (err: Error) => err,
      );
      expect(error?.message).to.match(new RegExp(`^port ${port} \\(scheduler\\) is still in use after 0 s`));
      expect(Date.now() - started).to.be.within(300, 2000);
      expect(said).to.have.length(1);
    } finally {
      await close(server);
    }
  });

  it("the 60 s wait is the default", async () => {
    const { server, port } = await holdPort();
    const said: string[] = [];
    const waiting = waitForFreePort(port, "app", { intervalMs: 20, say: (line) => said.push(line) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await close(server);
    await waiting;
    expect(said[0]).to.equal(`port ${port} (app) is in use, waiting up to 60 s`);
  });
});

describe("the control plane's own ports", () => {
  it("lie below Linux's range for outgoing connections (32768-60999)", () => {
    expect(Object.values(controlPlanePorts).filter((port) => port >= 32768)).to.deep.equal([]);
  });
});
