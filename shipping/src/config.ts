// shipping's settings, from the environment (defaults in brackets in README).
import { appPort, daprSettings, envList } from "@dapr-orders/service-kit";

export const config = {
  port: appPort(3004),
  dapr: daprSettings(),
  /** The Dapr state store holding one record per order (shared with payments, keys prefixed by app id). */
  stateStore: "records-state",
  /** Customers no courier delivers to: the way to show a shipping failure. */
  blockedCustomers: envList("SHIPPING_BLOCKED_CUSTOMERS", ["nowhere"]),
  /** Attempts at writing a record when another replica wrote it in between. */
  maxAttempts: 10,
};
