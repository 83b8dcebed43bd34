// Keeps the workflow worker connected to the sidecar. The SDK's worker gives up for
// good when its first stream to the sidecar fails: when the app starts before its
// sidecar, or when the sidecar restarts before the worker ever reconnected. So this
// asks the sidecar every few seconds how many workflow workers it has, and starts
// ours (again) when it has none. The first check runs at once, so it also does the
// first start.
import type { WorkflowRuntime } from "@dapr/dapr";
import type { DaprSettings, Logger } from "@dapr-orders/service-kit";

export function superviseWorker(runtime: WorkflowRuntime, dapr: DaprSettings, logger: Logger, intervalMs = 2000) {
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
    if (workers > 0) return;
    try {
      await runtime.start();
    } catch {
      return; // "already running": it is connecting, or reconnecting by itself
    }
    if (started) logger.warn("the workflow worker had lost its sidecar: started it again");
    else logger.info("workflow worker started");
    started = true;
  };

  void check();
  const timer = setInterval(() => void check(), intervalMs);
  return { stop: () => clearInterval(timer) };
}
