// The dashboard's live feed over Socket.IO. Every event goes to every connected
// page as "notification"; a page that connects (or reconnects) first gets what it
// missed as "history": the events after the last id it has, which it sends in its
// handshake (`auth: { lastEventId }`). With the Redis adapter, an event that one
// instance of notifications publishes reaches the pages of every instance.
import type http from "node:http";
import type { Logger } from "@dapr-orders/service-kit";
import { Server, type ServerOptions } from "socket.io";
import { isEventId, type EventHistory, type StoredEvent } from "./history.js";

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
}

export class Hub {
  private readonly io: Server;

  constructor({ history, logger, adapter }: HubOptions) {
    // serveClient: the page loads /socket.io/socket.io.js from this app, not from a CDN.
    this.io = new Server({ serveClient: true, ...(adapter === undefined ? {} : { adapter }) });
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
