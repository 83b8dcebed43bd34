// What `npm start` shows of its processes' output (STACK_OUTPUT). By default, every
// line of the apps and of the stack itself, and of the rest (the sidecars, Sentry,
// placement, scheduler, Redis, Zipkin) what is not recognisably below a warning: their
// warnings and errors, and anything that has no level at all (a Go panic, a Java stack
// trace). `all` shows every line, as the processes write them.
import type { LineSink } from "./process.js";

export type OutputMode = "apps" | "all";

/** STACK_OUTPUT's value: `apps` (the default, also when empty) or `all`; anything else throws. */
export function parseOutputMode(value: string | undefined): OutputMode {
  if (value === undefined || value === "" || value === "apps") return "apps";
  if (value === "all") return "all";
  throw new Error(`STACK_OUTPUT must be "apps" or "all", not "${value}"`);
}

// The levels below a warning, in the log formats of the stack's other processes.
const belowWarning = [
  /\blevel=(trace|debug|info)\b/, // daprd, placement, scheduler, Sentry (logfmt)
  /"level":\s*"(trace|debug|info)"/, // the same, as JSON (--log-as-json)
  /^\d+:[A-Z] \d{2} \w{3} \d{4} [\d:.]+ [.\-*] /, // Redis: "." debug, "-" verbose, "*" notice ("#" is a warning)
  /^\d{4}-\d{2}-\d{2}[ T][\d:.,]+\s+(TRACE|DEBUG|INFO)\b/, // Zipkin (Java, logback)
];

/** Whether a line of a process other than the apps is shown by default. */
export function isWarningOrWorse(line: string): boolean {
  return !belowWarning.some((pattern) => pattern.test(line));
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
