// Waiting for something that happens asynchronously (a process answering, a workflow
// finishing, a page showing a card): poll with a deadline, never a fixed sleep.

export interface PollOptions {
  /** How long to poll: 60 s by default. */
  timeoutMs?: number;
  /** Pause between two checks: 200 ms by default. */
  intervalMs?: number;
  /** Called before each check: throw to give up at once (a process died, say). */
  abort?: () => void;
}

/**
 * Calls `check` until it returns true; a check that throws counts as not yet. At the
 * deadline it throws `waited N s for <what>`, with the last check's error if it threw.
 */
export async function pollUntil(what: string, check: () => boolean | Promise<boolean>, options: PollOptions = {}): Promise<void> {
  const { timeoutMs = 60_000, intervalMs = 200, abort } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    abort?.();
    let last = "";
    try {
      if (await check()) return;
    } catch (err) {
      last = `: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (Date.now() >= deadline) throw new Error(`waited ${Math.round(timeoutMs / 100) / 10} s for ${what}${last}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
