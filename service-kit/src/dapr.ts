// The thin edge to the app's own Dapr sidecar: a configured DaprClient (and the
// options for the workflow client and runtime), and service invocation that returns
// typed JSON or throws an error saying which call failed. Every client sends the
// sidecar's API token when there is one (DAPR_API_TOKEN, in DaprSettings).
import { CommunicationProtocolEnum, DaprClient, HttpMethod, LoggerService, LogLevel } from "@dapr/dapr";
import type { DaprSettings } from "./config.js";
import type { Logger } from "./logger.js";

export function createDaprClient(dapr: DaprSettings, logger: Logger): DaprClient {
  return new DaprClient({
    daprHost: dapr.host,
    daprPort: dapr.httpPort,
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    daprApiToken: dapr.apiToken,
    logger: sdkLogger(logger),
  });
}

/** Options for a DaprWorkflowClient or WorkflowRuntime: the sidecar's gRPC port, its API token, our logger. */
export function workflowOptions(dapr: DaprSettings, logger: Logger) {
  return { daprHost: dapr.host, daprPort: dapr.grpcPort, daprApiToken: dapr.apiToken, logger: sdkLogger(logger) };
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
