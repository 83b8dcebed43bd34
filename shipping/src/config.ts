// shipping's settings, from the environment (defaults in brackets in README).
import { appPort, envList } from "@dapr-orders/service-kit";

export const config = {
  port: appPort(3004),
  /** Customers no courier delivers to: the way to show a shipping failure. */
  blockedCustomers: envList("SHIPPING_BLOCKED_CUSTOMERS", ["nowhere"]),
};
