// W3C trace context (https://www.w3.org/TR/trace-context/), as much as the apps need.
// Dapr's sidecars make the spans and send them to Zipkin, and pass the context on
// through every call and message that goes through them. The apps pass it on only
// where Dapr cannot: from an order's HTTP request into its workflow (gRPC metadata on
// the call that starts it) and from the workflow's activities into their invocations
// and publishes (the `traceparent` header); and they put its trace id in their logs.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { InterceptingCall, type Interceptor } from "@grpc/grpc-js";

/** version 00 - trace id - parent span id - flags (01: sampled). */
const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The value if it is a valid traceparent header (version 00, ids not all zeros), else undefined. */
export function validTraceparent(value: string | undefined): string | undefined {
  const match = traceparentPattern.exec(value?.trim() ?? "");
  if (match === null || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return match[0];
}

/** The trace id (32 hex digits) of a valid traceparent. */
export function traceIdOf(traceparent: string): string {
  return traceparent.slice(3, 35);
}

/** `{ trace_id }` for a log line, or `{}` without a valid traceparent. */
export function traceFields(traceparent: string | undefined): { trace_id?: string } {
  const valid = validTraceparent(traceparent);
  return valid === undefined ? {} : { trace_id: traceIdOf(valid) };
}

/**
 * The start of a new trace: random ids, sampled (flag 01) with probability
 * `samplingRate` (0 to 1). Dapr's sidecars follow the flag: they record the spans
 * of a sampled trace and none of another.
 */
export function newTraceparent(samplingRate: number, random: () => number = Math.random): string {
  const flags = random() < samplingRate ? "01" : "00";
  return `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-${flags}`;
}

const current = new AsyncLocalStorage<string>();

/** Runs `work` with the traceparent that traceparentInterceptor sends with gRPC calls made within it. */
export function withTraceparent<T>(traceparent: string | undefined, work: () => T): T {
  return traceparent === undefined ? work() : current.run(traceparent, work);
}

/**
 * A gRPC client interceptor (for the Dapr SDK's workflow client) that sends the
 * traceparent of the surrounding withTraceparent() as `traceparent` metadata, which
 * the sidecar reads as a W3C header: the workflow's spans join the caller's trace.
 */
export const traceparentInterceptor: Interceptor = (options, nextCall) =>
  new InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      const traceparent = current.getStore();
      if (traceparent !== undefined) metadata.set("traceparent", traceparent);
      next(metadata, listener);
    },
  });
