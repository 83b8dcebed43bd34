// The app's own Dapr sidecar, over its HTTP API: one small client for every call an
// app makes to it (service invocation, publish, state, the workflow API), on
// kept-alive connections (node:http). A call costs a fraction of the CPU that fetch
// or the SDK's HTTP client cost, which counts on paths taken many times an order:
// status reads, publishes, invocations, state reads and writes. Only the workflow
// worker and the start of a workflow (the SDK, dapr.ts) talk gRPC to the sidecar.
import http from "node:http";
import type { DaprSettings } from "./config.js";

export interface SidecarAnswer {
  status: number;
  /** A 2xx status. */
  ok: boolean;
  /** The answer's body, as text ("" when there is none). */
  body: string;
  headers: http.IncomingHttpHeaders;
}

export interface SidecarRequest {
  /** A JSON value (sent as JSON) or text already serialized (sent as it is, as JSON). */
  body?: unknown;
  headers?: Record<string, string>;
  /** The call fails after this long without an answer; 60 s by default. */
  timeoutMs?: number;
}

export class Sidecar {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  private readonly token: Record<string, string>;

  constructor(readonly settings: DaprSettings) {
    this.token = settings.apiToken === undefined ? {} : { "dapr-api-token": settings.apiToken };
  }

  /** `method` `path` (e.g. "/v1.0/publish/pubsub/notifications") on the sidecar; throws only when it did not answer. */
  call(method: string, path: string, { body, headers = {}, timeoutMs = 60_000 }: SidecarRequest = {}): Promise<SidecarAnswer> {
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: this.settings.host,
          port: this.settings.httpPort,
          method,
          path,
          headers: {
            ...headers,
            ...this.token,
            ...(payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
          },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            resolve({ status, ok: status >= 200 && status < 300, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers });
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer from the sidecar within ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** Closes the kept-alive connections (at shutdown). */
  close(): void {
    this.agent.destroy();
  }
}

/** The body of an answer as JSON (undefined when empty); throws if it is not JSON. */
export function jsonOf<T>(answer: SidecarAnswer): T {
  return (answer.body === "" ? undefined : JSON.parse(answer.body)) as T;
}
