// HTTP calls of the bench: each one bounded by its own timeout and by the bench's
// abort signal (the stack died, the time budget ran out, Ctrl-C).
import { setTimeout as sleepFor } from "node:timers/promises";

export interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

export interface RequestOptions {
  method?: "GET" | "POST";
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
}

/** Throws on a network error or a timeout; any status is an answer. */
export async function request(url: string, { method = "GET", body, headers = {}, timeoutMs, signal }: RequestOptions): Promise<Answer> {
  const res = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
  });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get("content-type") ?? "").includes("json") && text !== "") {
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep the text
    }
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Waits `ms`; rejects with the abort reason when the bench is stopping. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return sleepFor(Math.max(0, ms), undefined, { signal }).catch(() => {
    throw signal.reason instanceof Error ? signal.reason : new Error("the bench was stopped");
  });
}

/** Rethrows the abort reason when the bench is stopping; else returns (for catch blocks). */
export function rethrowIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("the bench was stopped");
}

/** A field of a JSON object answer, if the answer is one. */
export function field(body: unknown, name: string): unknown {
  return typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}
