// What `npm start` shows of its processes' output (STACK_OUTPUT). By default, every
// line of the apps and of the stack itself, and of the rest (the sidecars, Sentry,
// placement, scheduler, Redis, Zipkin) their warnings and errors only: not their
// informational lines, nor lines without a level (banners, Go's plain log lines). What
// a process wrote last before it died is printed with the failure all the same
// (stack.ts keeps it). `all` shows every line, as the processes write them.
import type { LineSink } from "./process.js";

export type OutputMode = "apps" | "all";

/** STACK_OUTPUT's value: `apps` (the default, also when empty) or `all`; anything else throws. */
export function parseOutputMode(value: string | undefined): OutputMode {
  if (value === undefined || value === "" || value === "apps") return "apps";
  if (value === "all") return "all";
  throw new Error(`STACK_OUTPUT must be "apps" or "all", not "${value}"`);
}

// A warning or worse, in the log formats of the stack's other processes.
const warningOrWorse = [
  /\blevel=(warn|warning|error|fatal|panic)\b/, // daprd, placement, scheduler, Sentry (logfmt)
  /"level":\s*"(warn|warning|error|dpanic|panic|fatal)"/, // the same as JSON, and the scheduler's etcd
  /^\d+:[A-Z] \d{2} \w{3} \d{4} [\d:.]+ # /, // Redis: "#" is a warning ("." debug, "-" verbose, "*" notice)
  /^\d{4}-\d{2}-\d{2}[ T][\d:.,]+Z?\s+(WARN|ERROR|FATAL)\b/, // Zipkin (Java)
];

/** Whether a line of a process other than the apps is shown by default. */
export function isWarningOrWorse(line: string): boolean {
  return warningOrWorse.some((pattern) => pattern.test(line));
}

/**
 * Passes on to `sink` the lines `mode` shows: every line of `apps` (by process name)
 * and of the stack itself ("local-stack"), and the other processes' lines that are
 * warnings or worse; with `all`, every line.
 */
export function filteredLines(sink: LineSink, mode: OutputMode, apps: readonly string[]): LineSink {
  if (mode === "all") return sink;
  const shownWhole = new Set(["local-stack", ...apps]);
  return (name, line) => {
    if (shownWhole.has(name) || isWarningOrWorse(line)) sink(name, line);
  };
}
