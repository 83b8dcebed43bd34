// The Redis of the stack: a running one (REDIS_HOST), or a redis-server of its own,
// which it installs from Debian's packages when it can. And the check that a Redis
// answers, with the `redis` client.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createClient } from "redis";
import { findOnPath } from "./binaries.js";

/**
 * True if a Redis server at host:port answers PING; false if it wants a password
 * and got none. With a password, a wrong one is an error.
 */
export async function redisAnswers(host: string, port: number, password = ""): Promise<boolean> {
  const client = createClient({
    socket: { host, port, connectTimeout: 2000, reconnectStrategy: false },
    ...(password === "" ? {} : { password }),
  });
  client.on("error", () => {}); // connect() and ping() reject with it
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (message.startsWith("NOAUTH")) return false; // it wants a password, and got none
    if (message.startsWith("WRONGPASS")) throw new Error(`Redis refused the password: ${message}`, { cause: err });
    throw err;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

/** host and port of "host:port". */
export function splitHostPort(address: string): [string, number] {
  const i = address.lastIndexOf(":");
  const port = Number(address.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port)) throw new Error(`Redis address ${address} is not host:port`);
  return [address.slice(0, i), port];
}

/** redis-server on the PATH; else installs Debian's where that is possible (root, apt), else says what to do. */
export async function redisServerBinary(say: (line: string) => void): Promise<string> {
  const found = findOnPath("redis-server");
  if (found !== undefined) return found;
  const apt = findOnPath("apt-get");
  if (apt === undefined || process.getuid?.() !== 0) {
    throw new Error(
      "redis-server is not installed: install it (Debian/Ubuntu: apt-get install -y redis-server), " + "or set REDIS_HOST to the host:port of a running Redis",
    );
  }
  say("redis-server is not installed: installing Debian's package");
  const run = promisify(execFile);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await run(apt, ["update", "-qq"], { env });
  await run(apt, ["install", "-y", "-qq", "redis-server"], { env });
  const server = findOnPath("redis-server");
  if (server === undefined) throw new Error("apt-get installed redis-server, but it is not on the PATH");
  return server;
}
