// The dashboard's live feed over Socket.IO. Every event goes to every connected
// page as "notification"; a page that connects (or reconnects) first gets what it
// missed as "history": the events after the last id it has, which it sends in its
// handshake (`auth: { lastEventId }`). With the Redis adapter, an event that one
// instance of notifications publishes reaches the pages of every instance.
//
// Anyone may watch (the events carry nothing only an operator may see), but only
// from a page of this app: a browser's handshake from another site's page (its Origin
// header names another host) is refused with 403. And each connection costs a read of
// the history, so a client address gets a limited number of them per window
// (`connections`): past it, the handshake is refused with the seconds to wait.
import type http from "node:http";
import type { Logger } from "@dapr-orders/service-kit";
import { Server, type ServerOptions } from "socket.io";
import { isEventId, type EventHistory, type StoredEvent } from "./history.js";
import type { RateLimit } from "./operator.js";

/** What a page receives as "history". */
export interface HistoryReply {
  events: StoredEvent[];
  /** Set when the history could not be read: the page gets live events only. */
  error?: string;
}

export interface HubOptions {
  history: EventHistory;
  logger: Logger;
  /** The Socket.IO adapter that links the instances (createAdapter of @socket.io/redis-adapter). */
  adapter?: ServerOptions["adapter"];
  /** Counts the connections of each client address. */
  connections?: RateLimit;
}

/**
 * Whether a handshake may come from where it says it does: without an Origin header
 * (not a browser, or a same-origin request that does not send one), or with the
 * origin of this very host.
 */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false; // "null" (a sandboxed page, a file) and anything else that is no URL
  }
}

export class Hub {
  private readonly io: Server;

  constructor({ history, logger, adapter, connections }: HubOptions) {
    this.io = new Server({
      serveClient: true, // the page loads /socket.io/socket.io.js from this app, not from a CDN
      allowRequest: (req, callback) => {
        const allowed = sameOrigin(req.headers.origin, req.headers.host);
        if (!allowed) logger.warn("Socket.IO handshake from another site refused", { origin: req.headers.origin });
        callback(allowed ? null : "another site's page may not connect", allowed);
      },
      ...(adapter === undefined ? {} : { adapter }),
    });
    if (connections !== undefined) {
      this.io.use(async (socket, next) => {
        let wait = 0;
        try {
          wait = await connections.take(socket.handshake.address);
        } catch (err) {
          logger.warn("cannot count the connection (Redis unavailable): letting it in", { err });
        }
        if (wait === 0) return next();
        logger.warn("too many connections from one address", { address: socket.handshake.address, retry_after: wait });
        next(Object.assign(new Error(`too many connections from this address: try again in ${wait} s`), { data: { retryAfter: wait } }));
      });
    }
    this.io.on("connection", async (socket) => {
      // The socket already receives live events: one that comes while the history
      // is read may arrive twice, and the page keeps it once (by order_id and seq).
      const { lastEventId } = socket.handshake.auth as { lastEventId?: unknown };
      const since = isEventId(lastEventId) ? lastEventId : undefined;
      let reply: HistoryReply;
      try {
        reply = { events: await history.after(since) };
      } catch (err) {
        logger.error("cannot read the event history", { err });
        reply = { events: [], error: "the event history is unavailable" };
      }
      socket.emit("history", reply);
      logger.debug("page connected", { since, sent: reply.events.length });
    });
  }

  attach(server: http.Server): void {
    this.io.attach(server);
  }

  publish(event: StoredEvent): void {
    this.io.emit("notification", event);
  }

  close(): Promise<void> {
    return this.io.close();
  }
}
