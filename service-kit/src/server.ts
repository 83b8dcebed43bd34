// Listening, and stopping cleanly: on SIGTERM or SIGINT stop taking requests, run
// the service's own cleanup (e.g. stop the workflow worker), then exit.
import http from "node:http";
import type Koa from "koa";
import type { Logger } from "./logger.js";

export interface ServeOptions {
  port: number;
  /** The address to listen on (HOST, see appHost); every interface when undefined. */
  host?: string | undefined;
  logger: Logger;
  /** Runs after the HTTP server stopped accepting requests. */
  onShutdown?: () => Promise<void>;
}

const shutdownDeadlineMs = 10_000;

export function serve(app: Koa, { port, host, logger, onShutdown }: ServeOptions): http.Server {
  const server = http.createServer(app.callback());
  server.listen({ port, host }, () => logger.info("listening", { port, host: host ?? "every interface" }));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    setTimeout(() => {
      logger.error("shutdown took too long, exiting", { deadline_ms: shutdownDeadlineMs });
      process.exit(1);
    }, shutdownDeadlineMs).unref();
    server.close();
    server.closeIdleConnections();
    try {
      await onShutdown?.();
    } catch (err) {
      logger.error("error during shutdown", { err });
    }
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
  return server;
}
