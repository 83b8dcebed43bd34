// What a dashboard receives: a Socket.IO client connected to notifications,
// keeping every "notification" event by order id. An order's events are read by
// seq, which with the order id is their identity: the same seq twice is a duplicate.
import type { Notification, NotificationType } from "@dapr-orders/service-kit";
import { io, type Socket } from "socket.io-client";

export type { NotificationType } from "@dapr-orders/service-kit";

/** A notification (as published: service-kit's contract) as notifications sends it to the pages. */
export interface OrderEvent extends Notification {
  /** Its id in notifications' history (a Redis stream id, "<ms>-<n>"). */
  id: string;
  /** The order's trace id, from the CloudEvent (when the sidecars trace). */
  trace_id?: string;
  /** When notifications received it, ISO 8601. */
  time: string;
}

export class NotificationFeed {
  /** Times the connection was lost: events may have been missed then. */
  disconnects = 0;
  /** Each order's events in the order they arrived, repeats included. */
  private readonly byOrder = new Map<string, OrderEvent[]>();

  private constructor(private readonly socket: Socket) {
    socket.on("notification", (event: OrderEvent) => {
      const list = this.byOrder.get(event.order_id) ?? [];
      list.push(event);
      this.byOrder.set(event.order_id, list);
    });
    socket.on("disconnect", () => (this.disconnects += 1));
  }

  /** Connects (websocket, as a browser would end up with) and resolves once connected. */
  static connect(url: string, timeoutMs = 30_000): Promise<NotificationFeed> {
    const socket = io(url, { transports: ["websocket"], reconnection: false, timeout: timeoutMs });
    return new Promise((resolve, reject) => {
      socket.once("connect", () => resolve(new NotificationFeed(socket)));
      socket.once("connect_error", (err) => {
        socket.close();
        reject(new Error(`cannot connect to notifications at ${url}: ${err.message}`));
      });
    });
  }

  /**
   * The order's events so far, by seq. A repeat (the same seq again) is not hidden:
   * it stays next to the first, so that a check of seq 1..n (expectMessages) sees it.
   */
  events(orderId: string): OrderEvent[] {
    return this.arrivals(orderId).sort((a, b) => a.seq - b.seq); // a stable sort: copies keep their arrival order
  }

  /** Everything received for the order, in the order it arrived, repeats included. */
  arrivals(orderId: string): OrderEvent[] {
    return [...(this.byOrder.get(orderId) ?? [])];
  }

  /** What was received for the order more than once (by seq): each later copy. Empty when nothing was. */
  duplicates(orderId: string): OrderEvent[] {
    const seen = new Set<number>();
    return this.arrivals(orderId).filter((event) => seen.has(event.seq) || (seen.add(event.seq), false));
  }

  /** The order's messages, by seq. */
  messages(orderId: string): string[] {
    return this.events(orderId).map((e) => e.message);
  }

  /** Waits until the order has `count` events (or the deadline passed), then returns them by seq. */
  async settle(orderId: string, count: number, timeoutMs = 30_000): Promise<OrderEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events(orderId).length < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.events(orderId);
  }

  /** Waits for an event of the order of that type, or whose message matches; throws at the deadline. */
  async waitFor(orderId: string, what: NotificationType | RegExp, timeoutMs = 60_000): Promise<OrderEvent> {
    const matches = (e: OrderEvent) => (typeof what === "string" ? e.type === what : what.test(e.message));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events(orderId).find(matches);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(`no notification ${String(what)} for order ${orderId}; got ${JSON.stringify(this.messages(orderId))}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): void {
    this.socket.close();
  }
}
