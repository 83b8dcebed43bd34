// The workflow workers: how many, and keeping them connected to the sidecar.
//
// The SDK's worker runs at most 10 work items at once (workflow turns and activities
// together; the rest wait in its queue), a limit it hard-codes. An activity here waits
// on other apps for most of its time, so one worker would let 10 orders' steps run at
// once while the sidecar hands out up to its own limits (maxConcurrentActivityInvocations
// in the sidecar's Configuration). So the app runs several workers, each with its own
// stream of work items from the sidecar, which deals its items out to every stream.
//
// The SDK's worker gives up for good when its first stream to the sidecar fails: when
// the app starts before its sidecar, or when the sidecar restarts before the worker
// ever reconnected. So this asks the sidecar every few seconds how many workflow
// workers it has, and starts ours (again) when it has fewer. The first check runs at
// once, so it also does the first start.
import type { WorkflowRuntime } from "@dapr/dapr";
import type { DaprSettings, Logger } from "@dapr-orders/service-kit";

/** Work items the SDK's worker runs at once. */
export const sdkWorkItemsAtOnce = 10;

/** Workers enough to run `activitiesAtOnce` work items at once, at least one. */
export function workersFor(activitiesAtOnce: number): number {
  return Math.max(1, Math.ceil(activitiesAtOnce / sdkWorkItemsAtOnce));
}

export function superviseWorkers(runtimes: WorkflowRuntime[], dapr: DaprSettings, logger: Logger, intervalMs = 2000) {
  const metadata = `http://${dapr.host}:${dapr.httpPort}/v1.0/metadata`;
  // A sidecar that requires its API token (DAPR_API_TOKEN) answers 401 without it.
  const headers: Record<string, string> = dapr.apiToken ? { "dapr-api-token": dapr.apiToken } : {};
  let started = false;

  const check = async () => {
    let workers: number;
    try {
      const res = await fetch(metadata, { headers, signal: AbortSignal.timeout(2000) });
      workers = ((await res.json()) as { workflows?: { connectedWorkers?: number } }).workflows?.connectedWorkers ?? 0;
    } catch {
      return; // the sidecar is not answering (yet): ask again at the next check
    }
    if (workers >= runtimes.length) return;
    let restarted = 0;
    for (const runtime of runtimes) {
      try {
        await runtime.start();
        restarted += 1;
      } catch {
        // "already running": it is connected, connecting, or reconnecting by itself
      }
    }
    if (restarted === 0) return;
    if (started) logger.warn("workflow workers had lost their sidecar: started them again", { restarted, connected: workers });
    else logger.info("workflow workers started", { workers: restarted });
    started = true;
  };

  void check();
  const timer = setInterval(() => void check(), intervalMs);
  return { stop: () => clearInterval(timer) };
}
