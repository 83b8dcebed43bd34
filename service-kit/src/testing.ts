// For the services' unit tests: send one HTTP request to a Koa app served on a
// random loopback port, and get back the status, headers and parsed JSON body.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type Koa from "koa";
import { createLogger, type Logger } from "./logger.js";

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
