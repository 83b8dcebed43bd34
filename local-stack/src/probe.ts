// Waiting for things to answer: poll with a deadline, never a fixed sleep. And
// waiting, bounded, until the ports the stack needs are free before it starts anything.
import net from "node:net";

export interface PollOptions {
  /** Epoch milliseconds after which polling gives up. */
  deadline: number;
  intervalMs?: number;
  /** Checked before each try: throw to give up at once (a process died, say). */
  abort?: () => void;
}

/** Calls `check` until it returns true; throws `${what} did not answer ...` at the deadline. */
export async function pollUntil(what: string, check: () => Promise<boolean>, options: PollOptions): Promise<void> {
  const { deadline, intervalMs = 200, abort } = options;
  let lastError = "";
  for (;;) {
    abort?.();
    try {
      if (await check()) return;
    } catch (err) {
      lastError = `: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (Date.now() >= deadline) throw new Error(`${what} did not answer in time${lastError}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** True if GET `url` answers with `status` (any 2xx when omitted). */
export async function httpAnswers(url: string, status?: number): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return status === undefined ? res.ok : res.status === status;
}

/**
 * True if a Redis server at host:port answers PING (after AUTH with `password`, when
 * one is given; a wrong password is an error).
 */
export function redisAnswers(host: string, port: number, password = ""): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2000, () => socket.destroy(new Error("timed out")));
    const expected = password === "" ? 1 : 2; // the answers to AUTH and PING
    let reply = "";
    socket.on("connect", () => socket.write((password === "" ? "" : command("AUTH", password)) + command("PING")));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      const lines = reply.split("\r\n").slice(0, -1);
      if (lines.length < expected) return;
      socket.end();
      if (password !== "" && lines[0] !== "+OK") reject(new Error(`Redis refused the password: ${lines[0]}`));
      else resolve(lines[expected - 1]!.startsWith("+PONG"));
    });
    socket.on("error", reject);
  });
}

/** A Redis command in the protocol's array form (any bytes in its arguments). */
function command(...args: string[]): string {
  return `*${args.length}\r\n` + args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("");
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
