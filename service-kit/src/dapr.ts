// The thin edge to the app's own Dapr sidecar: the options for the SDK's workflow
// runtime and client (gRPC), and service invocation and publish over the sidecar's HTTP
// API (sidecar.ts), which return typed JSON or throw an error saying which call
// failed. Every call sends the sidecar's API token when there is one (DAPR_API_TOKEN).
import { LoggerService, LogLevel } from "@dapr/dapr";
import type { DaprSettings } from "./config.js";
import type { Logger } from "./logger.js";
import type { Sidecar, SidecarAnswer } from "./sidecar.js";
import { traceparentInterceptor } from "./trace.js";

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

/** POST (or another method) `body` to `appId`'s `path` through the sidecar; answers the app's JSON (or text). */
export async function invoke<T>(
  sidecar: Sidecar,
  appId: string,
  path: string,
  body?: object,
  method = "POST",
  headers?: Record<string, string>,
): Promise<T> {
  const target = `${appId}/${path}`;
  let answer: SidecarAnswer;
  try {
    answer = await sidecar.call(method, `/v1.0/invoke/${encodeURIComponent(appId)}/method/${path}`, { body, headers });
  } catch (err) {
    throw new InvocationError(target, undefined, `${target} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const answered = parsed(answer.body);
  if (answer.ok) return answered as T;
  const error = (answered as { error?: unknown } | undefined)?.error;
  const appError = typeof error === "string" ? error : undefined;
  throw new InvocationError(target, answer.status, `${target} answered ${answer.status}: ${appError ?? answer.body}`, appError);
}

/** JSON when it is JSON, else the text; undefined for an empty body. */
function parsed(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Publishes `data` (JSON) to `topic` of pubsub component `pubsub` through the sidecar,
 * with `headers`: a `traceparent` header is how the publish joins a trace (Dapr puts
 * it in the CloudEvent, and the delivery continues it). Throws if the sidecar did not take it.
 */
export async function publishEvent(
  sidecar: Sidecar,
  pubsub: string,
  topic: string,
  data: object,
  headers: Record<string, string> = {},
): Promise<void> {
  const failed = `publishing to ${pubsub}/${topic} failed`;
  let answer: SidecarAnswer;
  try {
    answer = await sidecar.call("POST", `/v1.0/publish/${encodeURIComponent(pubsub)}/${encodeURIComponent(topic)}`, { body: data, headers });
  } catch (err) {
    throw new Error(`${failed}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!answer.ok) throw new Error(`${failed}: the sidecar answered ${answer.status}: ${answer.body}`);
}
