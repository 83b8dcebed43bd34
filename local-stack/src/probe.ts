// Whether a process answers yet (stack.ts polls these with service-kit's pollUntil),
// and waiting, bounded, until the ports the stack needs are free before it starts anything.
import net from "node:net";
import { call } from "@dapr-orders/service-kit/http-client";

/** True if GET `url` answers with `status` (any 2xx when omitted). */
export async function httpAnswers(url: string, status?: number): Promise<boolean> {
  const answer = await call("GET", url, { timeoutMs: 2000 });
  return status === undefined ? answer.status >= 200 && answer.status < 300 : answer.status === status;
}

export interface PortWaitOptions {
  /** How long to wait for a busy port: 60 s by default. */
  timeoutMs?: number;
  intervalMs?: number;
  /** Told once when the port is busy, and again when it is free. */
  say?: (line: string) => void;
}

/**
 * Resolves once the port can be listened on. While something holds it (another
 * program, or a connection of this machine that happens to use it as its local
 * port), it says so once and polls, until `timeoutMs`; then it rejects, naming the
 * port and what it is for.
 */
export async function waitForFreePort(port: number, purpose: string, options: PortWaitOptions = {}): Promise<void> {
  const { timeoutMs = 60_000, intervalMs = 500, say } = options;
  const deadline = Date.now() + timeoutMs;
  const seconds = Math.round(timeoutMs / 1000);
  let waiting = false;
  for (;;) {
    const error = await listenError(port);
    if (error === undefined) {
      if (waiting) say?.(`port ${port} (${purpose}) is free now`);
      return;
    }
    if (error.code !== "EADDRINUSE") throw new Error(`port ${port} (${purpose}): ${error.message}`);
    if (!waiting) say?.(`port ${port} (${purpose}) is in use, waiting up to ${seconds} s`);
    waiting = true;
    if (Date.now() >= deadline) {
      throw new Error(`port ${port} (${purpose}) is still in use after ${seconds} s: is the system already running (npm start, docker compose)?`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Why listening on the port fails right now (undefined: it does not). */
function listenError(port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", (err: NodeJS.ErrnoException) => resolve(err));
    // Without a host: the apps listen on every address, so check them all.
    server.listen(port, () => server.close(() => resolve(undefined)));
  });
}

/** A port that is free right now, chosen by the system. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
