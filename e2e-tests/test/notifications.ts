// What a dashboard receives: a Socket.IO client connected to notifications,
// keeping every "notification" event by order id.
import { io, type Socket } from "socket.io-client";

export interface OrderEvent {
  order_id: string;
  message: string;
  time: string;
}

export class NotificationFeed {
  /** Times the connection was lost: events may have been missed then. */
  disconnects = 0;
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

  /** The order's events so far, in the order they arrived. */
  events(orderId: string): OrderEvent[] {
    return [...(this.byOrder.get(orderId) ?? [])];
  }

  messages(orderId: string): string[] {
    return this.events(orderId).map((e) => e.message);
  }

  /** Waits until the order has `count` events (or the deadline passed), then returns them. */
  async settle(orderId: string, count: number, timeoutMs = 30_000): Promise<OrderEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events(orderId).length < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.events(orderId);
  }

  /** Waits for an event of the order whose message matches; throws at the deadline. */
  async waitFor(orderId: string, message: RegExp, timeoutMs = 60_000): Promise<OrderEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events(orderId).find((e) => message.test(e.message));
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(`no notification ${message} for order ${orderId}; got ${JSON.stringify(this.messages(orderId))}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): void {
    this.socket.close();
  }
}
