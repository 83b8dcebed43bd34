// Redis commands by name (INFO commandstats), through redis-cli: how many commands
// the stack's Redis ran, to give them per order.
import { execFile } from "node:child_process";

/** calls by command, from INFO commandstats ("cmdstat_get:calls=12,usec=..."). */
export function parseCommandStats(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1]!, Number(match[2]));
  return calls;
}

/** The commands run between two readings, per order: the total first ("all"), then by command, most first. */
export function commandsPerOrder(before: Map<string, number>, after: Map<string, number>, orders: number): Record<string, number> {
  const per = (n: number) => (orders === 0 ? 0 : Math.round((n * 10) / orders) / 10);
  const diff = [...after].map(([name, n]) => [name, n - (before.get(name) ?? 0)] as const).filter(([, n]) => n > 0);
  diff.sort((a, b) => b[1] - a[1]);
  return { all: per(diff.reduce((a, [, n]) => a + n, 0)), ...Object.fromEntries(diff.map(([name, n]) => [name, per(n)])) };
}

/** INFO commandstats of the Redis at host:port; an empty map when redis-cli is missing or Redis does not answer. */
export function readCommandStats(hostPort: string, password: string): Promise<Map<string, number>> {
  const [host, port] = hostPort.split(":");
  return new Promise((resolve) => {
    execFile(
      "redis-cli",
      ["-h", host ?? "127.0.0.1", "-p", port ?? "6379", "INFO", "commandstats"],
      { env: { ...process.env, REDISCLI_AUTH: password }, timeout: 5000 },
      (err, stdout) => resolve(err ? new Map() : parseCommandStats(stdout)),
    );
  });
}
