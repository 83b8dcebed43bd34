// The dashboard's live feed over Socket.IO. Every event goes to every connected
// page as "notification"; a page that connects (or reconnects) first gets what it
// missed as "history": the events after the last id it has, which it sends in its
// handshake (`auth: { lastEventId }`). With the Redis adapter, an event that one
// instance of notifications publishes reaches the pages of every instance.
//
// Anyone may watch (the events carry nothing only an operator may see), but only
// from a page of this app: a browser's handshake from another site's page (its Origin
// header names another host) is refused with 403, and so is one whose Host header
// names a host the app does not serve (DNS rebinding), as createApp does. Each
// connection costs a read of the history, so a client address gets a limited number
// of them per window (`connections`): past it, the handshake is refused with the
// seconds to wait; and it may hold a limited number open at once (`openConnections`,
// per instance). A page sends nothing but its handshake, so a message may be small.
import type http from "node:http";
import { clientAddress, hostAllowed, type Logger, type WebSettings } from "@dapr-orders/service-kit";
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
  /** Connections a client address may hold open at once on this instance; no limit when unset (or 0). */
  openConnections?: number;
  /** The hosts the app serves, and the proxies in front of it (createApp's). */
  web?: WebSettings;
}

/** The largest message (or HTTP long-polling body) a page may send: its handshake fits many times over. */
export const maxMessageBytes = 4096;

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

  private readonly open = new Map<string, number>();

  constructor({ history, logger, adapter, connections, openConnections = 0, web = { allowedHosts: ["*"], trustedProxyHops: 0 } }: HubOptions) {
    const addressOf = (req: http.IncomingMessage) => clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], web.trustedProxyHops);
    this.io = new Server({
      serveClient: true, // the page loads /socket.io/socket.io.js from this app, not from a CDN
      maxHttpBufferSize: maxMessageBytes,
      allowRequest: (req, callback) => {
        if (!hostAllowed(req.headers.host, web.allowedHosts)) {
          logger.warn("Socket.IO handshake for a host this app does not serve refused", { host: req.headers.host });
          return callback("the Host header names a host this app does not serve", false);
        }
        const allowed = sameOrigin(req.headers.origin, req.headers.host);
        if (!allowed) logger.warn("Socket.IO handshake from another site refused", { origin: req.headers.origin });
        callback(allowed ? null : "another site's page may not connect", allowed);
      },
      ...(adapter === undefined ? {} : { adapter }),
    });
    const refuse = (next: (err?: Error) => void, message: string, retryAfter: number) =>
      next(Object.assign(new Error(message), { data: { retryAfter } }));
    this.io.use(async (socket, next) => {
      const address = addressOf(socket.request);
      if (openConnections > 0 && (this.open.get(address) ?? 0) >= openConnections) {
        logger.warn("too many open connections from one address", { address, open: openConnections });
        return refuse(next, `too many open connections from this address: close one and try again`, 5);
      }
      let wait = 0;
      try {
        wait = (await connections?.take(address)) ?? 0;
      } catch (err) {
        logger.warn("cannot count the connection (Redis unavailable): letting it in", { err });
      }
      if (wait > 0) {
        logger.warn("too many connections from one address", { address, retry_after: wait });
        return refuse(next, `too many connections from this address: try again in ${wait} s`, wait);
      }
      // Counted as open from here (after the awaits above) until it closes.
      if (openConnections > 0 && (this.open.get(address) ?? 0) >= openConnections) {
        return refuse(next, `too many open connections from this address: close one and try again`, 5);
      }
      this.open.set(address, (this.open.get(address) ?? 0) + 1);
      socket.once("disconnect", () => {
        const left = (this.open.get(address) ?? 1) - 1;
        if (left <= 0) this.open.delete(address);
        else this.open.set(address, left);
      });
      next();
    });
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
