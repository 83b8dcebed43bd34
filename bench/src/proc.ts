// CPU time and peak memory of the stack's processes, from Linux's /proc: utime and
// stime of /proc/<pid>/stat, and VmHWM (the peak resident set) of /proc/<pid>/status.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

export interface ProcessUsage {
  /** User and system CPU time so far, in seconds. */
  cpuSeconds: number;
  /** The largest resident set size so far, in MiB. */
  peakRssMiB: number;
}

/** utime + stime of a /proc/<pid>/stat line, in clock ticks. */
export function cpuTicks(stat: string): number {
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state), so utime (field 14) and stime (field 15) are at 11 and 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  return utime + stime;
}

/** VmHWM of a /proc/<pid>/status text, in kB. */
export function peakRssKb(status: string): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error("no VmHWM line in /proc/<pid>/status");
  return Number(match[1]);
}

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (getconf CLK_TCK; 100 on Linux almost everywhere). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** The usage of one process, or undefined if it is gone. */
export function readUsage(pid: number): ProcessUsage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return { cpuSeconds: cpuTicks(stat) / clockTicks(), peakRssMiB: peakRssKb(status) / 1024 };
  } catch {
    return undefined;
  }
}

/** The usage of each process, by name. */
export function snapshot(pids: ReadonlyMap<string, number>): Map<string, ProcessUsage> {
  const usage = new Map<string, ProcessUsage>();
  for (const [name, pid] of pids) {
    const u = readUsage(pid);
    if (u !== undefined) usage.set(name, u);
  }
  return usage;
}

/** CPU seconds each process used between two snapshots (processes in both). */
export function cpuBetween(before: Map<string, ProcessUsage>, after: Map<string, ProcessUsage>): Map<string, number> {
  const used = new Map<string, number>();
  for (const [name, end] of after) {
    const start = before.get(name);
    if (start !== undefined) used.set(name, Math.round((end.cpuSeconds - start.cpuSeconds) * 100) / 100);
  }
  return used;
}
