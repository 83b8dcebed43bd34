import { expect } from "chai";
import { credentials, makeGenericClientConstructor, Metadata, Server, ServerCredentials, type ServiceDefinition } from "@grpc/grpc-js";
import { newTraceparent, traceFields, traceIdOf, traceparentInterceptor, validTraceparent, withTraceparent } from "../src/trace.js";

const example = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("trace context", () => {
  it("takes a valid traceparent, and refuses others", () => {
    expect(validTraceparent(example)).to.equal(example);
    expect(validTraceparent(` ${example} `)).to.equal(example);
    for (const bad of [undefined, "", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", example.toUpperCase(), example.slice(0, -1)]) {
      expect(validTraceparent(bad), String(bad)).to.equal(undefined);
    }
    expect(validTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).to.equal(undefined);
    expect(validTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")).to.equal(undefined);
  });

  it("gives the trace id for logs", () => {
    expect(traceIdOf(example)).to.equal("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(traceFields(example)).to.deep.equal({ trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" });
    expect(traceFields("nonsense")).to.deep.equal({});
  });

  it("starts new traces, sampled as the rate says", () => {
    const a = newTraceparent(1);
    expect(validTraceparent(a)).to.equal(a);
    expect(a.endsWith("-01")).to.equal(true);
    expect(newTraceparent(0).endsWith("-00")).to.equal(true);
    expect(newTraceparent(0.5, () => 0.4).endsWith("-01")).to.equal(true);
    expect(newTraceparent(0.5, () => 0.6).endsWith("-00")).to.equal(true);
    expect(traceIdOf(newTraceparent(1))).to.not.equal(traceIdOf(a));
  });

  it("sends the traceparent of withTraceparent() as gRPC metadata, and nothing outside it", async () => {
    // A gRPC echo server on a free loopback port: it answers with the traceparent it received.
    const service: ServiceDefinition = {
      echo: {
        path: "/test.Echo/Echo",
        requestStream: false,
        responseStream: false,
        requestSerialize: (v: string) => Buffer.from(v),
        requestDeserialize: (b: Buffer) => b.toString(),
        responseSerialize: (v: string) => Buffer.from(v),
        responseDeserialize: (b: Buffer) => b.toString(),
      },
    };
    const server = new Server();
    server.addService(service, {
      echo: (call: { metadata: Metadata }, done: (err: null, value: string) => void) => done(null, String(call.metadata.get("traceparent")[0] ?? "")),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    const Echo = makeGenericClientConstructor(service, "Echo");
    const client: any = new Echo(`127.0.0.1:${port}`, credentials.createInsecure(), { interceptors: [traceparentInterceptor] });
    const echo = () => new Promise<string>((resolve, reject) => client.echo("hi", (err: Error | null, v: string) => (err ? reject(err) : resolve(v))));
    try {
      expect(await withTraceparent(example, echo)).to.equal(example);
      expect(await echo()).to.equal("");
    } finally {
      client.close();
      server.forceShutdown();
    }
  });
});
