// Structured logs: one JSON object per line, always naming the service, and the
// order where there is one (pass `order_id` in the fields, or use a child logger).
// pino writes them (fast: stdout is written asynchronously, and flushed by pino when
// the process exits); this interface keeps the message first, as people read it.
import { inspect } from "node:util";
import { pino, type Logger as Pino } from "pino";

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

export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  const destination = options.write === undefined ? pino.destination({ sync: false }) : { write: options.write };
  const root = pino(
    {
      level: options.level ?? parseLevel(process.env.LOG_LEVEL),
      base: { service },
      messageKey: "msg",
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      // An error is logged whole: its type, message, stack (with its causes') and own fields.
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
  return wrap(root);
}

function wrap(log: Pino): Logger {
  return {
    debug: (msg, fields = {}) => log.debug(fields, msg),
    info: (msg, fields = {}) => log.info(fields, msg),
    warn: (msg, fields = {}) => log.warn(fields, msg),
    error: (msg, fields = {}) => log.error(fields, msg),
    child: (fields) => wrap(log.child(fields)),
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
