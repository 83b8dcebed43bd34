// Fans notifications out to every browser connected over Socket.IO.
import type http from "node:http";
import { Server } from "socket.io";

export interface OrderEvent {
  order_id: string;
  message: string;
  /** When notifications received it, ISO 8601. */
  time: string;
}

export class Hub {
  // serveClient: the page loads /socket.io/socket.io.js from this app, not from a CDN.
  private readonly io = new Server({ serveClient: true });

  attach(server: http.Server): void {
    this.io.attach(server);
  }

  publish(event: OrderEvent): void {
    this.io.emit("notification", event);
  }

  close(): Promise<void> {
    return this.io.close();
  }
}
