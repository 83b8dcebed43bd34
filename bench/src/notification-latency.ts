// Notification latency, from publish to a dashboard page: the bench publishes its
// own notifications through order-processor's sidecar (the same pub/sub topic the
// workflow publishes to), each with an order id of its own, and a Socket.IO client
// connected to notifications takes the time each one arrives. The events a page
// receives carry no publish time, so the bench keeps the send times itself.
import { io, type Socket } from "socket.io-client";
import { call } from "@dapr-orders/service-kit/http-client";
import { field, rethrowIfAborted, sleep } from "./http.js";
import { summarize, type LatencySummary } from "./stats.js";

export interface LatencySettings {
  /** notifications, e.g. http://127.0.0.1:3001 */
  dashboardUrl: string;
  /** The publishing app's sidecar, e.g. http://127.0.0.1:3500 */
  daprUrl: string;
  /** Its Dapr API token. */
  daprApiToken: string;
  /** performance.now() time at which to stop publishing. */
  until: number;
  intervalMs: number;
  signal: AbortSignal;
}

export interface NotificationLatency {
  sent: number;
  received: number;
  /** Published, but not received within 5 s after the last one was sent. */
  lost: number;
  publishErrors: number;
  /** From just before the publish call to the event's arrival at the Socket.IO client. */
  latencyMs: LatencySummary;
}

const waitForLastMs = 5_000;

/** A page's connection to the dashboard (websocket, as a browser ends up with). */
export function connectDashboard(url: string, timeoutMs = 10_000): Promise<Socket> {
  const socket = io(url, { transports: ["websocket"], reconnection: false, timeout: timeoutMs });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => {
      socket.close();
      reject(new Error(`cannot connect to the dashboard at ${url}: ${err.message}`));
    });
  });
}

/** A notification as the contract describes it, for an order that exists only for this probe. */
export function probeNotification(orderId: string, sentAt: Date) {
  return {
    order_id: orderId,
    seq: 1,
    type: "placed",
    message: `Latency probe of the bench, sent at ${sentAt.toISOString()}`,
    order: { customer: "bench-probe", item: "none", total: 1 },
  };
}

/** Publishes a probe every `intervalMs` until `until`, and measures each one's trip to a page. */
export async function measureNotificationLatency(settings: LatencySettings): Promise<NotificationLatency> {
  const { dashboardUrl, daprUrl, daprApiToken, until, intervalMs, signal } = settings;
  const socket = await connectDashboard(dashboardUrl);
  const run = `${Date.now().toString(36)}`;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  socket.on("notification", (event: unknown) => {
    const arrived = performance.now();
    const id = field(event, "order_id");
    if (typeof id !== "string") return;
    const sent = sentAt.get(id);
    if (sent === undefined) return; // an order's own notification, or a repeat
    sentAt.delete(id);
    latencies.push(arrived - sent);
  });

  let sent = 0;
  let publishErrors = 0;
  try {
    const maxProbes = Math.ceil((until - performance.now()) / intervalMs) + 1;
    for (let n = 0; n < maxProbes && performance.now() < until; n++) {
      const next = performance.now() + intervalMs;
      const id = `bench-probe-${run}-${n}`;
      sentAt.set(id, performance.now());
      sent += 1;
      try {
        const answer = await call("POST", `${daprUrl}/v1.0/publish/pubsub/notifications`, {
          json: probeNotification(id, new Date()),
          headers: { "dapr-api-token": daprApiToken },
          timeoutMs: 5_000,
          signal,
        });
        if (answer.status < 200 || answer.status > 299) throw new Error(`publish answered ${answer.status}`);
      } catch {
        rethrowIfAborted(signal);
        publishErrors += 1;
        sentAt.delete(id);
      }
      await sleep(next - performance.now(), signal);
    }
    const lastWait = performance.now() + waitForLastMs;
    while (sentAt.size > 0 && performance.now() < lastWait) await sleep(50, signal);
  } finally {
    socket.close();
  }
  return {
    sent,
    received: latencies.length,
    lost: sentAt.size,
    publishErrors,
    latencyMs: summarize(latencies),
  };
}
