// Structured logs: one JSON object per line, always naming the service, and the
import { inspect } from "node:util";
// order where there is one (pass `order_id` in the fields, or use a child logger).

export type LogFields = Record<string, unknown>;
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line, e.g. `logger.child({ order_id })`. */
  child(fields: LogFields): Logger;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  /** Lowest level written; LOG_LEVEL by default, else "info". */
  level?: LogLevel;
  /** Where lines go; stdout by default. Tests pass their own. */
  write?: (line: string) => void;
}

export function createLogger(service: string, options: LoggerOptions = {}, base: LogFields = {}): Logger {
  const min = rank[options.level ?? parseLevel(process.env.LOG_LEVEL)];
  const write = options.write ?? ((line: string) => process.stdout.write(line + "\n"));
  const log = (level: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (rank[level] < min) return;
    const entry = { time: new Date().toISOString(), level, service, msg, ...base, ...fields };
    write(JSON.stringify(entry, (_key, value) => (value instanceof Error ? value.message : value)));
  };
  return {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (fields) => createLogger(service, options, { ...base, ...fields }),
  };
}

function parseLevel(value: string | undefined): LogLevel {
  return value !== undefined && value in rank ? (value as LogLevel) : "info";
}

/**
 * Sends what libraries write with console.* into `logger`, so every line of the
 * process stays structured (the Dapr SDK's workflow engine reports its progress
 * this way). Chatter (log, info, debug) becomes debug lines.
 */
export function captureConsole(logger: Logger): void {
  const text = (args: unknown[]) => args.map((a) => (typeof a === "string" ? a : inspect(a))).join(" ");
  console.log = console.info = console.debug = (...args: unknown[]) => logger.debug(text(args));
  console.warn = (...args: unknown[]) => logger.warn(text(args));
  console.error = (...args: unknown[]) => logger.error(text(args));
}
