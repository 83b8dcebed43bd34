// The thin edge to the app's own Dapr sidecar: a configured DaprClient (and the
// options for the workflow client and runtime), and service invocation that returns
// typed JSON or throws an error saying which call failed. Every client sends the
// sidecar's API token when there is one (DAPR_API_TOKEN, in DaprSettings).
import { CommunicationProtocolEnum, DaprClient, HttpMethod, LoggerService, LogLevel } from "@dapr/dapr";
import type { DaprSettings } from "./config.js";
import type { Logger } from "./logger.js";
import { traceparentInterceptor } from "./trace.js";

export function createDaprClient(dapr: DaprSettings, logger: Logger): DaprClient {
  return new DaprClient({
    daprHost: dapr.host,
    daprPort: dapr.httpPort,
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    daprApiToken: dapr.apiToken,
    logger: sdkLogger(logger),
  });
}

/**
 * Options for a DaprWorkflowClient or WorkflowRuntime: the sidecar's gRPC port, its
 * API token, our logger, and the interceptor that passes a trace context on (trace.ts:
 * a workflow started within withTraceparent() joins that trace).
 */
export function workflowOptions(dapr: DaprSettings, logger: Logger) {
  return {
    daprHost: dapr.host,
    daprPort: dapr.grpcPort,
    daprApiToken: dapr.apiToken,
    logger: sdkLogger(logger),
    grpcOptions: { interceptors: [traceparentInterceptor] },
  };
}

/**
 * The SDK's own log lines as debug lines of ours: the SDK also reports every failure
 * it returns (an ETag conflict, say) as an error, and our code logs what matters.
 */
export function sdkLogger(logger: Logger): { level: LogLevel; service: LoggerService } {
  const debug = (message: unknown, ...rest: unknown[]) =>
    logger.debug(String(message), rest.length > 0 ? { sdk: rest.map(String).join(" ") } : {});
  return { level: LogLevel.Warn, service: { error: debug, warn: debug, info: debug, verbose: debug, debug } };
}

/**
 * A non-2xx answer from another app (or its sidecar), with the status it gave. Its
 * message, with what the other side said, is for logs; `publicMessage` is what may
 * be shown to a client.
 */
export class InvocationError extends Error {
  constructor(
    readonly target: string,
    readonly status: number | undefined,
    message: string,
    /**
     * The other app's own error, when it answered as the apps here do (`{"error": "…"}`):
     * a message it meant for clients. Undefined for an answer of Dapr's, or none.
     */
    readonly appError?: string,
  ) {
    super(message);
    this.name = "InvocationError";
  }

  /** The app that was called. */
  get app(): string {
    return this.target.split("/")[0]!;
  }

  /** "payments answered 500", or "payments could not be reached": no text of the other side. */
  get publicMessage(): string {
    return this.status === undefined ? `${this.app} could not be reached` : `${this.app} answered ${this.status}`;
  }
}

/** POST (or another method) `body` to `appId`'s `path` through the sidecar. */
export async function invoke<T>(
  client: DaprClient,
  appId: string,
  path: string,
  body?: object,
  method: HttpMethod = HttpMethod.POST,
  headers?: Record<string, string>,
): Promise<T> {
  try {
    const options = headers === undefined ? [] : [{ headers }];
    return (await client.invoker.invoke(appId, path, method, body, ...options)) as T;
  } catch (err) {
    throw asInvocationError(`${appId}/${path}`, err);
  }
}

/**
 * Publishes `data` (JSON) to `topic` of pubsub component `pubsub` through the sidecar's
 * HTTP API, with `headers`: the SDK's publish sends none, and a `traceparent` header
 * is how the publish joins a trace (Dapr puts it in the CloudEvent, and the delivery
 * continues it). Throws if the sidecar did not take it.
 */
export async function publishEvent(
  dapr: DaprSettings,
  pubsub: string,
  topic: string,
  data: object,
  headers: Record<string, string> = {},
): Promise<void> {
  const url = `http://${dapr.host}:${dapr.httpPort}/v1.0/publish/${encodeURIComponent(pubsub)}/${encodeURIComponent(topic)}`;
  const token: Record<string, string> = dapr.apiToken === undefined ? {} : { "dapr-api-token": dapr.apiToken };
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { ...headers, ...token, "content-type": "application/json" },
      body: JSON.stringify(data),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    throw new Error(`publishing to ${pubsub}/${topic} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok) throw new Error(`publishing to ${pubsub}/${topic} failed: the sidecar answered ${res.status}: ${await res.text()}`);
}

// The SDK throws Error(JSON.stringify({ error, error_msg, status })) for non-2xx.
function asInvocationError(target: string, err: unknown): InvocationError {
  const text = err instanceof Error ? err.message : String(err);
  try {
    const { status, error_msg: body } = JSON.parse(text) as { status?: number; error_msg?: string };
    let appError: string | undefined;
    try {
      const { error } = JSON.parse(body ?? "") as { error?: unknown };
      if (typeof error === "string") appError = error;
    } catch {
      // not JSON: not one of our apps' answers
    }
    return new InvocationError(target, status, `${target} answered ${status}: ${appError ?? body ?? text}`, appError);
  } catch {
    return new InvocationError(target, undefined, `${target} failed: ${text}`);
  }
}
