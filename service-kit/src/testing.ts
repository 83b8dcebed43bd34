// For the services' unit tests: send one HTTP request to a Koa app served on a
// random loopback port, and get back the status, headers and parsed JSON body;
// read Prometheus metrics (an app's GET /metrics, or this process's own registry).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type Koa from "koa";
import { createLogger, type Logger } from "./logger.js";
import { Sidecar } from "./sidecar.js";
import { metricsRegistry } from "./metrics.js";
import { responseBody, type HttpAnswer } from "./http-client.js";

export { MemoryStateStore, type StoreCall } from "./state.js";

export type TestResponse = HttpAnswer;

export interface TestRequest {
  body?: unknown;
  /** Sent as is instead of JSON.stringify(body). */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export async function request(app: Koa, method: string, path: string, req: TestRequest = {}): Promise<TestResponse> {
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const payload = req.raw ?? (req.body === undefined ? undefined : JSON.stringify(req.body));
    // node:http rather than fetch: fetch sends its own Host header, whatever the test says.
    const headers: Record<string, string> = { ...(payload === undefined ? {} : { "content-type": req.contentType ?? "application/json" }), ...req.headers };
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const sent = http.request({ host: "127.0.0.1", port, path, method, headers }, resolve);
      sent.on("error", reject);
      sent.end(payload);
    });
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const answer = new Response(res.statusCode === 204 || res.statusCode === 304 ? null : Buffer.concat(chunks), {
      status: res.statusCode ?? 0,
      headers: Object.entries(res.headers).flatMap(([name, value]) => (Array.isArray(value) ? value.map((v) => [name, v]) : value === undefined ? [] : [[name, value]])) as [string, string][],
    });
    return { status: answer.status, headers: answer.headers, body: await responseBody(answer) };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A request that a FakeSidecar received. */
export interface SidecarCall {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The body parsed as JSON (undefined when empty). */
  body: unknown;
}

/** What a FakeSidecar answers: a status, and a body (JSON unless a string). */
export type SidecarReply = { status: number; body?: unknown };

/**
 * A stand-in for a Dapr sidecar's HTTP API on a loopback port, for unit tests of the
 * code on the Sidecar client: records each request, and answers as `reply` says.
 */
export class FakeSidecar {
  readonly calls: SidecarCall[] = [];
  private constructor(
    private readonly server: http.Server,
    readonly sidecar: Sidecar,
  ) {}

  static async start(reply: (call: SidecarCall) => SidecarReply, apiToken?: string): Promise<FakeSidecar> {
    let fake: FakeSidecar | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        const call = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: text === "" ? undefined : JSON.parse(text) };
        fake!.calls.push(call);
        const { status, body } = reply(call);
        res.writeHead(status, { "content-type": "application/json" }).end(body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeSidecar(server, new Sidecar({ host: "127.0.0.1", httpPort: String(port), grpcPort: "1", ...(apiToken === undefined ? {} : { apiToken }) }));
    return fake;
  }

  async stop(): Promise<void> {
    this.sidecar.close();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A logger that keeps its lines in memory, so tests stay quiet and can read them. */
export function memoryLogger(service = "test"): Logger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(service, { level: "debug", write: (line) => lines.push(JSON.parse(line)) });
  return Object.assign(logger, { lines });
}

/** One sample of the Prometheus text format: `name{label="value",...} value`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (what GET /metrics answers); comments skipped. */
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (match === null) throw new Error(`not a Prometheus sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    }
    const value = { "+Inf": Infinity, "-Inf": -Infinity }[match[3]!] ?? Number(match[3]);
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels` (0 when there are none). */
export function metricValue(samples: MetricSample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value))
    .reduce((sum, s) => sum + s.value, 0);
}

/** What this process's own GET /metrics would show now, parsed. */
export async function ownMetrics(): Promise<MetricSample[]> {
  return parseMetrics(await metricsRegistry.metrics());
}
