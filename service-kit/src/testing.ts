// For the services' unit tests: send one HTTP request to a Koa app served on a
// random loopback port, and get back the status, headers and parsed JSON body;
// read Prometheus metrics (an app's GET /metrics, or this process's own registry).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type Koa from "koa";
import { createLogger, type Logger } from "./logger.js";
import { metricsRegistry } from "./metrics.js";

export { MemoryStateStore, type StoreCall } from "./state.js";

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
}

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
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      body: payload,
      headers: { ...(payload === undefined ? {} : { "content-type": req.contentType ?? "application/json" }), ...req.headers },
    });
    return { status: res.status, headers: res.headers, body: await responseBody(res) };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A response's body: parsed when it is JSON, else its text. */
export async function responseBody(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
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
