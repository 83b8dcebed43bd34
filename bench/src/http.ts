// What the bench's HTTP calls (service-kit's `call`, each bounded by its own timeout
// and the bench's abort signal) share: waiting and stopping when the bench stops (the
// stack died, the time budget ran out, Ctrl-C), and reading a field of an answer.
import { setTimeout as sleepFor } from "node:timers/promises";

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
