// notifications' metrics (GET /metrics, service-kit's metrics.ts): what the
// subscription routes did with each notification Dapr delivered (routes.ts).
import { counter } from "@dapr-orders/service-kit";

export const notificationsDelivered = counter(
  "orders_notifications_delivered_total",
  "Notifications kept for the first time and sent to the dashboard's pages",
);

export const notificationsDeduplicated = counter(
  "orders_notifications_deduplicated_total",
  "Notifications delivered again (the same order_id and seq) and ignored",
);
